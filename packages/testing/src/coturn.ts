import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { findTurnserver } from './executables.js';
import { freeTcpUdpPort, freeUdpPortRange } from './ports.js';
import { makeTempDir, spawnManaged, waitUntilReady } from './processes.js';
import { stunBinding } from './stun.js';

/** A long-term-credential user configured into coturn (`user=name:password`). */
export interface TurnUser {
  name: string;
  password: string;
}

export interface StartCoturnOptions {
  /** Static long-term users. Default: one generated user, unless `authSecret` is set. */
  users?: TurnUser[];
  /** Shared secret for TURN REST API credentials (`use-auth-secret` + `static-auth-secret`), as the signaling server issues them. */
  authSecret?: string;
  /** Default `workbench.test`. */
  realm?: string;
  /** Address to listen and relay on. Default 127.0.0.1: nothing in the tests leaves the machine. */
  listenIp?: string;
  /** Also listen for TURN over TLS/DTLS on a second port with a throwaway self-signed certificate. */
  tls?: boolean;
  /** How many UDP ports to give the relay range. Default 50. */
  relayPortCount?: number;
  /** Extra raw coturn config lines, appended last (e.g. `denied-peer-ip=…` for a NAT lab). */
  extraConfig?: string[];
  startTimeoutMs?: number;
}

/** A running coturn bound to loopback; everything lives in a temp dir removed by `stop()`. */
export interface CoturnServer {
  /** `stun:127.0.0.1:<port>` */
  stunUrl: string;
  /** `turn:127.0.0.1:<port>?transport=udp` */
  turnUdpUrl: string;
  /** `turn:127.0.0.1:<port>?transport=tcp` */
  turnTcpUrl: string;
  /** `turns:127.0.0.1:<tlsPort>?transport=tcp`, only with `tls: true`. */
  turnsUrl?: string;
  /** STUN/TURN listening port, UDP and TCP. */
  port: number;
  tlsPort?: number;
  listenIp: string;
  realm: string;
  /** The static users (empty when `authSecret` is used). */
  users: TurnUser[];
  authSecret?: string;
  relayPorts: { min: number; max: number };
  configPath: string;
  logPath: string;
  /** coturn's log so far (for failure messages); empty after `stop()`. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest, coturn's `use-auth-secret`):
 * username `<expiry unix seconds>:<user>`, credential base64(HMAC-SHA1(secret, username)).
 * Written here independently of the server's implementation so tests can cross-check the two.
 */
export function turnRestCredentials(secret: string, options: { ttlSeconds?: number; user?: string; nowMs?: number } = {}): { username: string; credential: string } {
  const { ttlSeconds = 3600, user = 'workbench', nowMs = Date.now() } = options;
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

function urlHost(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts coturn's `turnserver` on free loopback ports with a private config, log and database, and
 * resolves once it answers a real STUN Binding request over UDP and accepts TCP connections.
 * Throws a HarnessError naming `apt-get install coturn` when it is not installed.
 */
export async function startCoturn(options: StartCoturnOptions = {}): Promise<CoturnServer> {
  const turnserver = findTurnserver();
  const listenIp = options.listenIp ?? '127.0.0.1';
  const realm = options.realm ?? 'workbench.test';
  if (options.authSecret !== undefined && options.users !== undefined) {
    // coturn checks REST credentials only once use-auth-secret is on; static users would be silently ignored.
    throw new TypeError('startCoturn: pass either `users` (long-term credentials) or `authSecret` (TURN REST credentials), not both.');
  }
  const users = options.authSecret !== undefined ? [] : (options.users ?? [{ name: 'workbench', password: randomBytes(9).toString('base64url') }]);

  const dir = makeTempDir('coturn');
  try {
    const port = await freeTcpUdpPort(listenIp);
    const relayPorts = await freeUdpPortRange(options.relayPortCount ?? 50, listenIp);
    const logPath = join(dir.path, 'turnserver.log');
    const configPath = join(dir.path, 'turnserver.conf');
    const lines = [
      `listening-ip=${listenIp}`,
      `relay-ip=${listenIp}`,
      `listening-port=${port}`,
      `min-port=${relayPorts.min}`,
      `max-port=${relayPorts.max}`,
      `realm=${realm}`,
      'fingerprint',
      // Tests relay between peers on the same machine; coturn refuses loopback peers unless told otherwise.
      'allow-loopback-peers',
      'no-multicast-peers',
      'no-cli',
      `log-file=${logPath}`,
      // The log goes to the file only. coturn writes every line to stdout as well by default, and
      // stdout is a pipe this process reads only while its event loop runs: a test or script that
      // waits in spawnSync (a loop of CLI runs) let ~64 KiB pile up, and coturn then blocked in
      // write() holding its log lock, so every thread stopped at its next log line and the server
      // answered nothing until the loop ended (issue 14: "Unreachable" from the 10th run on).
      'no-stdout-log',
      'simple-log',
      'verbose',
      `pidfile=${join(dir.path, 'turnserver.pid')}`,
      // A private user database, so the system one (/var/lib/turn) is neither read nor created.
      `userdb=${join(dir.path, 'turndb')}`,
    ];
    if (options.authSecret !== undefined) {
      lines.push('use-auth-secret', `static-auth-secret=${options.authSecret}`);
    } else {
      lines.push('lt-cred-mech', ...users.map((u) => `user=${u.name}:${u.password}`));
    }
    let tlsPort: number | undefined;
    if (options.tls) {
      tlsPort = await freeTcpUdpPort(listenIp);
      const certPath = join(dir.path, 'cert.pem');
      const keyPath = join(dir.path, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
      lines.push(`tls-listening-port=${tlsPort}`, `cert=${certPath}`, `pkey=${keyPath}`);
    } else {
      lines.push('no-tls', 'no-dtls');
    }
    lines.push(...(options.extraConfig ?? []));
    writeFileSync(configPath, `${lines.join('\n')}\n`);

    const proc = spawnManaged('turnserver', turnserver, ['-c', configPath]);
    await waitUntilReady(
      proc,
      async () => {
        await stunBinding(listenIp, port, { timeoutMs: 300 });
        return (await tcpAccepts(listenIp, port)) && (tlsPort === undefined || (await tcpAccepts(listenIp, tlsPort)));
      },
      options.startTimeoutMs ?? 10_000,
    );

    const host = urlHost(listenIp);
    return {
      stunUrl: `stun:${host}:${port}`,
      turnUdpUrl: `turn:${host}:${port}?transport=udp`,
      turnTcpUrl: `turn:${host}:${port}?transport=tcp`,
      ...(tlsPort !== undefined ? { turnsUrl: `turns:${host}:${tlsPort}?transport=tcp`, tlsPort } : {}),
      port,
      listenIp,
      realm,
      users,
      ...(options.authSecret !== undefined ? { authSecret: options.authSecret } : {}),
      relayPorts,
      configPath,
      logPath,
      log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : proc.output()),
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
