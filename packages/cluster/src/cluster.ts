/**
 * `startCluster()`: redis-server, N signaling server processes sharing rooms through it, and nginx
 * in front of them on loopback with a generated configuration (nginx-config.ts). What `npm run
 * cluster` runs, and what the tests start to put real clients behind a real load balancer.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { userInfo } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { loadOrCreateCertificate, REPO_ROOT } from '@workbench/signaling-server';
import {
  findExecutable,
  findNginx,
  freeTcpPort,
  HarnessError,
  HarnessErrorCode,
  makeTempDir,
  NGINX,
  REDIS,
  spawnManaged,
  startRedis,
  waitUntilReady,
  type ManagedProcess,
  type RedisServer,
  type SystemProgram,
} from '@workbench/testing';

import { mainConfig, parseAccessLog, siteConfig, type AccessLogEntry } from './nginx-config.js';

/** The server's command line, beside its index in dist/ (the package exports only the index). */
export const SERVER_CLI = join(dirname(createRequire(import.meta.url).resolve('@workbench/signaling-server')), 'cli.js');

const LOOPBACK = '127.0.0.1';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP(S) request, from `localAddress` when given: a client at its own loopback address, which
 * is what nginx's stickiness keys on. `ca` trusts a self-signed certificate.
 */
export function httpGet(
  url: string,
  options: { localAddress?: string; ca?: string; method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${url}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One signaling server process behind nginx. */
export interface ServerProcess {
  /** 1-based, as printed. */
  number: number;
  port: number;
  /** Its own address, bypassing nginx: `http://127.0.0.1:<port>`. */
  url: string;
  proc: ManagedProcess;
}

export interface NginxProxy {
  /** `http(s)://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The private directory: nginx.conf, the site file, logs, pid, temp files. */
  dir: string;
  configPath: string;
  sitePath: string;
  accessLogPath: string;
  /** The certificate clients must trust with `https`. */
  ca?: string;
  proc: ManagedProcess;
  /** Every request nginx has logged so far, with the process it went to. */
  accessLog(): AccessLogEntry[];
  stop(): Promise<void>;
}

export interface StartNginxOptions {
  /** Ports of the server processes on 127.0.0.1. */
  upstreamPorts: readonly number[];
  /** 0 (default) = a free port. */
  port?: number;
  /** Addresses to listen on; default 127.0.0.1. */
  listenHosts?: readonly string[];
  /** Default true; false is plain round robin (see siteConfig). */
  sticky?: boolean;
  /** Terminate TLS with this certificate. */
  tls?: { cert: string; key: string };
  startTimeoutMs?: number;
}

/** Starts nginx in the foreground with a generated configuration; resolves once it answers /healthz. */
export async function startNginx(options: StartNginxOptions): Promise<NginxProxy> {
  const executable = findNginx();
  const dir = makeTempDir('nginx');
  try {
    const port = options.port || (await freeTcpPort(LOOPBACK));
    const listenHosts = options.listenHosts ?? [LOOPBACK];
    let tls: { certPath: string; keyPath: string } | undefined;
    if (options.tls !== undefined) {
      tls = { certPath: join(dir.path, 'tls-cert.pem'), keyPath: join(dir.path, 'tls-key.pem') };
      writeFileSync(tls.certPath, options.tls.cert);
      writeFileSync(tls.keyPath, options.tls.key, { mode: 0o600 });
    }
    const sitePath = join(dir.path, 'workbench.conf');
    const configPath = join(dir.path, 'nginx.conf');
    const accessLogPath = join(dir.path, 'access.log');
    writeFileSync(
      sitePath,
      siteConfig({
        upstreams: options.upstreamPorts.map((p) => `${LOOPBACK}:${p}`),
        listenHosts,
        port,
        serverName: 'localhost',
        tls,
        sticky: options.sticky ?? true,
      }),
    );
    const asRoot = process.getuid?.() === 0;
    writeFileSync(configPath, mainConfig({ dir: dir.path, sitePath, user: asRoot ? userInfo().username : undefined }));
    // -p: the prefix for anything still relative; -e: the error log from the first moment, before
    // the configuration is read (the compiled-in /var/log/nginx/error.log is root's).
    const proc = spawnManaged('nginx', executable, ['-p', dir.path, '-e', join(dir.path, 'error.log'), '-c', configPath, '-g', 'daemon off;']);
    const url = `${tls !== undefined ? 'https' : 'http'}://${LOOPBACK}:${port}`;
    const ca = options.tls?.cert;
    try {
      await waitUntilReady(proc, async () => (await httpGet(`${url}/healthz`, { ca, timeoutMs: 1000 })).status === 200, options.startTimeoutMs ?? 10_000);
    } catch (error) {
      // nginx says why in its error log ("bind() to 127.0.0.1:8080 failed (98: Address already in use)").
      const said = existsSync(join(dir.path, 'error.log')) ? readFileSync(join(dir.path, 'error.log'), 'utf8').match(/\[(emerg|alert|crit)\].*/g) : null;
      if (said === null) throw error;
      await proc.stop();
      throw new Error(`nginx did not start: ${said.join('; ')}`, { cause: error });
    }
    return {
      url,
      port,
      dir: dir.path,
      configPath,
      sitePath,
      accessLogPath,
      ...(ca !== undefined ? { ca } : {}),
      proc,
      accessLog: () => parseAccessLog(readFileSync(accessLogPath, 'utf8')),
      async stop() {
        await proc.stop();
        dir.remove();
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}

export interface StartServerProcessOptions {
  number: number;
  redisUrl: string;
  /** Flags after the cluster's own (they win where they repeat one). */
  args?: readonly string[];
  /** Each line the process prints, as it comes. */
  onLine?: (line: string) => void;
  startTimeoutMs?: number;
}

/** `node dist/cli.js --port 0 --redis-url …`: resolves with the port it printed once it is ready. */
export async function startServerProcess(options: StartServerProcessOptions): Promise<ServerProcess> {
  const proc = spawnManaged(`server process ${options.number}`, process.execPath, [
    SERVER_CLI,
    '--port', '0',
    '--host', LOOPBACK,
    '--redis-url', options.redisUrl,
    ...(options.args ?? []),
  ]);
  let port: number | undefined;
  for (const stream of [proc.child.stdout, proc.child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        // The server prints its address whatever the log level: it is the command's answer.
        const local = /Local:\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
        if (local?.[1] !== undefined) port ??= Number(local[1]);
        options.onLine?.(line);
      }
    });
  }
  await waitUntilReady(proc, async () => port !== undefined, options.startTimeoutMs ?? 20_000);
  if (port === undefined) throw new Error('unreachable: waitUntilReady resolved without a port');
  return { number: options.number, port, url: `http://${LOOPBACK}:${port}`, proc };
}

export interface ClusterOptions {
  /** Server processes; default 2. */
  processes?: number;
  /** nginx's port; 0 (default) = a free one. */
  port?: number;
  /** nginx listens on these; default 127.0.0.1. */
  listenHosts?: readonly string[];
  /** TLS at nginx with the self-signed certificate `npm start -- --https` uses (kept in certDir). */
  https?: boolean;
  certDir?: string;
  /** Extra flags for every server process. */
  serverArgs?: readonly string[];
  /**
   * Default true: each process gets `--trust-proxy 127.0.0.1`, nginx's address as they see it.
   * False only to show what goes wrong without it (every client has nginx's address).
   */
  trustProxy?: boolean;
  /** Default true; false = round robin (see siteConfig). */
  sticky?: boolean;
  /** Every line a server process prints, with its number. */
  onServerLine?: (processNumber: number, line: string) => void;
}

export interface Cluster {
  /** Where clients go: nginx. */
  url: string;
  nginx: NginxProxy;
  processes: ServerProcess[];
  redis: RedisServer;
  /** nginx first (no new requests), then the processes (their clients hear why), then Redis. */
  stop(): Promise<void>;
}

/**
 * Why the programs a cluster runs cannot be found, as one line naming each and how to get it, or
 * undefined when nginx and redis-server are both there.
 */
export function missingProgramsLine(env: NodeJS.ProcessEnv = process.env, programs: readonly SystemProgram[] = [NGINX, REDIS]): string | undefined {
  const missing: SystemProgram[] = [];
  const badPaths: string[] = [];
  for (const program of programs) {
    try {
      findExecutable(program, env);
    } catch (error) {
      if (error instanceof HarnessError && error.code === HarnessErrorCode.BadExecutablePath) {
        badPaths.push(`${program.envVar}=${env[program.envVar ?? ''] ?? ''} is not an executable file (point it at ${program.title} or unset it)`);
      } else {
        missing.push(program);
      }
    }
  }
  const parts: string[] = [];
  if (missing.length > 0) {
    const names = missing.map((p) => p.pathNames[0]).join(' and ');
    parts.push(
      `${names} ${missing.length > 1 ? 'are' : 'is'} not installed: \`apt-get install ${missing.map((p) => p.aptPackage).join(' ')}\` as root ` +
        `(or npm run system-deps), or set ${missing.map((p) => p.envVar).join(' / ')} to ${missing.length > 1 ? 'their paths' : 'its path'}`,
    );
  }
  parts.push(...badPaths);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.processes ?? 2;
  // Both looked up before anything starts, so a missing one is named before any process runs.
  const missing = missingProgramsLine();
  if (missing !== undefined) throw new HarnessError(HarnessErrorCode.MissingSystemPackage, missing);
  const redis = await startRedis();
  const processes: ServerProcess[] = [];
  let nginx: NginxProxy | undefined;
  const stop = async () => {
    await nginx?.stop();
    await Promise.all(processes.map((p) => p.proc.stop(6000)));
    await redis.stop();
  };
  try {
    const trust = options.trustProxy ?? true ? ['--trust-proxy', LOOPBACK] : [];
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, i) =>
        startServerProcess({
          number: i + 1,
          redisUrl: redis.url,
          args: [...trust, ...(options.serverArgs ?? [])],
          onLine: (line) => options.onServerLine?.(i + 1, line),
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const tls = options.https ? await loadOrCreateCertificate(options.certDir ?? join(REPO_ROOT, '.certs')) : undefined;
    nginx = await startNginx({
      upstreamPorts: processes.map((p) => p.port),
      port: options.port ?? 0,
      ...(options.listenHosts !== undefined ? { listenHosts: options.listenHosts } : {}),
      sticky: options.sticky ?? true,
      ...(tls !== undefined ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: nginx.url, nginx, processes, redis, stop };
}
