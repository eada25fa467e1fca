import { SignalingErrorCode, type JoinResult } from '@workbench/core/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, settle, startTestServer, until, waitForEvent, type RecordingClient, type TestServer } from './helpers.js';

let server: TestServer;
let clients: RecordingClient[];

beforeEach(async () => {
  server = await startTestServer();
  clients = [];
});

afterEach(async () => {
  for (const client of clients) client.socket.disconnect();
  await server.stop();
});

async function client(): Promise<RecordingClient> {
  const connected = await connectClient(server.url);
  clients.push(connected);
  return connected;
}

function join(c: RecordingClient, room: unknown): Promise<JoinResult> {
  return c.socket.timeout(5000).emitWithAck('create or join', room as string);
}

/** Event names in arrival order, without the codelab-style log lines. */
function sequence(c: RecordingClient): string[] {
  return c.events.filter((e) => e.event !== 'log').map((e) => e.event);
}

describe('create or join', () => {
  it('answers created, then joined (polite), tells the first member about the join, and sends ready once to each', async () => {
    const a = await client();
    const b = await client();

    const first = await join(a, 'foo');
    expect(first).toEqual({ ok: true, role: 'created', room: 'foo', clientId: a.socket.id, polite: false, peers: [], capacity: 2 });
    const second = await join(b, 'foo');
    expect(second).toEqual({ ok: true, role: 'joined', room: 'foo', clientId: b.socket.id, polite: true, peers: [a.socket.id], capacity: 2 });
    await until(() => sequence(a).length >= 3 && sequence(b).length >= 2, 5000, 'created, join and ready');
    await settle();

    expect(sequence(a)).toEqual(['created', 'join', 'ready']);
    expect(sequence(b)).toEqual(['joined', 'ready']);
    expect(a.of('created')).toEqual([['foo', a.socket.id]]);
    expect(a.of('join')).toEqual([['foo', b.socket.id]]);
    expect(b.of('joined')).toEqual([['foo', b.socket.id]]);
    expect(a.of('ready')).toEqual([['foo']]);
    expect(b.of('ready')).toEqual([['foo']]);
    expect(a.of('log')).toContainEqual([['Received request to create or join room foo']]);
  });

  it('turns a third client away with full and ROOM_FULL, and nobody gets ready again', async () => {
    const [a, b, c] = [await client(), await client(), await client()];
    await join(a, 'foo');
    await join(b, 'foo');
    const third = await join(c, 'foo');
    expect(third).toMatchObject({ ok: false, error: { code: SignalingErrorCode.RoomFull } });
    await until(() => c.of('full').length > 0 && a.of('ready').length > 0 && b.of('ready').length > 0, 5000, 'full and ready');
    await settle();
    expect(c.of('full')).toEqual([['foo']]);
    expect(c.of('ready')).toEqual([]);
    expect(a.of('ready')).toHaveLength(1);
    expect(b.of('ready')).toHaveLength(1);
    expect(a.of('join')).toHaveLength(1);
  });

  it('does not send ready to other rooms', async () => {
    const [a, b, c] = [await client(), await client(), await client()];
    await join(c, 'other');
    await join(a, 'foo');
    await join(b, 'foo');
    await settle();
    expect(c.of('ready')).toEqual([]);
    expect(c.of('join')).toEqual([]);
  });

  it('is idempotent for the same room and refuses another room with ALREADY_IN_ROOM', async () => {
    const [a, b] = [await client(), await client()];
    await join(a, 'foo');
    await join(b, 'foo');
    expect(await join(b, 'foo')).toMatchObject({ ok: true, role: 'joined', polite: true, peers: [a.socket.id] });
    expect(await join(a, 'foo')).toMatchObject({ ok: true, role: 'created', polite: false, peers: [b.socket.id] });
    expect(await join(a, 'bar')).toMatchObject({ ok: false, error: { code: SignalingErrorCode.AlreadyInRoom } });
    await until(() => a.of('ready').length > 0 && b.of('ready').length > 0, 5000, 'ready on both');
    await settle();
    expect(a.of('join')).toHaveLength(1);
    expect(a.of('ready')).toHaveLength(1);
    expect(b.of('ready')).toHaveLength(1);
    expect(server.rooms.roomOf(a.socket.id ?? '')).toBe('foo');
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['path climbing', '../x'],
    ['an object', { room: 'foo' }],
    ['a number', 7],
  ])('refuses %s as a room name with INVALID_ROOM_NAME', async (_label, name) => {
    const a = await client();
    const result = await join(a, name);
    expect(result).toMatchObject({ ok: false, error: { code: SignalingErrorCode.InvalidRoomName } });
    if (!result.ok) expect(result.error.message).toContain('1–64 characters');

    // Without an ack the same refusal arrives as an event.
    const error = waitForEvent(a.socket, 'signaling error');
    a.socket.emit('create or join', name as string);
    expect(await error).toEqual([expect.objectContaining({ code: SignalingErrorCode.InvalidRoomName })]);
    expect(server.rooms.clientCount).toBe(0);
  });
});

describe('message relay', () => {
  it('relays only to the other member of the sender’s room, with the sender’s id', async () => {
    const [a, b, c, d] = [await client(), await client(), await client(), await client()];
    await join(a, 'foo');
    await join(b, 'foo');
    await join(c, 'bar');
    await join(d, 'bar');

    const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };
    expect(await a.socket.timeout(5000).emitWithAck('message', offer)).toEqual({ ok: true });
    await until(() => b.of('message').length > 0, 5000, 'the relayed offer');
    await settle();
    expect(b.of('message')).toEqual([[offer, a.socket.id]]);
    expect(a.of('message')).toEqual([]);
    expect(c.of('message')).toEqual([]);
    expect(d.of('message')).toEqual([]);
  });

  it('works for codelab clients that pass no ack: string messages and label/id candidates', async () => {
    const [a, b] = [await client(), await client()];
    a.socket.emit('create or join', 'foo');
    await waitForEvent(a.socket, 'created');
    b.socket.emit('create or join', 'foo');
    await waitForEvent(b.socket, 'ready');

    const candidate = { type: 'candidate' as const, label: 0, id: '0', candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host' };
    a.socket.emit('message', 'got user media');
    a.socket.emit('message', candidate);
    b.socket.emit('message', 'bye');
    await until(() => b.of('message').length >= 2 && a.of('message').length >= 1, 5000, 'the relayed messages');
    await settle();
    expect(b.of('message')).toEqual([
      ['got user media', a.socket.id],
      [candidate, a.socket.id],
    ]);
    expect(a.of('message')).toEqual([['bye', b.socket.id]]);
    expect(a.of('signaling error')).toEqual([]);
  });

  it('rejects bad payloads without relaying them, while another room carries on', async () => {
    const [a, b, c, d] = [await client(), await client(), await client(), await client()];
    await join(a, 'foo');
    await join(b, 'foo');
    await join(c, 'bar');
    await join(d, 'bar');

    const bad: unknown[] = [{ type: 'offer' }, { type: 'offer', sdp: 42 }, { type: 'evil' }, 'hello', 17, null, ['x'], { type: 'text', text: 'x'.repeat(5000) }];
    for (const payload of bad) {
      const result = await a.socket.timeout(5000).emitWithAck('message', payload as 'bye');
      expect(result).toMatchObject({ ok: false, error: { code: SignalingErrorCode.InvalidPayload } });
      c.socket.emit('message', { type: 'text', text: 'still here' });
    }
    const tooBig = await a.socket.timeout(5000).emitWithAck('message', { type: 'offer', sdp: 'x'.repeat(70_000) });
    expect(tooBig).toMatchObject({ ok: false, error: { code: SignalingErrorCode.PayloadTooLarge } });

    const noAck = waitForEvent(a.socket, 'signaling error');
    a.socket.emit('message', { type: 'answer' } as never);
    expect(await noAck).toEqual([expect.objectContaining({ code: SignalingErrorCode.InvalidPayload, event: 'message' })]);

    await until(() => d.of('message').length === bad.length, 5000, 'messages in the other room');
    await settle();
    expect(b.of('message')).toEqual([]);
    expect(d.of('message')).toHaveLength(bad.length);
    expect(a.socket.connected).toBe(true);
  });

  it('cannot reach a client by naming a room after its socket id', async () => {
    const [victim, peer, attacker] = [await client(), await client(), await client()];
    await join(victim, 'foo');
    await join(peer, 'foo');
    // Socket ids match the room-name rule, and socket.io puts every socket in a room named by its id.
    expect(await join(attacker, victim.socket.id)).toMatchObject({ ok: true, role: 'created' });
    attacker.socket.emit('message', { type: 'offer', sdp: 'v=0\r\n' });
    await until(() => victim.of('join').length > 0, 5000, "the peer's join");
    await settle();
    expect(victim.of('message')).toEqual([]);
    expect(victim.of('join')).toEqual([['foo', peer.socket.id]]);
  });

  it('refuses a message from a client in no room with NOT_IN_ROOM', async () => {
    const [a, b] = [await client(), await client()];
    await join(b, 'foo');
    const result = await a.socket.timeout(5000).emitWithAck('message', 'got user media');
    expect(result).toMatchObject({ ok: false, error: { code: SignalingErrorCode.NotInRoom } });
    await settle();
    expect(b.of('message')).toEqual([]);
  });

  it('survives hostile argument shapes: a non-function ack, extra arguments, unknown events', async () => {
    const [a, b] = [await client(), await client()];
    const raw = a.socket as unknown as { emit(event: string, ...args: unknown[]): void };
    raw.emit('create or join', 'foo', 42, { extra: true });
    await waitForEvent(a.socket, 'created');
    raw.emit('message', { type: 'text', text: 'hi' }, 'not a function', 3);
    raw.emit('bye', { room: 'foo' }, 5);
    raw.emit('ipaddr');
    raw.emit('no such event', 1, 2, 3);
    raw.emit('create or join');
    raw.emit('message');
    await settle();
    await join(b, 'foo');
    await until(() => a.of('ready').length > 0 && b.of('ready').length > 0, 5000, 'ready on both');
    await settle();
    expect(a.socket.connected).toBe(true);
    expect(a.of('ready')).toHaveLength(1);
    expect(b.of('ready')).toHaveLength(1);
    // The wrong-room bye above was refused: a is still in the room.
    expect(server.rooms.roomOf(a.socket.id ?? '')).toBe('foo');
    expect(a.events.some((e) => e.event === 'ipaddr')).toBe(false);
  });

  it('keeps 200 rooms of two strictly apart', async () => {
    // 400 clients from one address: past the default per-address caps, which have their own tests.
    await server.stop();
    const many = { burst: 10_000, perSecond: 10_000 };
    server = await startTestServer({ addressLimits: { connections: 10_000, handshakes: many, joins: many } });
    const roomCount = 200;
    const pairs: [RecordingClient, RecordingClient][] = [];
    for (let i = 0; i < roomCount; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, async () => [await client(), await client()] as [RecordingClient, RecordingClient]),
      );
      pairs.push(...batch);
    }
    await Promise.all(
      pairs.map(async ([a, b], i) => {
        await join(a, `room-${i}`);
        await join(b, `room-${i}`);
      }),
    );
    for (const [i, [a, b]] of pairs.entries()) {
      a.socket.emit('message', { type: 'text', text: `room-${i} from a` });
      b.socket.emit('message', { type: 'text', text: `room-${i} from b` });
    }
    const total = () => pairs.reduce((n, [a, b]) => n + a.of('message').length + b.of('message').length, 0);
    await until(() => total() >= roomCount * 2, 20_000, 'all relayed messages');
    await settle(500);

    expect(total()).toBe(roomCount * 2);
    for (const [i, [a, b]] of pairs.entries()) {
      expect(a.of('message')).toEqual([[{ type: 'text', text: `room-${i} from b` }, b.socket.id]]);
      expect(b.of('message')).toEqual([[{ type: 'text', text: `room-${i} from a` }, a.socket.id]]);
      expect(a.of('ready')).toEqual([[`room-${i}`]]);
      expect(b.of('ready')).toEqual([[`room-${i}`]]);
      expect(a.of('join')).toEqual([[`room-${i}`, b.socket.id]]);
    }
    expect(server.rooms.roomCount).toBe(roomCount);
  }, 60_000);
});

describe('leaving', () => {
  it('tells the other member bye and lets a new peer fill the room, with ready again', async () => {
    const [a, b, c] = [await client(), await client(), await client()];
    await join(a, 'foo');
    await join(b, 'foo');
    const bye = waitForEvent(a.socket, 'bye');
    expect(await b.socket.timeout(5000).emitWithAck('bye', 'foo')).toEqual({ ok: true });
    expect(await bye).toEqual(['foo', b.socket.id]);

    const rejoin = await join(c, 'foo');
    expect(rejoin).toMatchObject({ ok: true, role: 'joined', polite: true, peers: [a.socket.id] });
    await until(() => a.of('ready').length >= 2 && c.of('ready').length > 0, 5000, 'ready again');
    await settle();
    expect(a.of('ready')).toEqual([['foo'], ['foo']]);
    expect(c.of('ready')).toEqual([['foo']]);
    expect(b.of('ready')).toEqual([['foo']]);
    expect(b.of('bye')).toEqual([]);

    // The one who left may join elsewhere, and hears nothing more from foo.
    expect(await join(b, 'bar')).toMatchObject({ ok: true, role: 'created' });
    a.socket.emit('message', 'got user media');
    await until(() => c.of('message').length > 0, 5000, 'the message to the new peer');
    await settle();
    expect(b.of('message')).toEqual([]);
    expect(c.of('message')).toEqual([['got user media', a.socket.id]]);
  });

  it('treats a disconnect like bye: the peer hears it and the seat is free', async () => {
    const [a, b] = [await client(), await client()];
    await join(a, 'foo');
    await join(b, 'foo');
    const bye = waitForEvent(a.socket, 'bye');
    const bId = b.socket.id;
    b.socket.disconnect();
    expect(await bye).toEqual(['foo', bId]);

    const c = await client();
    expect(await join(c, 'foo')).toMatchObject({ ok: true, role: 'joined' });
    await until(() => a.of('ready').length === 2, 5000, 'second ready');
    await settle();
    expect(a.of('ready')).toHaveLength(2);
    expect(c.of('ready')).toHaveLength(1);
  });

  it('gives a polite survivor an impolite new partner after the creator leaves', async () => {
    const [a, b] = [await client(), await client()];
    await join(a, 'foo');
    await join(b, 'foo');
    a.socket.disconnect();
    await waitForEvent(b.socket, 'bye');
    const c = await client();
    expect(await join(c, 'foo')).toMatchObject({ ok: true, role: 'joined', polite: false, peers: [b.socket.id] });
  });

  it('refuses bye outside a room or naming another room with NOT_IN_ROOM', async () => {
    const [a, b] = [await client(), await client()];
    expect(await a.socket.timeout(5000).emitWithAck('bye')).toMatchObject({ ok: false, error: { code: SignalingErrorCode.NotInRoom } });
    await join(a, 'foo');
    await join(b, 'foo');
    expect(await a.socket.timeout(5000).emitWithAck('bye', 'bar')).toMatchObject({ ok: false, error: { code: SignalingErrorCode.NotInRoom } });
    await settle();
    expect(b.of('bye')).toEqual([]);
    expect(await a.socket.timeout(5000).emitWithAck('bye')).toEqual({ ok: true });
  });
});

describe('origins', () => {
  it('refuses a socket opened by a page of another origin, accepts its own', async () => {
    await expect(connectClient(server.url, { extraHeaders: { Origin: 'http://evil.example' } })).rejects.toThrow();
    const own = await connectClient(server.url, { extraHeaders: { Origin: server.url } });
    clients.push(own);
    expect(own.socket.connected).toBe(true);
  });

  it('accepts a configured extra origin', async () => {
    await server.stop();
    server = await startTestServer({ allowedOrigins: ['http://localhost:5173'] });
    const dev = await connectClient(server.url, { extraHeaders: { Origin: 'http://localhost:5173' } });
    clients.push(dev);
    expect(dev.socket.connected).toBe(true);
  });
});

describe('health', () => {
  it('counts rooms and connected clients', async () => {
    const [a, b] = [await client(), await client()];
    await join(a, 'foo');
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, rooms: 1, clients: 2 });
    expect(typeof health.uptimeSeconds).toBe('number');
    b.socket.disconnect();
  });
});
