// Unit tests for SignalingClient against a real socket.io server on port 0 with a minimal in-test room handler.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { inChinese } from '../../test/in-chinese.js';
import { ErrorCode, WorkbenchError } from '../errors.js';
import { silentLogger } from '../logger.js';
import {
  SignalingErrorCode,
  validateRoomName,
  type ClientToServerEvents,
  type InterServerEvents,
  type JoinResult,
  type ServerToClientEvents,
  type SignalMessage,
  type SocketData,
} from './protocol.js';
import { SignalingClient } from './signaling-client.js';

type TestServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type TestSocket = ServerSocket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/**
 * A minimal room handler speaking the protocol, just enough to exercise the client: the real
 * signaling server lives in its own package and has its own tests.
 */
async function startServer(options: { answerJoins?: boolean; joinBehindAck?: string } = {}) {
  const http: HttpServer = createServer();
  const server: TestServer = new Server(http);
  const rooms = new Map<string, Set<string>>();
  const sockets = new Map<string, TestSocket>();
  const joins: string[] = [];
  /** The handshake `auth` of each connection, in order. */
  const auths: unknown[] = [];

  const leave = (socket: TestSocket) => {
    const room = socket.data.room;
    if (!room) return;
    socket.data.room = undefined;
    rooms.get(room)?.delete(socket.id);
    void socket.leave(room);
    socket.to(room).emit('bye', room, socket.id);
  };

  server.on('connection', (socket) => {
    sockets.set(socket.id, socket);
    auths.push(socket.handshake.auth);
    // Like the real server: a token only for a client that asked for one.
    const wantsToken = typeof (socket.handshake.auth as { resumeToken?: unknown }).resumeToken === 'string';
    socket.data.room = undefined;
    socket.on('create or join', (room, ack) => {
      joins.push(room);
      if (options.answerJoins === false) return;
      const name = validateRoomName(room);
      if (!name.ok) return ack?.(name);
      const members = rooms.get(room) ?? new Set<string>();
      if (members.size >= 2) {
        socket.emit('full', room);
        return ack?.({ ok: false, error: { code: SignalingErrorCode.RoomFull, message: `Room "${room}" is full.` } });
      }
      members.add(socket.id);
      rooms.set(room, members);
      void socket.join(room);
      socket.data.room = room;
      const role = members.size === 1 ? 'created' : 'joined';
      if (role === 'created') socket.emit('created', room, socket.id);
      else {
        socket.to(room).emit('join', room, socket.id);
        socket.emit('joined', room, socket.id);
      }
      const result: JoinResult = {
        ok: true,
        role,
        room,
        clientId: socket.id,
        polite: role === 'joined',
        peers: [...members].filter((id) => id !== socket.id),
        capacity: 2,
        ...(wantsToken ? { resumeToken: `${room}.${socket.id}.secret` } : {}),
      };
      ack?.(result);
      // Someone joining in the same instant: the same long-polling response carries both.
      if (options.joinBehindAck !== undefined) socket.emit('join', room, options.joinBehindAck);
      if (members.size === 2) server.to(room).emit('ready', room);
    });
    socket.on('message', (payload, ack) => {
      const room = socket.data.room;
      if (!room) return ack?.({ ok: false, error: { code: SignalingErrorCode.NotInRoom, message: 'Join a room first.' } });
      socket.to(room).emit('message', payload, socket.id);
      ack?.({ ok: true });
    });
    socket.on('bye', (_room, ack) => {
      leave(socket);
      ack?.({ ok: true });
    });
    socket.on('disconnect', () => {
      sockets.delete(socket.id);
      leave(socket);
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    server,
    rooms,
    sockets,
    joins,
    auths,
    close: () => new Promise<void>((resolve) => void server.close(() => resolve())),
  };
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(options?: { answerJoins?: boolean; joinBehindAck?: string }) {
  const server = await startServer(options);
  cleanup.push(server.close);
  const connect = (timeoutMs = 2000, transports: ('websocket' | 'polling')[] = ['websocket']) => {
    const client = SignalingClient.connect(server.url, {
      timeoutMs,
      logger: silentLogger,
      socket: { transports, reconnectionDelay: 20, reconnectionDelayMax: 50 },
    });
    cleanup.push(() => client.close());
    return client;
  };
  return { server, connect };
}

/** Resolves with the arguments of the next `event`. */
function next<
  E extends 'join' | 'ready' | 'full' | 'message' | 'bye' | 'created' | 'joined' | 'rejoined' | 'reconnect' | 'error' | 'connect' | 'server shutdown',
>(
  client: SignalingClient,
  event: E,
): Promise<unknown[]> {
  return new Promise((resolve) => {
    const listener = (...args: unknown[]) => resolve(args);
    client.once(event, listener as never);
  });
}

describe('SignalingClient against a real socket.io server', () => {
  it('joins: the first creates (impolite), the second joins (polite), both get ready', async () => {
    const { connect } = await setup();
    const first = connect();
    const second = connect();
    const created = next(first, 'created');
    const firstReady = next(first, 'ready');
    const secondReady = next(second, 'ready');

    const a = await first.join('demo');
    expect(a).toMatchObject({ ok: true, role: 'created', room: 'demo', polite: false, peers: [], capacity: 2 });
    expect(a.clientId).toBe(first.socket.id);
    expect(await created).toEqual(['demo', first.socket.id]);

    const joinSeen = next(first, 'join');
    const b = await second.join('demo');
    expect(b).toMatchObject({ role: 'joined', polite: true, peers: [a.clientId] });
    expect(await joinSeen).toEqual(['demo', b.clientId]);
    expect(await firstReady).toEqual(['demo']);
    expect(await secondReady).toEqual(['demo']);
    expect(first.room).toBe('demo');
    expect(second.polite).toBe(true);
    expect(second.clientId).toBe(b.clientId);
  });

  it("a 'ready' handler already sees room and polite (the server sends 'ready' right behind the ack)", async () => {
    const { connect } = await setup();
    const first = connect();
    const second = connect();
    await first.join('timing');
    const seen = new Promise<{ room: string | undefined; polite: boolean | undefined }>((resolve) =>
      second.on('ready', () => resolve({ room: second.room, polite: second.polite })),
    );
    void second.join('timing');
    expect(await seen).toEqual({ room: 'timing', polite: true });
  });

  it('rejects a third member with ROOM_FULL and emits full', async () => {
    const { connect } = await setup();
    await connect().join('pair');
    await connect().join('pair');
    const third = connect();
    const full = next(third, 'full');
    const error = await third.join('pair').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect(error).toMatchObject({ code: ErrorCode.RoomFull, message: 'Room "pair" is full.' });
    expect((error as WorkbenchError).explanation.fix).toMatch(/another room name/);
    expect(await full).toEqual(['pair']);
    expect(third.room).toBeUndefined();
  });

  it('rejects an invalid room name with INVALID_ROOM_NAME before asking the server', async () => {
    const { server, connect } = await setup();
    const client = connect();
    await expect(client.join('no spaces!')).rejects.toMatchObject({ code: ErrorCode.InvalidRoomName });
    expect(server.joins).toEqual([]);
  });

  it('relays messages to the room peer with the sender id, and acknowledges them', async () => {
    const { connect } = await setup();
    const first = connect();
    const second = connect();
    await first.join('chat');
    await second.join('chat');
    const received = next(second, 'message');
    const offer: SignalMessage = { type: 'offer', sdp: 'v=0\r\n' };
    await expect(first.send(offer)).resolves.toBeUndefined();
    expect(await received).toEqual([offer, first.clientId]);
  });

  it('refuses to send what the protocol does not allow, and reports NOT_IN_ROOM from the server', async () => {
    const { connect } = await setup();
    const client = connect();
    await expect(client.send({ type: 'bogus' } as unknown as SignalMessage)).rejects.toMatchObject({ code: ErrorCode.InvalidPayload });
    await expect(client.send('got user media')).rejects.toMatchObject({ code: ErrorCode.NotInRoom });
  });

  it('leave: the peer gets bye, and the room can be filled again', async () => {
    const { connect } = await setup();
    const first = connect();
    const second = connect();
    await first.join('r');
    const b = await second.join('r');
    const bye = next(first, 'bye');
    await second.leave();
    expect(await bye).toEqual(['r', b.clientId]);
    expect(second.room).toBeUndefined();
    await expect(connect().join('r')).resolves.toMatchObject({ role: 'joined' });
    await expect(second.leave()).resolves.toBeUndefined(); // not in a room: nothing to do
  });

  it('times out with SIGNALING_UNREACHABLE, naming the URL, when no server listens', async () => {
    const { server } = await setup();
    const url = server.url;
    await server.close();
    cleanup.length = 0;
    const client = SignalingClient.connect(url, { timeoutMs: 300, logger: silentLogger, socket: { transports: ['websocket'] } });
    cleanup.push(() => client.close());
    const connectErrors: WorkbenchError[] = [];
    client.on('connect_error', (e) => connectErrors.push(e));
    const error = (await client.join('demo').catch((e: unknown) => e)) as WorkbenchError;
    expect(error.code).toBe(ErrorCode.SignalingUnreachable);
    expect(error.message).toContain(url);
    expect(error.message).toContain('npm start');
    expect(connectErrors.length).toBeGreaterThan(0);
    expect(connectErrors[0]?.code).toBe(ErrorCode.SignalingUnreachable);
  });

  it('times out with SIGNALING_TIMEOUT when the server is connected but never answers', async () => {
    const { connect } = await setup({ answerJoins: false });
    const client = connect(200);
    await next(client, 'connect');
    await expect(client.join('demo')).rejects.toMatchObject({ code: ErrorCode.SignalingTimeout });
  });

  it('rejoins its room after socket.io reconnects, and the peer sees the new member', async () => {
    const { server, connect } = await setup();
    const first = connect();
    const second = connect();
    await first.join('sticky');
    const before = await second.join('sticky');

    const bye = next(first, 'bye');
    const reconnected = next(second, 'reconnect');
    const rejoined = next(second, 'rejoined');
    const joinAgain = next(first, 'join');
    // Drop the transport under the client, as a network blip would.
    server.sockets.get(before.clientId)?.conn.close();

    expect((await bye)[1]).toBe(before.clientId);
    expect((await reconnected)[0]).toBeGreaterThanOrEqual(1);
    const [result] = (await rejoined) as [{ clientId: string; role: string; room: string }];
    expect(result).toMatchObject({ room: 'sticky', role: 'joined' });
    expect(result.clientId).not.toBe(before.clientId);
    expect((await joinAgain)[1]).toBe(result.clientId);
    expect(second.clientId).toBe(result.clientId);
    expect(server.rooms.get('sticky')?.size).toBe(2);
    // Each side's list follows: the old id gone with its 'bye', the new one in with its 'join'.
    expect(first.peers).toEqual([result.clientId]);
    expect(second.peers).toEqual([first.clientId]);
  });

  it('peers: a peer that joins right behind the acknowledgement is known when join() resolves (one long-polling response)', async () => {
    const { connect } = await setup({ joinBehindAck: 'right-behind' });
    const client = connect(2000, ['polling']);
    const result = await client.join('instant');
    expect(result.peers).toEqual([]); // the acknowledgement predates it
    expect(client.peers).toEqual(['right-behind']);
    await client.leave();
    expect(client.peers).toEqual([]);
  });

  it('asks for a resume token on connect, presents the one its join ack carried, and forgets it on leave', async () => {
    const { server, connect } = await setup();
    const client = connect();
    const result = await client.join('token');
    expect(server.auths).toEqual([{ resumeToken: '' }]);
    expect(result.resumeToken).toBe(`token.${result.clientId}.secret`);
    expect(client.socket.auth).toEqual({ resumeToken: result.resumeToken });
    await client.leave();
    expect(client.socket.auth).toEqual({ resumeToken: '' });
  });

  it("keeps a caller's own auth, adding only the token", async () => {
    const { server } = await setup();
    const client = SignalingClient.connect(server.url, {
      logger: silentLogger,
      socket: { transports: ['websocket'], auth: { resumeToken: '', name: 'kiosk' } },
    });
    cleanup.push(() => client.close());
    const result = await client.join('own-auth');
    expect(server.auths).toEqual([{ resumeToken: '', name: 'kiosk' }]);
    expect(client.socket.auth).toEqual({ resumeToken: result.resumeToken, name: 'kiosk' });
  });

  it("forwards 'server shutdown' with whether the seat is held", async () => {
    const { server, connect } = await setup();
    const client = connect();
    await next(client, 'connect');
    const notice = next(client, 'server shutdown');
    server.sockets.get(client.socket.id ?? '')?.emit('server shutdown', { resumable: true });
    expect(await notice).toEqual([{ resumable: true }]);
  });

  it('forwards the server\'s signaling error event as a coded error', async () => {
    const { server, connect } = await setup();
    const client = connect();
    await next(client, 'connect');
    const error = next(client, 'error');
    server.sockets.get(client.socket.id ?? '')?.emit('signaling error', {
      code: SignalingErrorCode.RateLimited,
      message: 'Slow down.',
      event: 'message',
    });
    const [received] = (await error) as [WorkbenchError];
    expect(received.code).toBe(ErrorCode.RateLimited);
    expect(received.message).toBe('Slow down.');
  });

  it('after close(): disconnected, and every method throws INVALID_STATE', async () => {
    const { connect } = await setup();
    const client = connect();
    await client.join('bye-now');
    client.close();
    client.close();
    expect(client.closed).toBe(true);
    expect(client.connected).toBe(false);
    await expect(client.join('again')).rejects.toMatchObject({ code: ErrorCode.InvalidState });
    await expect(client.send('bye')).rejects.toMatchObject({ code: ErrorCode.InvalidState });
    await expect(client.leave()).rejects.toMatchObject({ code: ErrorCode.InvalidState });
  });
});

describe('SignalingClient.connect transports', () => {
  it('connects on WebSocket from the start unless told otherwise (no long-polling to upgrade from), and keeps a caller\'s own choice', async () => {
    const { server } = await setup();
    const plain = SignalingClient.connect(server.url, { timeoutMs: 2000, logger: silentLogger });
    cleanup.push(() => plain.close());
    await plain.join('transports');
    expect(plain.socket.io.engine.transport.name).toBe('websocket');
    expect(plain.socket.io.opts.transports).toEqual(['websocket', 'polling']);
    const polling = SignalingClient.connect(server.url, { timeoutMs: 2000, logger: silentLogger, socket: { transports: ['polling'] } });
    cleanup.push(() => polling.close());
    await polling.join('transports');
    expect(polling.socket.io.engine.transport.name).toBe('polling');
  });
});

describe('SignalingClient in Chinese', () => {
  inChinese();

  it('explains a bad room name in Chinese, naming the room, and logs the join in Chinese', async () => {
    const { server } = await setup();
    const lines: string[] = [];
    const push = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    const client = SignalingClient.connect(server.url, { timeoutMs: 2000, logger: { debug: push, info: push, warn: push, error: push } });
    cleanup.push(() => client.close());
    const refused = await client.join('no spaces!').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkbenchError);
    expect((refused as WorkbenchError).explanation).toMatchObject({
      code: ErrorCode.InvalidRoomName,
      title: '房间名无效',
      detail: '房间名 "no spaces!" 无效：房间名长 1–64 个字符，只能包含字母、数字、“-”或“_”。',
    });
    await client.join('chat');
    expect(lines).toContain('[signaling] 创建了房间“chat”，身份 ' + String(client.clientId) + '（不礼让方）');
  });
});
