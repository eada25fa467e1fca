import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs } from './cli-args.js';
import { CliArgsError, ServerErrorCode } from './errors.js';

const noEnv = {} as NodeJS.ProcessEnv;

function parseError(argv: string[], env: NodeJS.ProcessEnv = noEnv): CliArgsError {
  try {
    parseCliArgs(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliArgsError);
    return error as CliArgsError;
  }
  throw new Error(`parseCliArgs(${JSON.stringify(argv)}) did not throw`);
}

describe('parseCliArgs', () => {
  it('defaults to 127.0.0.1:3000 over HTTP with Google STUN, as codelab learners expect', () => {
    expect(parseCliArgs([], noEnv)).toEqual({
      help: false,
      port: 3000,
      host: '127.0.0.1',
      https: false,
      iceServers: { stun: ['stun:stun.l.google.com:19302'] },
    });
  });

  it('reads every flag', () => {
    const options = parseCliArgs(
      [
        '--port', '0', '--host', '0.0.0.0', '--https', '--cert-dir', '/tmp/c',
        '--stun', 'stun:a:3478', '--stun', 'stun:b:3478',
        '--turn-url', 'turn:127.0.0.1:3478', '--turn-url', 'turns:t.example:443',
        '--turn-secret', 's3cret', '--turn-ttl', '600', '--room-capacity', '4', '--log-level', 'debug',
        '--allow-origin', 'http://localhost:5173',
      ],
      noEnv,
    );
    expect(options).toEqual({
      help: false,
      port: 0,
      host: '0.0.0.0',
      https: true,
      certDir: '/tmp/c',
      iceServers: {
        stun: ['stun:a:3478', 'stun:b:3478'],
        turn: { urls: ['turn:127.0.0.1:3478', 'turns:t.example:443'], secret: 's3cret', ttlSeconds: 600 },
      },
      roomCapacity: 4,
      logLevel: 'debug',
      allowedOrigins: ['http://localhost:5173'],
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      PORT: '4000', HOST: '0.0.0.0', HTTPS: '1', STUN_URLS: 'stun:a:1, stun:b:2', TURN_URLS: 'turn:t:3478',
      TURN_SECRET: 'x', TURN_TTL: '120', ROOM_CAPACITY: '3', LOG_LEVEL: 'warn',
    } as NodeJS.ProcessEnv;
    expect(parseCliArgs([], env)).toMatchObject({
      port: 4000, host: '0.0.0.0', https: true, roomCapacity: 3, logLevel: 'warn',
      iceServers: { stun: ['stun:a:1', 'stun:b:2'], turn: { urls: ['turn:t:3478'], secret: 'x', ttlSeconds: 120 } },
    });
    expect(parseCliArgs(['--port', '5000', '--host', '127.0.0.1'], env)).toMatchObject({ port: 5000, host: '127.0.0.1' });
  });

  it('gives no STUN server with --no-default-stun or an empty STUN_URLS (offline machines, tests)', () => {
    expect(parseCliArgs(['--no-default-stun'], noEnv).iceServers).toEqual({ stun: [] });
    expect(parseCliArgs([], { STUN_URLS: '' } as NodeJS.ProcessEnv).iceServers).toEqual({ stun: [] });
    expect(parseCliArgs(['--no-default-stun', '--stun', 'stun:x:1'], noEnv).iceServers).toEqual({ stun: ['stun:x:1'] });
  });

  it('accepts static TURN credentials', () => {
    expect(parseCliArgs(['--turn-url', 'turn:t:3478', '--turn-username', 'u', '--turn-credential', 'p'], noEnv).iceServers?.turn).toEqual({
      urls: ['turn:t:3478'], username: 'u', credential: 'p',
    });
  });

  it('reads the byte limits: per-sender bytes per second and bytes queued for one client', () => {
    expect(parseCliArgs(['--message-bytes-rate', '1000', '--max-queued-bytes', '200000'], noEnv)).toMatchObject({
      rateLimits: { messageBytes: { perSecond: 1000, burst: 2 * 1024 * 1024 } },
      maxQueuedBytes: 200_000,
    });
    expect(parseCliArgs(['--message-rate', '5'], { MESSAGE_BYTES_BURST: '90000' } as NodeJS.ProcessEnv).rateLimits).toMatchObject({
      messages: { perSecond: 5 },
      messageBytes: { burst: 90_000 },
    });
    expect(parseError(['--max-queued-bytes', 'lots']).message).toMatch(/--max-queued-bytes must be a whole number/);
  });

  it('sets help for -h and --help', () => {
    expect(parseCliArgs(['-h'], noEnv).help).toBe(true);
    expect(parseCliArgs(['--help'], noEnv).help).toBe(true);
  });

  it.each([
    [['--prot', '4000'], /Unknown flag "--prot"/],
    [['4000'], /Unexpected argument "4000"/],
    [['--port'], /--port/],
    [['--port', 'abc'], /--port must be a whole number/],
    [['--port', '70000'], /--port must be from 0 to 65535/],
    [['--port', '-1'], /--port/],
    [['--room-capacity', '1'], /--room-capacity must be from 2/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['--turn-url', 'turn:t:3478'], /TURN URLs need credentials/],
    [['--turn-secret', 's'], /no TURN URL/],
    [['--turn-url', 'turn:t:1', '--turn-secret', 's', '--turn-ttl', '0'], /--turn-ttl must be from 1/],
    [['--stun', 'http://example.com'], /STUN URL "http:\/\/example.com"/],
    [['--allow-origin', 'localhost:5173'], /--allow-origin takes an origin/],
    [['--https=yes'], /--https/],
  ])('refuses %j with a clear, coded error', (argv, message) => {
    const error = parseError(argv);
    expect(error.code).toBe(ServerErrorCode.InvalidCliArgs);
    expect(error.message).toMatch(message);
  });

  it('names the environment variable when that is what is wrong', () => {
    expect(parseError([], { PORT: 'eighty' } as NodeJS.ProcessEnv).message).toMatch(/^PORT must be a whole number/);
    expect(parseError([], { HTTPS: 'maybe' } as NodeJS.ProcessEnv).message).toMatch(/^HTTPS must be 1 or 0/);
  });
});

describe('parseCliArgs: issue 18 settings', () => {
  it('reads the TURN secret from a file, so it does not show in ps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'turn-secret-'));
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-the-file\nignored second line\n');
    const options = parseCliArgs(['--turn-url', 'turn:127.0.0.1:3478', '--turn-secret-file', file], noEnv);
    expect(options.iceServers?.turn).toMatchObject({ secret: 'from-the-file' });
    expect(parseCliArgs(['--turn-url', 'turn:127.0.0.1:3478'], { TURN_SECRET_FILE: file }).iceServers?.turn).toMatchObject({ secret: 'from-the-file' });
    expect(parseError(['--turn-secret', 'x', '--turn-secret-file', file]).message).toMatch(/not both/);
    expect(parseError(['--turn-secret-file', join(dir, 'missing')]).message).toMatch(/Could not read the TURN secret file .*ENOENT/);
    writeFileSync(file, '\n');
    expect(parseError(['--turn-secret-file', file]).message).toMatch(/is empty/);
  });

  it('reads public hosts, the metrics token and the per-address caps, and refuses bad ones', () => {
    const options = parseCliArgs(
      ['--public-host', 'a.example.org', '--public-host', 'b.example.org', '--metrics-token', '0123456789abcdef',
        '--address-connections', '500', '--address-handshake-rate', '50', '--address-join-burst', '99', '--ice-servers-rate', '5'],
      noEnv,
    );
    expect(options).toMatchObject({
      publicHosts: ['a.example.org', 'b.example.org'],
      metricsToken: '0123456789abcdef',
      addressLimits: {
        connections: 500,
        handshakes: { perSecond: 50, burst: 50 },
        joins: { perSecond: 10, burst: 99 },
        iceServers: { perSecond: 5, burst: 60 },
      },
    });
    expect(parseCliArgs([], { PUBLIC_HOSTS: 'x.example, y.example' }).publicHosts).toEqual(['x.example', 'y.example']);
    expect(parseError(['--public-host', 'https://a.example/']).message).toMatch(/--public-host takes a host name/);
    expect(parseError(['--metrics-token', 'short']).message).toMatch(/at least 16 characters/);
    expect(parseError(['--address-connections', '0']).message).toMatch(/--address-connections must be from 1/);
  });

  it('reads the trusted proxies from flags or TRUST_PROXY, and refuses what is not an address or a block', () => {
    expect(parseCliArgs(['--trust-proxy', '127.0.0.1', '--trust-proxy', '10.0.0.0/8,::1'], noEnv).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(parseCliArgs([], { TRUST_PROXY: '192.168.1.10' }).trustProxy).toEqual(['192.168.1.10']);
    expect(parseCliArgs([], noEnv).trustProxy).toBeUndefined();
    expect(parseError(['--trust-proxy', 'nginx']).message).toMatch(/--trust-proxy takes an IP address or a CIDR block/);
    expect(parseError(['--trust-proxy', '10.0.0.0/40']).message).toMatch(/prefix length must be 0–32/);
  });
});

describe('parseCliArgs: Redis Cluster (issue 19)', () => {
  it('reads the cluster nodes from --redis-cluster or REDIS_CLUSTER', () => {
    expect(parseCliArgs(['--redis-cluster', '127.0.0.1:7000, 127.0.0.1:7001,redis-c.internal:7002'], noEnv).redisCluster).toEqual([
      '127.0.0.1:7000',
      '127.0.0.1:7001',
      'redis-c.internal:7002',
    ]);
    expect(parseCliArgs([], { REDIS_CLUSTER: '[::1]:7000' } as NodeJS.ProcessEnv).redisCluster).toEqual(['[::1]:7000']);
    expect(parseCliArgs([], { REDIS_CLUSTER: '' } as NodeJS.ProcessEnv).redisCluster).toBeUndefined();
  });

  it('refuses --redis-cluster together with --redis-url, naming both', () => {
    const error = parseError(['--redis-url', 'redis://127.0.0.1:6379', '--redis-cluster', '127.0.0.1:7000']);
    expect(error.code).toBe(ServerErrorCode.InvalidCliArgs);
    expect(error.message).toMatch(/--redis-url and --redis-cluster cannot both be set/);
    expect(parseError([], { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER: '127.0.0.1:7000' } as NodeJS.ProcessEnv).message).toMatch(
      /REDIS_URL and REDIS_CLUSTER cannot both be set/,
    );
  });

  it('refuses a node that is not host:port', () => {
    expect(parseError(['--redis-cluster', 'redis://127.0.0.1:7000']).message).toMatch(/--redis-cluster takes host:port.*"redis:\/\/127.0.0.1:7000"/);
    expect(parseError(['--redis-cluster', '127.0.0.1']).message).toMatch(/--redis-cluster takes host:port/);
    expect(parseError([], { REDIS_CLUSTER: '127.0.0.1:7000,:7001' } as NodeJS.ProcessEnv).message).toMatch(/^REDIS_CLUSTER takes host:port.*":7001"/);
  });
});
