/**
 * Copies of the codelab bundle socket.io-client 2.x (Engine.IO 3). These tests use that real old
 * client, over WebSocket and over long-polling, and check on the server that the connection really
 * negotiated protocol 3 rather than passing by accident.
 */
import ioV2, { type V2Socket } from 'socket.io-client-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, settle, startTestServer, until, waitForEvent, type RecordingClient, type TestServer } from './helpers.js';

let server: TestServer;
const opened: { close(): unknown }[] = [];

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.close();
  await server.stop();
});

interface V2Client {
  socket: V2Socket;
  events: { event: string; args: unknown[] }[];
  of(name: string): unknown[][];
}

const SERVER_EVENTS = ['created', 'joined', 'join', 'full', 'ready', 'message', 'bye', 'log', 'signaling error'];

async function connectV2(transports: string[]): Promise<V2Client> {
  const socket = ioV2(server.url, { forceNew: true, reconnection: false, transports });
  opened.push(socket);
  const events: V2Client['events'] = [];
  // 2.x has no onAny.
  for (const event of SERVER_EVENTS) socket.on(event, (...args: unknown[]) => events.push({ event, args }));
  await waitForEvent(socket as never, 'connect');
  return { socket, events, of: (name) => events.filter((e) => e.event === name).map((e) => e.args) };
}

function engineProtocolOf(id: string): number | undefined {
  return server.io.of('/').sockets.get(id)?.conn.protocol;
}

describe.each([['websocket'], ['polling']])('socket.io-client 2.x over %s', (transport) => {
  it('connects with Engine.IO 3 and makes a room with a v4 client, relaying both ways', async () => {
    const old = await connectV2([transport]);
    expect(old.socket.io.engine.transport.name).toBe(transport);
    expect(engineProtocolOf(old.socket.id)).toBe(3);

    // Codelab style: no ack, just events.
    old.socket.emit('create or join', 'foo');
    expect(await waitForEvent(old.socket as never, 'created')).toEqual(['foo', old.socket.id]);

    const modern: RecordingClient = await connectClient(server.url);
    opened.push(modern.socket);
    expect(engineProtocolOf(modern.socket.id ?? '')).toBe(4);
    const joined = await modern.socket.timeout(5000).emitWithAck('create or join', 'foo');
    expect(joined).toMatchObject({ ok: true, role: 'joined', peers: [old.socket.id] });
    await until(() => old.of('join').length > 0 && old.of('ready').length > 0 && modern.of('ready').length > 0, 5000, 'join and ready on both');
    await settle(400);
    expect(old.of('join')).toEqual([['foo', modern.socket.id]]);
    expect(old.of('ready')).toEqual([['foo']]);
    expect(modern.of('ready')).toEqual([['foo']]);

    const offer = { type: 'offer', sdp: 'v=0\r\n' };
    old.socket.emit('message', offer);
    modern.socket.emit('message', { type: 'answer', sdp: 'v=0\r\n' });
    await until(() => modern.of('message').length > 0 && old.of('message').length > 0, 5000, 'the offer and the answer');
    await settle(400);
    expect(modern.of('message')).toEqual([[offer, old.socket.id]]);
    expect(old.of('message')).toEqual([[{ type: 'answer', sdp: 'v=0\r\n' }, modern.socket.id]]);

    // 2.x clients can use acks too.
    const ack = await new Promise((resolve) => old.socket.emit('message', { type: 'nope' }, resolve));
    expect(ack).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });

    const bye = waitForEvent(modern.socket, 'bye');
    const oldId = old.socket.id;
    old.socket.close();
    expect(await bye).toEqual(['foo', oldId]);
  });
});
