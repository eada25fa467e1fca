/** Limits with coded errors: message and join rates, floods, unknown events, oversized frames, origins, and what /metrics counts. */
import { SignalingErrorCode } from '@workbench/core/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FLOOD_DISCONNECT_AFTER } from '../src/signaling.js';
import { connectClient, settle, startTestServer, until, waitForEvent, type RecordingClient, type TestServer } from './helpers.js';

let server: TestServer | undefined;
let clients: RecordingClient[] = [];

afterEach(async () => {
  for (const client of clients) client.socket.disconnect();
  clients = [];
  await server?.stop();
  server = undefined;
});

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  server = await startTestServer(options);
  return server;
}

async function client(url: string, options: Parameters<typeof connectClient>[1] = {}): Promise<RecordingClient> {
  const connected = await connectClient(url, options);
  clients.push(connected);
  return connected;
}

type Loose = { emit(event: string, ...args: unknown[]): void; timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };

async function metricsText(url: string): Promise<{ type: string | null; text: string }> {
  const response = await fetch(`${url}/metrics`);
  return { type: response.headers.get('content-type'), text: await response.text() };
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

describe('rate limits', () => {
  it('refuses messages over the rate with RATE_LIMITED and relays only those within it', async () => {
    const { url } = await start({ rateLimits: { messages: { burst: 5, perSecond: 1 } } });
    const [a, b] = [await client(url), await client(url)];
    await a.socket.timeout(5000).emitWithAck('create or join', 'rl');
    await b.socket.timeout(5000).emitWithAck('create or join', 'rl');

    const answers = [];
    for (let i = 0; i < 8; i += 1) answers.push(await a.socket.timeout(5000).emitWithAck('message', { type: 'text', text: `m${i}` }));
    expect(answers.slice(0, 5)).toEqual(Array(5).fill({ ok: true }));
    for (const refused of answers.slice(5)) {
      expect(refused).toMatchObject({ ok: false, error: { code: SignalingErrorCode.RateLimited, event: 'message' } });
      if (!refused.ok) expect(refused.error.message).toMatch(/at most 1 per second/);
    }
    // Without an ack the refusal arrives as an event.
    const notice = waitForEvent(a.socket, 'signaling error');
    a.socket.emit('message', { type: 'text', text: 'no ack' });
    expect(await notice).toEqual([expect.objectContaining({ code: SignalingErrorCode.RateLimited })]);

    await until(() => b.of('message').length >= 5, 5000, 'the five relayed messages');
    await settle();
    expect(b.of('message').map(([m]) => (m as { text: string }).text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    const { text } = await metricsText(url);
    expect(text).toContain('signaling_rejections_total{reason="rate_limited"} 4');
    expect(metric(text, 'signaling_relayed_messages_total')).toBe(5);
  });

  it('limits joins and leaves separately from messages', async () => {
    const { url } = await start({ rateLimits: { joins: { burst: 3, perSecond: 0.2 } } });
    const a = await client(url);
    expect(await a.socket.timeout(5000).emitWithAck('create or join', 'j1')).toMatchObject({ ok: true });
    expect(await a.socket.timeout(5000).emitWithAck('bye')).toEqual({ ok: true });
    expect(await a.socket.timeout(5000).emitWithAck('create or join', 'j2')).toMatchObject({ ok: true });
    expect(await a.socket.timeout(5000).emitWithAck('bye')).toMatchObject({ ok: false, error: { code: SignalingErrorCode.RateLimited, event: 'bye' } });
    // Messages still go: they have their own budget.
    expect(await a.socket.timeout(5000).emitWithAck('message', { type: 'text', text: 'x' })).toEqual({ ok: true });
    expect(server?.rooms.roomOf(a.socket.id ?? '')).toBe('j2');
  });

  it('disconnects a client that keeps sending after being refused, and keeps serving the others', async () => {
    const { url } = await start({ rateLimits: { messages: { burst: 10, perSecond: 1 } } });
    const [flooder, a, b] = [await client(url), await client(url), await client(url)];
    await a.socket.timeout(5000).emitWithAck('create or join', 'calm');
    await b.socket.timeout(5000).emitWithAck('create or join', 'calm');
    const gone = waitForEvent(flooder.socket, 'disconnect');
    for (let i = 0; i < 10 + FLOOD_DISCONNECT_AFTER + 50; i += 1) flooder.socket.emit('message', { type: 'text', text: 'spam' });
    expect((await gone)[0]).toBe('io server disconnect');
    // Errors to the flooder were themselves capped: far fewer notices than refused events.
    expect(flooder.of('signaling error').length).toBeLessThan(40);
    expect(flooder.of('signaling error').at(-1)?.[0]).toMatchObject({ code: SignalingErrorCode.RateLimited, message: expect.stringMatching(/^Disconnected/) });

    expect(await a.socket.timeout(5000).emitWithAck('message', { type: 'text', text: 'still fine' })).toEqual({ ok: true });
    await until(() => b.of('message').length === 1, 5000, 'relay');
    const { text } = await metricsText(url);
    expect(text).toContain('signaling_rejections_total{reason="flood_disconnect"} 1');
  });
});

describe('validation', () => {
  it('answers unknown events with INVALID_PAYLOAD and counts them', async () => {
    const { url } = await start();
    const a = await client(url);
    const raw = a.socket as unknown as Loose;
    expect(await raw.timeout(5000).emitWithAck('ipaddr')).toMatchObject({ ok: false, error: { code: SignalingErrorCode.InvalidPayload, message: expect.stringMatching(/Unknown event ipaddr/) } });
    const notice = waitForEvent(a.socket, 'signaling error');
    raw.emit('__proto__', { polluted: true });
    expect(await notice).toEqual([expect.objectContaining({ code: SignalingErrorCode.InvalidPayload })]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const { text } = await metricsText(url);
    expect(text).toContain('signaling_rejections_total{reason="unknown_event"} 2');
  });

  it('cuts a connection whose frame is far over the limit, and nobody else notices', async () => {
    const { url } = await start({ maxMessageBytes: 4096 });
    const [a, b, big] = [await client(url), await client(url), await client(url)];
    await a.socket.timeout(5000).emitWithAck('create or join', 'sz');
    await b.socket.timeout(5000).emitWithAck('create or join', 'sz');
    await big.socket.timeout(5000).emitWithAck('create or join', 'other');
    // Just over the message limit: a coded refusal. Far over (past the frame limit): socket.io hangs up.
    expect(await big.socket.timeout(5000).emitWithAck('message', { type: 'offer', sdp: 'x'.repeat(5000) })).toMatchObject({
      ok: false,
      error: { code: SignalingErrorCode.PayloadTooLarge },
    });
    const cut = waitForEvent(big.socket, 'disconnect');
    big.socket.emit('message', { type: 'offer', sdp: 'x'.repeat(200_000) });
    expect((await cut)[0]).toBe('transport close');
    expect(await a.socket.timeout(5000).emitWithAck('message', { type: 'text', text: 'ok' })).toEqual({ ok: true });
    await until(() => b.of('message').length === 1, 5000, 'relay');
  });
});

describe('origins', () => {
  it('accepts its own origin and localhost pages by default, refuses others and counts them', async () => {
    const { url } = await start();
    for (const origin of [url, 'http://localhost:5173', 'http://127.0.0.1:4000', 'http://[::1]:8080']) {
      const c = await client(url, { extraHeaders: { Origin: origin } });
      expect(c.socket.connected, origin).toBe(true);
    }
    for (const origin of ['http://evil.example', 'http://localhost.evil.example', 'null']) {
      await expect(connectClient(url, { extraHeaders: { Origin: origin } }), origin).rejects.toThrow();
    }
    const { text } = await metricsText(url);
    expect(text).toContain('signaling_rejections_total{reason="origin"} 3');
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text: clients, rooms, relayed messages, rejections by reason, relay latency', async () => {
    const { url } = await start();
    const [a, b, c] = [await client(url), await client(url), await client(url)];
    await a.socket.timeout(5000).emitWithAck('create or join', 'm');
    await b.socket.timeout(5000).emitWithAck('create or join', 'm');
    await c.socket.timeout(5000).emitWithAck('create or join', 'm');
    for (let i = 0; i < 3; i += 1) await a.socket.timeout(5000).emitWithAck('message', 'got user media');
    await c.socket.timeout(5000).emitWithAck('create or join', '../x');

    const { type, text } = await metricsText(url);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toContain('# TYPE signaling_relay_latency_seconds histogram');
    expect(metric(text, 'signaling_connected_clients')).toBe(3);
    expect(metric(text, 'signaling_rooms')).toBe(1);
    expect(metric(text, 'signaling_relayed_messages_total')).toBe(3);
    expect(metric(text, 'signaling_joins_total')).toBe(2);
    expect(metric(text, 'signaling_relay_latency_seconds_count')).toBe(3);
    expect(text).toContain('signaling_relay_latency_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('signaling_rejections_total{reason="room_full"} 1');
    expect(text).toContain('signaling_rejections_total{reason="invalid_room_name"} 1');
    // Every sample line is `name{labels} number`: what a Prometheus scraper accepts.
    for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{[a-z]+="[^"]*"\})? -?[0-9.e+-]+$/);
    }
  });
});
