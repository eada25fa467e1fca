/**
 * core's SignalingClient against this server: the resume token it asks for on connect brings a
 * dropped client back into the same seat, so its peer's call never hears a 'bye'; when the token
 * cannot be used (grace over, or a codelab-style client that asked for none) it joins again.
 * Here rather than in core because core must not depend on the server package.
 */
import { silentLogger } from '@workbench/core/logger';
import type { JoinResult } from '@workbench/core/protocol';
import { SignalingClient, type JoinSuccess, type SignalingClientEvents } from '@workbench/core/signaling-client';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, settle, startTestServer, until, waitForEvent, type Client, type TestServer } from './helpers.js';

let server: TestServer | undefined;
const opened: { close(): void }[] = [];

afterEach(async () => {
  for (const client of opened.splice(0)) client.close();
  await server?.stop();
  server = undefined;
});

const QUICK_RECONNECT = { transports: ['websocket'], reconnectionDelay: 20, reconnectionDelayMax: 50 };

/** A SignalingClient as the pages make one, recording what it emits. */
function connect(url: string, socket: Record<string, unknown> = QUICK_RECONNECT) {
  const client = SignalingClient.connect(url, { logger: silentLogger, timeoutMs: 3000, socket });
  opened.push(client);
  return record(client);
}

function record(client: SignalingClient) {
  const events: { event: string; args: unknown[] }[] = [];
  const names: (keyof SignalingClientEvents)[] = ['created', 'joined', 'join', 'ready', 'bye', 'message', 'resumed', 'rejoined', 'reconnect', 'error', 'server shutdown'];
  for (const event of names) client.on(event, ((...args: unknown[]) => events.push({ event, args })) as never);
  return { client, of: (name: keyof SignalingClientEvents) => events.filter((e) => e.event === name).map((e) => e.args) };
}

function nextEvent<E extends keyof SignalingClientEvents>(client: SignalingClient, event: E, timeoutMs = 5000): Promise<Parameters<SignalingClientEvents[E]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    client.once(event, ((...args: Parameters<SignalingClientEvents[E]>) => {
      clearTimeout(timer);
      resolve(args);
    }) as SignalingClientEvents[E]);
  });
}

describe('SignalingClient resuming its seat on this server', () => {
  it('reconnects into the same seat after the transport dies: same clientId and polite, and the peer sees no bye', async () => {
    server = await startTestServer({ reconnectGraceMs: 5000 });
    const a = connect(server.url);
    const b = connect(server.url);
    const first = await a.client.join('blip');
    const before = await b.client.join('blip');
    expect(before).toMatchObject({ role: 'joined', polite: true, resumeToken: expect.stringMatching(/^blip\./) });
    expect(b.client.socket.auth).toEqual({ resumeToken: before.resumeToken });

    const resumed = nextEvent(b.client, 'resumed');
    b.client.socket.io.engine.close(); // a network blip: socket.io-client reconnects by itself
    const [result] = await resumed;

    expect(b.client.socket.id).not.toBe(before.clientId);
    expect(result).toEqual(before);
    expect(b.client.clientId).toBe(before.clientId);
    expect(b.client.polite).toBe(true);
    expect(b.client.room).toBe('blip');
    expect(server.metrics.resumedSessions).toBe(1);

    // The seat works under the old id both ways.
    const atA = nextEvent(a.client, 'message');
    await b.client.send({ type: 'text', text: 'back' });
    expect(await atA).toEqual([{ type: 'text', text: 'back' }, before.clientId]);
    const atB = nextEvent(b.client, 'message');
    await a.client.send({ type: 'text', text: 'welcome back' });
    expect(await atB).toEqual([{ type: 'text', text: 'welcome back' }, first.clientId]);

    await settle();
    expect(a.of('bye')).toEqual([]);
    expect(a.of('join')).toEqual([['blip', before.clientId]]);
    expect(a.of('ready')).toHaveLength(1);
    // The confirming join is a repeat: the page hears neither a second 'joined' nor a rejoin.
    expect(b.of('joined')).toEqual([['blip', before.clientId]]);
    expect(b.of('rejoined')).toEqual([]);
    expect(b.of('reconnect')).toHaveLength(1);
    expect(server.rooms.members('blip').map((m) => m.clientId)).toEqual([first.clientId, before.clientId]);
  });

  it('joins again under a new id when the grace period is over before it reconnects', async () => {
    server = await startTestServer({ reconnectGraceMs: 150 });
    const a = connect(server.url);
    const b = connect(server.url, { transports: ['websocket'], reconnectionDelay: 800, reconnectionDelayMax: 800, randomizationFactor: 0 });
    await a.client.join('late');
    const before = await b.client.join('late');

    const bye = nextEvent(a.client, 'bye');
    const rejoined = nextEvent(b.client, 'rejoined');
    b.client.socket.io.engine.close();
    expect(await bye).toEqual(['late', before.clientId]);
    const [result] = await rejoined;

    expect(result.clientId).not.toBe(before.clientId);
    expect(result).toMatchObject({ room: 'late', role: 'joined', polite: true, resumeToken: expect.stringMatching(/^late\./) });
    expect(result.resumeToken).not.toBe(before.resumeToken);
    expect(b.client.socket.auth).toEqual({ resumeToken: result.resumeToken });
    await until(() => a.of('join').length === 2, 5000, "the peer's second 'join'");
    expect(a.of('join')[1]).toEqual(['late', result.clientId]);
    expect(b.of('resumed')).toEqual([]);
    expect(server.rooms.members('late')).toHaveLength(2);
  });

  it('works with a codelab-style client beside it: no auth, no ack, no token, and its seat is freed when it drops', async () => {
    server = await startTestServer({ reconnectGraceMs: 5000 });
    const modern = connect(server.url);
    await modern.client.join('mixed');

    const codelab = await connectClient(server.url); // io() with no auth, as the codelab's page
    opened.push({ close: () => codelab.socket.disconnect() });
    const ready = waitForEvent(codelab.socket, 'ready');
    codelab.socket.emit('create or join', 'mixed');
    await ready;
    expect(codelab.of('joined')).toEqual([['mixed', codelab.socket.id]]);

    const atModern = nextEvent(modern.client, 'message');
    codelab.socket.emit('message', 'got user media');
    expect(await atModern).toEqual(['got user media', codelab.socket.id]);
    const atCodelab = waitForEvent(codelab.socket, 'message');
    await modern.client.send({ type: 'offer', sdp: 'v=0\r\n' });
    expect(await atCodelab).toEqual([{ type: 'offer', sdp: 'v=0\r\n' }, modern.client.clientId]);

    // Asked for no token: dropping ends its seat at once, grace or not.
    const codelabId = codelab.socket.id;
    const bye = nextEvent(modern.client, 'bye');
    codelab.socket.io.engine.close();
    expect(await bye).toEqual(['mixed', codelabId]);
  });

  it('a SignalingClient on a socket without auth gets no token and rejoins after a reconnect', async () => {
    server = await startTestServer({ reconnectGraceMs: 5000 });
    const a = connect(server.url);
    const socket: Client = io(server.url, { forceNew: true, ...QUICK_RECONNECT });
    const b = record(new SignalingClient(socket, { logger: silentLogger, timeoutMs: 3000 }));
    opened.push(b.client);
    await a.client.join('plain');
    const before: JoinResult = await b.client.join('plain');
    expect(before).not.toHaveProperty('resumeToken');

    const bye = nextEvent(a.client, 'bye');
    const rejoined = nextEvent(b.client, 'rejoined');
    socket.io.engine.close();
    expect((await bye)[1]).toBe(before.ok ? before.clientId : '');
    const [result]: [JoinSuccess] = await rejoined;
    expect(result.clientId).not.toBe(before.ok ? before.clientId : '');
    expect(result).not.toHaveProperty('resumeToken');
    expect(b.of('resumed')).toEqual([]);
  });

  it("forwards 'server shutdown', saying whether the seat is held for the reconnect", async () => {
    server = await startTestServer({ reconnectGraceMs: 5000 });
    const resumable = connect(server.url);
    const socket: Client = io(server.url, { forceNew: true, transports: ['websocket'], reconnection: false });
    const plain = record(new SignalingClient(socket, { logger: silentLogger }));
    opened.push(plain.client);
    await resumable.client.join('closing');
    await plain.client.join('closing');

    const notices = [nextEvent(resumable.client, 'server shutdown'), nextEvent(plain.client, 'server shutdown')];
    resumable.client.socket.io.reconnection(false); // the server is not coming back in this test
    await server.stop();
    server = undefined;
    expect(await Promise.all(notices)).toEqual([[{ resumable: true }], [{ resumable: false }]]);
  });
});
