import { connect } from 'node:net';

import { findRedisServer } from './executables.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, spawnManaged, waitUntilReady } from './processes.js';

/** A throwaway Redis on loopback: no persistence, its working dir removed by `stop()`. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Sends one RESP command over a raw socket and resolves with the raw reply line(s).
 * Enough to prove a server is a Redis and is up, without a client library.
 */
export function redisCommand(host: string, port: number, args: readonly string[], timeoutMs = 1000): Promise<string> {
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No Redis reply from ${host}:${port} within ${timeoutMs} ms.`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (!reply.endsWith('\r\n')) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    });
  });
}

/**
 * Starts `redis-server` on a free loopback port with persistence off and resolves once it answers
 * PING with PONG. Throws a HarnessError naming `apt-get install redis-server` when it is not installed.
 */
export async function startRedis(options: { startTimeoutMs?: number } = {}): Promise<RedisServer> {
  const executable = findRedisServer();
  const host = '127.0.0.1';
  const dir = makeTempDir('redis');
  try {
    const port = await freeTcpPort(host);
    const proc = spawnManaged('redis-server', executable, [
      '--port', String(port),
      '--bind', host,
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir.path,
      '--daemonize', 'no',
      // Log to stdout, which the harness keeps for error messages.
      '--logfile', '',
    ]);
    await waitUntilReady(proc, async () => (await redisCommand(host, port, ['PING'], 300)) === '+PONG\r\n', options.startTimeoutMs ?? 10_000);
    return {
      url: `redis://${host}:${port}`,
      host,
      port,
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
