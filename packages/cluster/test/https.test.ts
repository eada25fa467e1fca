/**
 * `--https`: TLS ends at nginx, with the self-signed certificate the server makes for `npm start --
 * --https`; the processes behind it speak plain HTTP. Pages, /healthz and secure WebSockets work
 * through it, and members on different addresses still share a room.
 */
import { makeTempDir } from '@workbench/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { httpGet, startCluster, type Cluster } from '../src/cluster.js';
import { connectFrom, join, until, type Connection } from './clients.js';

const certs = makeTempDir('cluster-certs');
let cluster: Cluster;
let connections: Connection[] = [];

beforeAll(async () => {
  cluster = await startCluster({ processes: 2, https: true, certDir: certs.path, serverArgs: ['--no-default-stun', '--log-level', 'warn'] });
});
afterEach(() => {
  for (const c of connections) c.socket.disconnect();
  connections = [];
});
afterAll(async () => {
  await cluster?.stop();
  certs.remove();
});

describe('npm run cluster -- --https', () => {
  it('serves the pages and /healthz over TLS, and refuses a client that does not trust the certificate', async () => {
    expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = cluster.nginx.ca;
    expect((await httpGet(`${cluster.url}/healthz`, { ca })).status).toBe(200);
    const page = await httpGet(`${cluster.url}/call/`, { ca });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<!doctype html>');
    await expect(httpGet(`${cluster.url}/healthz`)).rejects.toThrow(/self-signed|certificate/i);
  });

  it('relays between two members over wss://', async () => {
    const [a, b] = await Promise.all(['127.0.4.1', '127.0.4.2'].map((address) => connectFrom(cluster.url, address, { ca: cluster.nginx.ca })));
    connections.push(a!, b!);
    expect([a!.error, b!.error]).toEqual([undefined, undefined]);
    expect(a!.socket.io.engine.transport.name).toBe('websocket');
    expect(await join(a!.socket, 'tls')).toMatchObject({ ok: true, role: 'created' });
    expect(await join(b!.socket, 'tls')).toMatchObject({ ok: true, role: 'joined' });
    a!.socket.emit('message', { type: 'text', text: 'over TLS' });
    await until(() => b!.received.length === 1, 10_000, 'the message');
    expect(b!.received).toEqual([['over TLS', a!.socket.id]]);
  });
});
