/**
 * Command-line flags and environment variables into ServerOptions. Flags win over the environment;
 * anything unknown or malformed is an error naming the flag, never silently ignored, because a
 * typo like `--prot 4000` would otherwise start a server somewhere the learner is not looking.
 */
import { parseArgs } from 'node:util';
import { CliArgsError, ServerConfigError } from './errors.js';
import { assertIceServerOptions, DEFAULT_STUN_URLS, DEFAULT_TURN_TTL_SECONDS, type IceServerOptions } from './ice-servers.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js';
import { DEFAULT_ADDRESS_LIMITS, type AddressLimitOptions } from './address-limits.js';
import { TrustedProxies } from './trusted-proxies.js';
import { readFileSync } from 'node:fs';
import {
  DEFAULT_HOST,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MESSAGE_BYTES_LIMIT,
  DEFAULT_PORT,
  DEFAULT_RATE_LIMITS,
  DEFAULT_RECONNECT_GRACE_MS,
  DEFAULT_SEAT_TTL_MS,
  REDIS_CLUSTER_NODE_PATTERN,
  type ServerOptions,
} from './options.js';

export const CLI_USAGE = `Usage: workbench-server [options]     (from the repo: npm start -- [options])

  --port <n>             port to listen on; 0 = any free port       env PORT      default ${DEFAULT_PORT}
  --host <addr>          interface; 0.0.0.0 to reach it from the LAN  env HOST      default ${DEFAULT_HOST}
  --https                HTTPS with a self-signed certificate made on first use (phones need it
                         for the camera)                             env HTTPS=1
  --cert-dir <dir>       where that certificate is kept              env CERT_DIR  default <repo>/.certs
  --stun <url>           STUN server, repeatable                     env STUN_URLS (comma-separated)
                         default ${DEFAULT_STUN_URLS.join(', ')}
  --no-default-stun      no STUN server unless --stun gives one (offline use; or STUN_URLS=)
  --turn-url <url>       TURN server, repeatable                     env TURN_URLS (comma-separated)
  --turn-secret <s>      coturn static-auth-secret: hand out short-lived REST-API credentials
                         (a flag shows in \`ps\`: prefer --turn-secret-file or TURN_SECRET)
                                                                     env TURN_SECRET
  --turn-secret-file <f> read the TURN secret from this file (first line)  env TURN_SECRET_FILE
  --turn-username <u>    static TURN username (without a secret)     env TURN_USERNAME
  --turn-credential <p>  static TURN password (without a secret)     env TURN_CREDENTIAL
  --turn-ttl <seconds>   lifetime of REST-API credentials            env TURN_TTL  default ${DEFAULT_TURN_TTL_SECONDS}
  --room-capacity <n>    members per room                            env ROOM_CAPACITY  default 2
  --allow-origin <url>   another page origin that may connect, repeatable (e.g. a Vite dev server)
  --public-host <name>   a name browsers use for this server besides localhost and its addresses,
                         repeatable; other Host headers are refused (DNS rebinding)  env PUBLIC_HOSTS
  --trust-proxy <ip|cidr>
                         a reverse proxy (e.g. nginx) whose X-Forwarded-For / Forwarded names
                         the client, repeatable; per-address limits, logs and /metrics then use
                         that client; from anyone else the headers are ignored  env TRUST_PROXY
  --metrics-token <t>    /metrics needs Authorization: Bearer <t>; unset: /metrics only answers
                         this machine (loopback)                     env METRICS_TOKEN
  --log-level <level>    ${LOG_LEVELS.join("|")}        env LOG_LEVEL default info
  --log-format <f>       json (one object per line) or text           env LOG_FORMAT
                         default: text on a terminal, json otherwise

Several processes (any number, on one or more machines) share rooms through one Redis (or a Redis Cluster):
  --redis-url <url>      redis://host:port; unset = one process, rooms in memory  env REDIS_URL
  --redis-cluster <host:port,…>
                         a Redis Cluster (Redis 7+) instead of one Redis: some of its masters,
                         comma-separated; rooms spread over its masters  env REDIS_CLUSTER
  --redis-prefix <p>     prefix of this server's Redis keys           env REDIS_PREFIX  default workbench:
  --seat-ttl <ms>        a dead process's seats are freed within this  env SEAT_TTL_MS  default ${DEFAULT_SEAT_TTL_MS}
  --reconnect-grace <ms> a dropped client with a resume token keeps its seat this long (0 = off)
                                                                     env RECONNECT_GRACE_MS  default ${DEFAULT_RECONNECT_GRACE_MS}
Limits per client (over the limit: a RATE_LIMITED error; flooding on regardless: disconnected):
  --message-rate <n>     messages per second                         env MESSAGE_RATE  default ${DEFAULT_RATE_LIMITS.messages.perSecond}
  --message-burst <n>    messages at once                            env MESSAGE_BURST default ${DEFAULT_RATE_LIMITS.messages.burst}
  --join-rate <n>        joins and leaves per second                 env JOIN_RATE     default ${DEFAULT_RATE_LIMITS.joins.perSecond}
  --join-burst <n>       joins and leaves at once                    env JOIN_BURST    default ${DEFAULT_RATE_LIMITS.joins.burst}
  --max-message-bytes <n> largest relayed message                    env MAX_MESSAGE_BYTES default 65536
Limits per source address (loopback included; raise them behind a reverse proxy or for load tests):
  --address-connections <n>    open connections                      env ADDRESS_CONNECTIONS default ${DEFAULT_ADDRESS_LIMITS.connections}
  --address-handshake-rate <n> new connections per second            env ADDRESS_HANDSHAKE_RATE default ${DEFAULT_ADDRESS_LIMITS.handshakes.perSecond}
  --address-handshake-burst <n> new connections at once              env ADDRESS_HANDSHAKE_BURST default ${DEFAULT_ADDRESS_LIMITS.handshakes.burst}
  --address-join-rate <n>      joins and leaves per second, all its connections together
                                                                     env ADDRESS_JOIN_RATE default ${DEFAULT_ADDRESS_LIMITS.joins.perSecond}
  --address-join-burst <n>     joins and leaves at once              env ADDRESS_JOIN_BURST default ${DEFAULT_ADDRESS_LIMITS.joins.burst}
  --ice-servers-rate <n>       /api/ice-servers answers per second   env ICE_SERVERS_RATE default ${DEFAULT_ADDRESS_LIMITS.iceServers.perSecond}
  --ice-servers-burst <n>      /api/ice-servers answers at once      env ICE_SERVERS_BURST default ${DEFAULT_ADDRESS_LIMITS.iceServers.burst}
  --message-bytes-rate <n> bytes of messages per second               env MESSAGE_BYTES_RATE  default ${DEFAULT_MESSAGE_BYTES_LIMIT.perSecond}
  --message-bytes-burst <n> bytes of messages at once                 env MESSAGE_BYTES_BURST default ${DEFAULT_MESSAGE_BYTES_LIMIT.burst}
  --max-queued-bytes <n> bytes waiting for a client that does not read; past it the client is
                         disconnected and its peers told SLOW_RECEIVER  env MAX_QUEUED_BYTES default ${DEFAULT_MAX_QUEUED_BYTES}
  -h, --help             show this help

Examples:
  npm start                                   http://127.0.0.1:3000/ on this machine
  npm start -- --host 0.0.0.0 --https         reachable from a phone on the same Wi-Fi
  npm start -- --turn-url turn:127.0.0.1:3478 --turn-secret s3cret
  REDIS_URL=redis://127.0.0.1:6379 npm start -- --port 3001   one of several processes`;

/** ServerOptions plus what only the command line has. */
export interface CliOptions extends ServerOptions {
  help: boolean;
}

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim())) throw new CliArgsError(`${flag} must be a whole number, got "${value}".`);
  const n = Number(value.trim());
  if (n < min || n > max) throw new CliArgsError(`${flag} must be from ${min} to ${max}, got ${n}.`);
  return n;
}

function envBoolean(value: string, name: string): boolean {
  const normalised = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalised)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(normalised)) return false;
  throw new CliArgsError(`${name} must be 1 or 0 (true/false), got "${value}".`);
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Rewrites node's parseArgs errors into one short sentence per mistake. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown flag "${quoted ?? message}".`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `Unexpected argument "${quoted ?? message}": every setting is a --flag.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${message.replace(/\.$/, '')}.`;
    default:
      return message;
  }
}

/**
 * `argv` without node and the script (`process.argv.slice(2)`). Throws {@link CliArgsError} (code
 * `INVALID_CLI_ARGS`) with a sentence saying which flag or variable is wrong.
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        https: { type: 'boolean' },
        'cert-dir': { type: 'string' },
        stun: { type: 'string', multiple: true },
        'no-default-stun': { type: 'boolean' },
        'turn-url': { type: 'string', multiple: true },
        'turn-secret': { type: 'string' },
        'turn-secret-file': { type: 'string' },
        'public-host': { type: 'string', multiple: true },
        'trust-proxy': { type: 'string', multiple: true },
        'metrics-token': { type: 'string' },
        'address-connections': { type: 'string' },
        'address-handshake-rate': { type: 'string' },
        'address-handshake-burst': { type: 'string' },
        'address-join-rate': { type: 'string' },
        'address-join-burst': { type: 'string' },
        'ice-servers-rate': { type: 'string' },
        'ice-servers-burst': { type: 'string' },
        'turn-username': { type: 'string' },
        'turn-credential': { type: 'string' },
        'turn-ttl': { type: 'string' },
        'room-capacity': { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        'redis-url': { type: 'string' },
        'redis-cluster': { type: 'string' },
        'redis-prefix': { type: 'string' },
        'seat-ttl': { type: 'string' },
        'reconnect-grace': { type: 'string' },
        'message-rate': { type: 'string' },
        'message-burst': { type: 'string' },
        'join-rate': { type: 'string' },
        'join-burst': { type: 'string' },
        'max-message-bytes': { type: 'string' },
        'message-bytes-rate': { type: 'string' },
        'message-bytes-burst': { type: 'string' },
        'max-queued-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliArgsError(describeParseError(error), { cause: error });
  }

  const options: CliOptions = { help: values.help ?? false };

  const port = values.port ?? env.PORT;
  options.port = port === undefined || port === '' ? DEFAULT_PORT : wholeNumber(port, values.port !== undefined ? '--port' : 'PORT', 0, 65535);

  const host = (values.host ?? env.HOST ?? '').trim();
  options.host = host === '' ? DEFAULT_HOST : host;

  options.https = values.https ?? (env.HTTPS !== undefined ? envBoolean(env.HTTPS, 'HTTPS') : false);
  const certDir = values['cert-dir'] ?? env.CERT_DIR;
  if (certDir !== undefined && certDir !== '') options.certDir = certDir;

  const iceServers: IceServerOptions = {};
  if (values.stun !== undefined) iceServers.stun = values.stun.flatMap(commaList);
  else if (values['no-default-stun']) iceServers.stun = [];
  else if (env.STUN_URLS !== undefined) iceServers.stun = commaList(env.STUN_URLS); // set but empty = none
  else iceServers.stun = [...DEFAULT_STUN_URLS];

  const turnUrls = values['turn-url']?.flatMap(commaList) ?? commaList(env.TURN_URLS ?? '');
  const secretFile = values['turn-secret-file'] ?? env.TURN_SECRET_FILE;
  let fileSecret: string | undefined;
  if (secretFile !== undefined && secretFile !== '') {
    if (values['turn-secret'] !== undefined) throw new CliArgsError('Give the TURN secret once: --turn-secret or --turn-secret-file, not both.');
    try {
      fileSecret = (readFileSync(secretFile, 'utf8').split(/\r?\n/, 1)[0] ?? '').trim();
    } catch (error) {
      throw new CliArgsError(`Could not read the TURN secret file "${secretFile}": ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error });
    }
    if (fileSecret === '') throw new CliArgsError(`The TURN secret file "${secretFile}" is empty: put the secret on its first line.`);
  }
  const secret = values['turn-secret'] ?? fileSecret ?? env.TURN_SECRET;
  const username = values['turn-username'] ?? env.TURN_USERNAME;
  const credential = values['turn-credential'] ?? env.TURN_CREDENTIAL;
  const ttl = values['turn-ttl'] ?? env.TURN_TTL;
  if (turnUrls.length > 0 || secret || username || credential) {
    iceServers.turn = { urls: turnUrls };
    if (secret) iceServers.turn.secret = secret;
    if (username) iceServers.turn.username = username;
    if (credential) iceServers.turn.credential = credential;
    if (ttl !== undefined && ttl !== '') {
      iceServers.turn.ttlSeconds = wholeNumber(ttl, values['turn-ttl'] !== undefined ? '--turn-ttl' : 'TURN_TTL', 1, 7 * 24 * 3600);
    }
  }
  try {
    assertIceServerOptions(iceServers);
  } catch (error) {
    if (error instanceof ServerConfigError) throw new CliArgsError(error.message, { cause: error });
    throw error;
  }
  options.iceServers = iceServers;

  const capacity = values['room-capacity'] ?? env.ROOM_CAPACITY;
  if (capacity !== undefined && capacity !== '') {
    options.roomCapacity = wholeNumber(capacity, values['room-capacity'] !== undefined ? '--room-capacity' : 'ROOM_CAPACITY', 2, 1000);
  }

  const logLevel = values['log-level'] ?? env.LOG_LEVEL;
  if (logLevel !== undefined && logLevel !== '') {
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
      throw new CliArgsError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}".`);
    }
    options.logLevel = logLevel as LogLevel;
  }

  const logFormat = values['log-format'] ?? env.LOG_FORMAT;
  if (logFormat !== undefined && logFormat !== '') {
    if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
      throw new CliArgsError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got "${logFormat}".`);
    }
    options.logFormat = logFormat as LogFormat;
  }

  const redisUrl = (values['redis-url'] ?? env.REDIS_URL ?? '').trim();
  if (redisUrl !== '') {
    if (!/^rediss?:\/\/\S+$/.test(redisUrl)) {
      throw new CliArgsError(`${values['redis-url'] !== undefined ? '--redis-url' : 'REDIS_URL'} must look like redis://127.0.0.1:6379, got "${redisUrl}".`);
    }
    options.redisUrl = redisUrl;
  }
  const clusterFrom = values['redis-cluster'] !== undefined ? '--redis-cluster' : 'REDIS_CLUSTER';
  const redisCluster = (values['redis-cluster'] ?? env.REDIS_CLUSTER ?? '').split(',').map((node) => node.trim()).filter((node) => node !== '');
  if (redisCluster.length > 0) {
    if (options.redisUrl !== undefined) {
      const urlFrom = values['redis-url'] !== undefined ? '--redis-url' : 'REDIS_URL';
      throw new CliArgsError(`${urlFrom} and ${clusterFrom} cannot both be set: give --redis-url for one Redis, or --redis-cluster for a Redis Cluster.`);
    }
    const bad = redisCluster.find((node) => !REDIS_CLUSTER_NODE_PATTERN.test(node));
    if (bad !== undefined) throw new CliArgsError(`${clusterFrom} takes host:port[,host:port…] (e.g. 127.0.0.1:7000,127.0.0.1:7001), got "${bad}".`);
    options.redisCluster = redisCluster;
  }
  const prefix = values['redis-prefix'] ?? env.REDIS_PREFIX;
  if (prefix !== undefined && prefix !== '') options.redisKeyPrefix = prefix;

  /** A whole-number setting from its flag or, failing that, its environment variable. */
  const numberSetting = (flag: string, envName: string, min: number, max: number): number | undefined => {
    const raw = (values as Record<string, unknown>)[flag] as string | undefined;
    const value = raw ?? env[envName];
    if (value === undefined || value === '') return undefined;
    return wholeNumber(value, raw !== undefined ? `--${flag}` : envName, min, max);
  };
  const seatTtl = numberSetting('seat-ttl', 'SEAT_TTL_MS', 500, 24 * 3600 * 1000);
  if (seatTtl !== undefined) options.seatTtlMs = seatTtl;
  const grace = numberSetting('reconnect-grace', 'RECONNECT_GRACE_MS', 0, 3600 * 1000);
  if (grace !== undefined) options.reconnectGraceMs = grace;
  const maxMessageBytes = numberSetting('max-message-bytes', 'MAX_MESSAGE_BYTES', 1024, 16 * 1024 * 1024);
  if (maxMessageBytes !== undefined) options.maxMessageBytes = maxMessageBytes;
  const messageRate = numberSetting('message-rate', 'MESSAGE_RATE', 1, 1_000_000);
  const messageBurst = numberSetting('message-burst', 'MESSAGE_BURST', 1, 1_000_000);
  const joinRate = numberSetting('join-rate', 'JOIN_RATE', 1, 1_000_000);
  const joinBurst = numberSetting('join-burst', 'JOIN_BURST', 1, 1_000_000);
  if (messageRate !== undefined || messageBurst !== undefined || joinRate !== undefined || joinBurst !== undefined) {
    options.rateLimits = {
      messages: { perSecond: messageRate ?? DEFAULT_RATE_LIMITS.messages.perSecond, burst: messageBurst ?? DEFAULT_RATE_LIMITS.messages.burst },
      joins: { perSecond: joinRate ?? DEFAULT_RATE_LIMITS.joins.perSecond, burst: joinBurst ?? DEFAULT_RATE_LIMITS.joins.burst },
    };
  }

  const addressLimits: Partial<AddressLimitOptions> = {};
  const connections = numberSetting('address-connections', 'ADDRESS_CONNECTIONS', 1, 1_000_000);
  if (connections !== undefined) addressLimits.connections = connections;
  for (const [key, flag, envName] of [
    ['handshakes', 'address-handshake', 'ADDRESS_HANDSHAKE'],
    ['joins', 'address-join', 'ADDRESS_JOIN'],
    ['iceServers', 'ice-servers', 'ICE_SERVERS'],
  ] as const) {
    const perSecond = numberSetting(`${flag}-rate`, `${envName}_RATE`, 1, 1_000_000);
    const burst = numberSetting(`${flag}-burst`, `${envName}_BURST`, 1, 1_000_000);
    if (perSecond !== undefined || burst !== undefined) {
      addressLimits[key] = { perSecond: perSecond ?? DEFAULT_ADDRESS_LIMITS[key].perSecond, burst: burst ?? DEFAULT_ADDRESS_LIMITS[key].burst };
    }
  }
  if (Object.keys(addressLimits).length > 0) options.addressLimits = addressLimits;

  const publicHosts = values['public-host']?.flatMap(commaList) ?? commaList(env.PUBLIC_HOSTS ?? '');
  for (const name of publicHosts) {
    if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(name)) {
      throw new CliArgsError(`--public-host takes a host name like workbench.example.org (no scheme, port or path), got "${name}".`);
    }
  }
  if (publicHosts.length > 0) options.publicHosts = publicHosts;

  const trustProxy = values['trust-proxy']?.flatMap(commaList) ?? commaList(env.TRUST_PROXY ?? '');
  if (trustProxy.length > 0) {
    try {
      new TrustedProxies(trustProxy);
    } catch (error) {
      throw new CliArgsError(error instanceof Error ? error.message : String(error));
    }
    options.trustProxy = trustProxy;
  }

  const metricsToken = values['metrics-token'] ?? env.METRICS_TOKEN;
  if (metricsToken !== undefined && metricsToken !== '') {
    if (metricsToken.length < 16) throw new CliArgsError('--metrics-token must be at least 16 characters (e.g. `openssl rand -hex 16`).');
    options.metricsToken = metricsToken;
  }

  const bytesRate = numberSetting('message-bytes-rate', 'MESSAGE_BYTES_RATE', 1, 1024 ** 3);
  const bytesBurst = numberSetting('message-bytes-burst', 'MESSAGE_BYTES_BURST', 1024, 1024 ** 3);
  if (bytesRate !== undefined || bytesBurst !== undefined) {
    options.rateLimits = {
      ...options.rateLimits,
      messageBytes: { perSecond: bytesRate ?? DEFAULT_MESSAGE_BYTES_LIMIT.perSecond, burst: bytesBurst ?? DEFAULT_MESSAGE_BYTES_LIMIT.burst },
    };
  }
  const maxQueuedBytes = numberSetting('max-queued-bytes', 'MAX_QUEUED_BYTES', 1024, 1024 ** 3);
  if (maxQueuedBytes !== undefined) options.maxQueuedBytes = maxQueuedBytes;

  if (values['allow-origin'] !== undefined) {
    for (const origin of values['allow-origin']) {
      if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
        throw new CliArgsError(`--allow-origin takes an origin like http://localhost:5173 (no path), got "${origin}".`);
      }
    }
    options.allowedOrigins = values['allow-origin'];
  }
  return options;
}
