/**
 * Issue 18's transport and HTTP findings, each replayed as the attack against the real server:
 * JSONP past the Origin check, DNS rebinding, one address opening sockets or joining without end,
 * paced floods, open /metrics and TURN credentials, oversize and binary frames, and pages without
 * a CSP. Two sources are two loopback addresses (127.0.0.2 and 127.0.0.3: Linux routes all of
 * 127/8 to lo), bound as the client's local address, since loopback is not exempt from the caps.
 */
import { SignalingErrorCode } from '@workbench/core/protocol';
import { request, type IncomingHttpHeaders } from 'node:http';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { sourceAddress } from '../src/address-limits.js';
import { createRequestHandler } from '../src/http-handler.js';
import { createLogger } from '../src/logger.js';
import { connectClient, settle, startTestServer, until, waitForEvent, type Client, type RecordingClient, type TestServer } from './helpers.js';

let server: TestServer | undefined;
let clients: Client[] = [];

afterEach(async () => {
  for (const socket of clients) socket.disconnect();
  clients = [];
  await server?.stop();
  server = undefined;
});

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  server = await startTestServer(options);
  return server;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request, exactly as given (Host included), from `localAddress`. */
function raw(
  url: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawResponse> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers, localAddress: init.localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A WebSocket client from `localAddress`; resolves connected or with the refusal. */
function socketFrom(url: string, localAddress: string): Promise<{ socket: Client; connected: boolean; error?: string }> {
  const socket: Client = io(url, { forceNew: true, reconnection: false, transports: ['websocket'], localAddress } as Parameters<typeof io>[1]);
  clients.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, connected: true }));
    socket.once('connect_error', (error) => resolve({ socket, connected: false, error: error.message }));
  });
}

const MANY = { burst: 100_000, perSecond: 100_000 };

describe('finding 1: the Origin check covers every engine.io request, and JSONP is refused', () => {
  it('refuses a JSONP handshake, and POSTs from a foreign Origin on a session opened without one', async () => {
    const { url } = await start();
    const jsonp = await raw(url, '/socket.io/?EIO=4&transport=polling&j=0');
    expect(jsonp.status).toBe(403);
    expect(jsonp.body).not.toContain('___eio');
    expect(jsonp.body).toMatch(/JSONP/);

    // A <script> GET carries no Origin, so the handshake itself gets through...
    const handshake = await raw(url, '/socket.io/?EIO=4&transport=polling');
    expect(handshake.status).toBe(200);
    const sid = /"sid":"([^"]+)"/.exec(handshake.body)?.[1];
    expect(sid).toBeDefined();
    // ...but a no-cors POST from the attacker's page carries its Origin, and is refused.
    const evil = { Origin: 'https://evil.example', 'Content-Type': 'text/plain;charset=UTF-8' };
    const connect = await raw(url, `/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', headers: evil, body: '40' });
    expect(connect.status).toBe(403);
    const join = await raw(url, `/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', headers: evil, body: '42["create or join","R"]' });
    expect(join.status).toBe(403);
    expect(server?.rooms.roomCount).toBe(0);
  });
});

describe('finding 2: DNS rebinding (Host checked on pages, /api/ice-servers and socket.io)', () => {
  it('refuses Host: rebind.example everywhere and accepts localhost, its addresses and --public-host names', async () => {
    const { url, port } = await start({ publicHosts: ['workbench.example.org'] });
    const rebind = { Host: `rebind.example:${port}`, Origin: `http://rebind.example:${port}` };
    for (const path of ['/', '/api/ice-servers', '/socket.io/?EIO=4&transport=polling', '/healthz']) {
      const response = await raw(url, path, { headers: rebind });
      expect(response.status, path).toBe(421);
      expect(response.body, path).toMatch(/--public-host rebind\.example/);
    }
    const upgrade = await socketFrom(`http://127.0.0.1:${port}`, '127.0.0.1');
    expect(upgrade.connected).toBe(true);
    const rebound: Client = io(url, { forceNew: true, reconnection: false, transports: ['websocket'], extraHeaders: rebind });
    clients.push(rebound);
    const refusal = await new Promise<string>((resolve) => {
      rebound.once('connect', () => resolve('connected'));
      rebound.once('connect_error', (error) => resolve(error.message));
    });
    expect(refusal).not.toBe('connected');

    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `workbench.example.org:${port}`, `WORKBENCH.example.org`]) {
      expect((await raw(url, '/', { headers: { Host: host } })).status, host).toBe(200);
    }
  });
});

describe('finding 6: limits per source address', () => {
  it('caps concurrent connections per address: a second address is not affected', async () => {
    const { url } = await start({ addressLimits: { connections: 12, handshakes: MANY } });
    const results = [];
    for (let i = 0; i < 20; i += 1) results.push(await socketFrom(url, '127.0.0.2'));
    expect(results.filter((r) => r.connected)).toHaveLength(12);
    expect(server?.metrics.rejected('address_connections')).toBe(8);
    expect((await socketFrom(url, '127.0.0.3')).connected).toBe(true);
    // Closing one frees its place.
    results[0]?.socket.disconnect();
    await until(() => server?.io.engine.clientsCount === 12, 5000, 'the closed connection to be gone');
    expect((await socketFrom(url, '127.0.0.2')).connected).toBe(true);
  });

  it('caps new connections per second per address, by default too', async () => {
    const { url } = await start();
    const attempts = await Promise.all(Array.from({ length: 90 }, () => socketFrom(url, '127.0.0.2')));
    const accepted = attempts.filter((r) => r.connected).length;
    // The default burst is 50 at 10/s; 90 at once cannot all get in.
    expect(accepted).toBeGreaterThanOrEqual(50);
    expect(accepted).toBeLessThan(90);
    expect(server?.metrics.rejected('address_handshakes')).toBe(90 - accepted);
    expect((await socketFrom(url, '127.0.0.3')).connected).toBe(true);
  });

  it('keeps the join limit when the client reconnects for each join', async () => {
    const joins = { burst: 15, perSecond: 2 };
    const { url } = await start({ addressLimits: { handshakes: MANY, joins } });
    const startedAt = Date.now();
    let admitted = 0;
    let refused: unknown;
    for (let i = 0; i < 40; i += 1) {
      const { socket } = await socketFrom(url, '127.0.0.2');
      const answer = (await socket.timeout(5000).emitWithAck('create or join', `hop-${i}`)) as { ok: boolean };
      if (answer.ok) admitted += 1;
      else refused = answer;
      socket.disconnect();
    }
    const seconds = (Date.now() - startedAt) / 1000;
    expect(admitted).toBeLessThanOrEqual(joins.burst + Math.ceil(seconds * joins.perSecond) + 1);
    expect(admitted).toBeLessThan(40);
    expect(refused).toMatchObject({ ok: false, error: { code: SignalingErrorCode.RateLimited, message: expect.stringMatching(/from your address/) } });
    // Another address joins as usual.
    const other = await socketFrom(url, '127.0.0.3');
    expect(await other.socket.timeout(5000).emitWithAck('create or join', 'elsewhere')).toMatchObject({ ok: true });
  });

  it('disconnects a steady flood that lets an event through now and then', async () => {
    const { url } = await start();
    const flooder = await connectClient(url);
    const peer = await connectClient(url);
    clients.push(flooder.socket, peer.socket);
    await flooder.socket.timeout(5000).emitWithAck('create or join', 'flood');
    await peer.socket.timeout(5000).emitWithAck('create or join', 'flood');
    // 20 every 50 ms: about 400/s against the 100/s limit. Under the old rule ("refusals in a row",
    // reset by each event the bucket let through) this was never cut off.
    const disconnected = new Promise<void>((resolve) => flooder.socket.once('disconnect', () => resolve()));
    const deadline = Date.now() + 15_000;
    let cut = false;
    void disconnected.then(() => (cut = true));
    while (!cut && Date.now() < deadline) {
      for (let i = 0; i < 20; i += 1) flooder.socket.emit('message', { type: 'text', text: `f${i}` });
      await settle(50);
    }
    expect(cut).toBe(true);
    expect(flooder.of('signaling error').some(([e]) => /Disconnected/.test((e as { message: string }).message))).toBe(true);
    // The peer, sending at a pace within the limit, stays.
    expect(peer.socket.connected).toBe(true);
  });
});

describe('finding 7: /metrics and /api/ice-servers', () => {
  it('answers /metrics only with the token when one is set', async () => {
    const token = 'abcdefghijklmnop0123';
    const { url } = await start({ metricsToken: token });
    expect((await raw(url, '/metrics')).status).toBe(401);
    expect((await raw(url, '/metrics', { headers: { Authorization: 'Bearer wrong-token-123456' } })).status).toBe(401);
    const ok = await raw(url, '/metrics', { headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('signaling_connected_clients');
  });

  it('without a token, answers /metrics to this machine only', async () => {
    const handler = createRequestHandler({
      sites: [],
      health: () => ({ ok: true, rooms: 0, clients: 0, uptimeSeconds: 0 }),
      iceServers: () => ({ iceServers: [] }),
      metrics: () => 'signaling_rooms 0\n',
      clientAddress: sourceAddress,
      logger: createLogger('silent', 'test'),
    });
    const ask = (remoteAddress: string) =>
      new Promise<number>((resolve) => {
        const res = {
          statusCode: 0,
          headers: {} as Record<string, unknown>,
          setHeader(name: string, value: unknown) {
            this.headers[name] = value;
          },
          writeHead(status: number) {
            this.statusCode = status;
            return this;
          },
          end() {
            resolve(this.statusCode);
          },
          headersSent: false,
        };
        handler({ method: 'GET', url: '/metrics', headers: {}, socket: { remoteAddress } } as never, res as never);
      });
    expect(await ask('127.0.0.1')).toBe(200);
    expect(await ask('::ffff:127.0.0.5')).toBe(200);
    expect(await ask('::1')).toBe(200);
    expect(await ask('192.168.1.20')).toBe(403);
    expect(await ask('::ffff:10.0.0.7')).toBe(403);
  });

  it('rate-limits /api/ice-servers per address, so TURN credentials cannot be minted in bulk', async () => {
    const { url } = await start({
      iceServers: { turn: { urls: ['turn:127.0.0.1:3478'], secret: 'shared-secret' } },
      addressLimits: { iceServers: { burst: 5, perSecond: 1 } },
    });
    const statuses = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await raw(url, '/api/ice-servers', { localAddress: '127.0.0.2' })).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(7);
    expect(statuses.at(-1)).toBe(429);
    const limited = await raw(url, '/api/ice-servers', { localAddress: '127.0.0.2' });
    expect(JSON.parse(limited.body)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect((await raw(url, '/api/ice-servers', { localAddress: '127.0.0.3' })).status).toBe(200);
  });
});

describe('finding 8: oversize, deeply nested and binary messages get coded errors', () => {
  async function pair(url: string): Promise<[RecordingClient, RecordingClient]> {
    const a = await connectClient(url);
    const b = await connectClient(url);
    clients.push(a.socket, b.socket);
    await a.socket.timeout(5000).emitWithAck('create or join', 'big');
    await b.socket.timeout(5000).emitWithAck('create or join', 'big');
    return [a, b];
  }

  for (const megabytes of [1, 10]) {
    it(`answers a ${megabytes} MB message with PAYLOAD_TOO_LARGE and its size before the socket closes`, async () => {
      const { url } = await start();
      const [a] = await pair(url);
      const error = waitForEvent(a.socket, 'signaling error', 15_000);
      a.socket.emit('message', { type: 'text', text: 'x'.repeat(megabytes * 1024 * 1024) });
      const [payload] = (await error) as [{ code: string; message: string }];
      expect(payload.code).toBe(SignalingErrorCode.PayloadTooLarge);
      // The frame's size: the text plus the event's JSON around it.
      const size = Number(/Message of (\d+) bytes/.exec(payload.message)?.[1]);
      expect(size).toBeGreaterThan(megabytes * 1024 * 1024);
      expect(size).toBeLessThan(megabytes * 1024 * 1024 + 100);
      expect(payload.message).toContain('65536-byte limit');
    });
  }

  it('measures a 40 KB nested array instead of calling it Infinity bytes', async () => {
    const { url } = await start({ maxMessageBytes: 16 * 1024 });
    const [a] = await pair(url);
    const nested = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const error = waitForEvent(a.socket, 'signaling error', 10_000);
    // Written as a raw socket.io packet: the client's own JSON.stringify would overflow on it.
    a.socket.io.engine.write(`2["message",${nested}]`);
    const [payload] = (await error) as [{ code: string; message: string }];
    expect(payload.message).not.toMatch(/Infinity/);
    expect(payload).toMatchObject({ code: SignalingErrorCode.PayloadTooLarge });
    expect(payload.message).toContain('Message of 40000 bytes is larger than the 16384-byte limit');
  });

  it('refuses a packet announcing binary attachments at the parser, before any is buffered', async () => {
    const { url } = await start();
    const [a, b] = await pair(url);
    const error = waitForEvent(a.socket, 'signaling error', 10_000);
    const closed = waitForEvent(a.socket, 'disconnect', 10_000);
    a.socket.io.engine.write('51-["message",{"_placeholder":true,"num":0}]');
    expect(await error).toEqual([expect.objectContaining({ code: SignalingErrorCode.InvalidPayload, message: expect.stringMatching(/binary/) })]);
    await closed;
    // A socket.io client sending a Buffer is refused the same way.
    const c = await connectClient(url);
    clients.push(c.socket);
    const cClosed = waitForEvent(c.socket, 'disconnect', 10_000);
    (c.socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit('message', Buffer.alloc(128 * 1024));
    await cClosed;
    await until(() => server?.metrics.rejected('binary_packet') === 2, 5000, 'both refusals counted').catch(() => {});
    await settle(100);
    expect(b.of('message')).toEqual([]);
    expect(server?.metrics.rejected('binary_packet')).toBe(2);
  });
});

describe('finding 8: security headers', () => {
  it('sends a Content-Security-Policy with every page, and headers with socket.io.js', async () => {
    const { url } = await start();
    const page = await raw(url, '/');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const missing = await raw(url, '/no/such/page/');
    expect(missing.headers['content-security-policy']).toBeDefined();
    const client = await raw(url, '/socket.io/socket.io.js');
    expect(client.status).toBe(200);
    expect(client.headers['x-content-type-options']).toBe('nosniff');
    expect(client.headers['content-security-policy']).toBeDefined();
  });
});
