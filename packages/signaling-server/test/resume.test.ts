/**
 * Reconnect grace on one process: a client that connected with `auth: { resumeToken }` and drops
 * briefly gets its seat, role and id back instead of finding its room "full" of its own ghost
 * (the retired apprtc server's bug); codelab clients without a token are unaffected. Also the
 * graceful shutdown clients see.
 */
import type { JoinResult } from '@workbench/core/protocol';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, settle, startTestServer, until, waitForEvent, type Client, type RecordingClient, type TestServer } from './helpers.js';

let server: TestServer | undefined;
let clients: RecordingClient[] = [];

afterEach(async () => {
  for (const client of clients) client.socket.disconnect();
  clients = [];
  await server?.stop();
  server = undefined;
});

async function client(url: string, options: Parameters<typeof connectClient>[1] = {}): Promise<RecordingClient> {
  const connected = await connectClient(url, options);
  clients.push(connected);
  return connected;
}

type JoinWithToken = JoinResult & { resumeToken?: string };

function join(c: { socket: Client }, room: string): Promise<JoinWithToken> {
  return c.socket.timeout(5000).emitWithAck('create or join', room);
}

describe('reconnect grace', () => {
  it('hands a resume token only to clients that asked for one', async () => {
    server = await startTestServer();
    const codelab = await client(server.url);
    const modern = await client(server.url, { auth: { resumeToken: '' } });
    expect(await join(codelab, 'tok')).not.toHaveProperty('resumeToken');
    expect(await join(modern, 'tok')).toMatchObject({ resumeToken: expect.stringMatching(/^tok\.[\w-]+\.[\w-]{16,}$/) });
  });

  it('lets socket.io-client reconnect into the same seat, role and id after a network blip; the peer sees no bye', async () => {
    server = await startTestServer({ reconnectGraceMs: 5000 });
    const a = await client(server.url);
    await join(a, 'blip');
    // A real client with automatic reconnection, as a page would run it.
    const socket: Client = io(server.url, { forceNew: true, transports: ['websocket'], reconnectionDelay: 50, auth: { resumeToken: '' } });
    clients.push({ socket, events: [], of: () => [] });
    await waitForEvent(socket, 'connect');
    const first = await join({ socket }, 'blip');
    if (!first.ok || first.resumeToken === undefined) throw new Error('no token');
    expect(first).toMatchObject({ role: 'joined', polite: true });
    socket.auth = { resumeToken: first.resumeToken };

    const reconnected = waitForEvent(socket.io, 'reconnect');
    socket.io.engine.close(); // the transport dies; socket.io-client reconnects by itself
    await reconnected;
    expect(socket.id).not.toBe(first.clientId);
    const again = await join({ socket }, 'blip');
    expect(again).toEqual({ ...first, resumeToken: first.resumeToken });

    const received = waitForEvent(a.socket, 'message');
    socket.emit('message', { type: 'text', text: 'back' });
    expect(await received).toEqual([{ type: 'text', text: 'back' }, first.clientId]);
    await settle();
    expect(a.of('bye')).toEqual([]);
    expect(a.of('join')).toEqual([['blip', first.clientId]]);
    expect(a.of('ready')).toHaveLength(1);
    expect(server.metrics.resumedSessions).toBe(1);
    socket.disconnect();
  });

  it('frees the seat, with bye, once the grace period passes without the client', async () => {
    server = await startTestServer({ reconnectGraceMs: 400 });
    const [a, b] = [await client(server.url), await client(server.url, { auth: { resumeToken: '' } })];
    await join(a, 'gone');
    const bJoin = await join(b, 'gone');
    const droppedAt = Date.now();
    b.socket.io.engine.close();
    const bye = await waitForEvent(a.socket, 'bye', 5000);
    expect(bye).toEqual(['gone', bJoin.ok ? bJoin.clientId : '']);
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(350);

    // Too late: the token no longer opens the seat, and the newcomer is a new member.
    const late = await client(server.url, { auth: { resumeToken: bJoin.ok ? (bJoin.resumeToken ?? '') : '' } });
    await until(() => late.of('log').some(([lines]) => String(lines).includes('Could not resume')), 5000, 'refusal');
    expect(await join(late, 'gone')).toMatchObject({ ok: true, role: 'joined', clientId: late.socket.id });
  });

  it('does not hold seats of clients without a token (codelab pages), nor of clients that leave on purpose', async () => {
    server = await startTestServer({ reconnectGraceMs: 10_000 });
    const [a, b, c] = [await client(server.url), await client(server.url), await client(server.url, { auth: { resumeToken: '' } })];
    await join(a, 'plain');
    await join(b, 'plain');
    const bye = waitForEvent(a.socket, 'bye', 2000);
    b.socket.io.engine.close();
    expect((await bye)[0]).toBe('plain');

    await join(c, 'plain');
    const byeAgain = waitForEvent(a.socket, 'bye', 2000);
    c.socket.disconnect();
    expect((await byeAgain)[0]).toBe('plain');
  });

  it('ignores a forged token: the seat stays with its owner', async () => {
    server = await startTestServer({ reconnectGraceMs: 5000 });
    const owner = await client(server.url, { auth: { resumeToken: '' } });
    const result = await join(owner, 'mine');
    if (!result.ok) throw new Error('join failed');
    const forged = `mine.${result.clientId}.${'A'.repeat(22)}`;
    const thief = await client(server.url, { auth: { resumeToken: forged } });
    await until(() => thief.of('log').some(([lines]) => String(lines).includes('Could not resume')), 5000, 'refusal');
    expect(owner.socket.connected).toBe(true);
    expect(server.rooms.members('mine').map((m) => m.clientId)).toEqual([result.clientId]);
  });
});

describe('graceful shutdown', () => {
  it('tells connected clients, frees their seats, refuses new sockets and finishes well within 5 s', async () => {
    server = await startTestServer();
    const [a, b] = [await client(server.url), await client(server.url)];
    await join(a, 'closing');
    await join(b, 'closing');
    const notices = [waitForEvent(a.socket, 'server shutdown'), waitForEvent(b.socket, 'server shutdown')];
    const startedAt = Date.now();
    const closing = server.close();
    expect(await Promise.all(notices)).toEqual([[{ resumable: false }], [{ resumable: false }]]);
    await expect(connectClient(server.url)).rejects.toThrow();
    await closing;
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(server.rooms.roomCount).toBe(0);
    expect(a.of('log').flat(2)).toContain('The server is shutting down; reconnect in a moment.');
  });
});
