/**
 * --trust-proxy against the real server: behind a reverse proxy every client arrives from the
 * proxy's address, so without it one client could exhaust everyone's per-address caps. Here
 * 127.0.0.1 plays the proxy (it adds X-Forwarded-For) and 127.0.0.2 a client that writes the
 * header itself, which must not buy it a fresh budget.
 */
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';

import { startTestServer, type Client, type TestServer } from './helpers.js';

let server: TestServer | undefined;
const sockets: Client[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.disconnect();
  await server?.stop();
  server = undefined;
});

/** A socket from `localAddress` carrying `forwardedFor` as X-Forwarded-For, as a proxy (or a forger) sends it. */
function connect(url: string, localAddress: string, forwardedFor?: string): Promise<{ connected: boolean }> {
  const socket: Client = io(url, {
    forceNew: true,
    reconnection: false,
    transports: ['websocket'],
    localAddress,
    ...(forwardedFor !== undefined ? { extraHeaders: { 'X-Forwarded-For': forwardedFor } } : {}),
  } as Parameters<typeof io>[1]);
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ connected: true }));
    socket.once('connect_error', () => resolve({ connected: false }));
  });
}

const TWO_CONNECTIONS = { connections: 2 };

describe('--trust-proxy', () => {
  it('caps connections per client behind the proxy, not per proxy', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'], addressLimits: TWO_CONNECTIONS });
    const { url } = server;
    expect((await connect(url, '127.0.0.1', '198.51.100.1')).connected).toBe(true);
    expect((await connect(url, '127.0.0.1', '198.51.100.1')).connected).toBe(true);
    expect((await connect(url, '127.0.0.1', '198.51.100.1')).connected).toBe(false);
    expect(server.metrics.rejected('address_connections')).toBe(1);
    // Another client through the same proxy has its own budget.
    expect((await connect(url, '127.0.0.1', '198.51.100.2')).connected).toBe(true);
    expect((await connect(url, '127.0.0.1', '198.51.100.2')).connected).toBe(true);
  });

  it('ignores X-Forwarded-For from a connection that is not a trusted proxy', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'], addressLimits: TWO_CONNECTIONS });
    const { url } = server;
    // Each forged header names someone new; the cap still counts 127.0.0.2.
    expect((await connect(url, '127.0.0.2', '198.51.100.11')).connected).toBe(true);
    expect((await connect(url, '127.0.0.2', '198.51.100.12')).connected).toBe(true);
    expect((await connect(url, '127.0.0.2', '198.51.100.13')).connected).toBe(false);
  });

  it('without the flag, the header counts for nothing, even from loopback', async () => {
    server = await startTestServer({ addressLimits: TWO_CONNECTIONS });
    const { url } = server;
    expect((await connect(url, '127.0.0.1', '198.51.100.21')).connected).toBe(true);
    expect((await connect(url, '127.0.0.1', '198.51.100.22')).connected).toBe(true);
    expect((await connect(url, '127.0.0.1', '198.51.100.23')).connected).toBe(false);
  });

  it('answers /metrics without a token to this machine only, judged by the forwarded client', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'] });
    const { url } = server;
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    // A proxy on this machine forwarding a remote client must not open /metrics to it.
    expect((await fetch(`${url}/metrics`, { headers: { 'X-Forwarded-For': '198.51.100.1' } })).status).toBe(403);
    expect((await fetch(`${url}/metrics`, { headers: { 'X-Forwarded-For': '127.0.0.1' } })).status).toBe(200);
  });

  it('rate-limits /api/ice-servers per forwarded client', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'], addressLimits: { iceServers: { burst: 2, perSecond: 0.001 } } });
    const ask = (client: string) => fetch(`${server?.url}/api/ice-servers`, { headers: { 'X-Forwarded-For': client } }).then((r) => r.status);
    expect([await ask('198.51.100.31'), await ask('198.51.100.31'), await ask('198.51.100.31')]).toEqual([200, 200, 429]);
    expect(await ask('198.51.100.32')).toBe(200);
  });
});
