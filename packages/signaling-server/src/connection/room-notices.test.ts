// Room notices on their own, delivered to real socket.io clients: each member hears about each peer
// once whatever order the notices come in, a join still being decided keeps what arrives meanwhile,
// and a notice from another process is checked before it is believed.
import type { RoomNotice } from '@workbench/core/protocol';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, settle, until, type RecordingClient } from '../../test/helpers.js';
import { ClientSession, type LocalMember, type SignalingServer, type SignalingSocket } from './client-session.js';
import { applyNotice, parseRoomNotice, RoomNotices } from './room-notices.js';

const httpServer = createServer();
const io: SignalingServer = new Server(httpServer);
let url = '';
const clients: RecordingClient[] = [];

beforeAll(async () => {
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const client of clients) client.socket.disconnect();
  await io.close();
});

/** A real client and the server's socket for it, as a member of `room` who knows `peers`. */
async function member(room: string | undefined, peers: string[] = []): Promise<{ member: LocalMember; client: RecordingClient }> {
  const accepted = new Promise<SignalingSocket>((resolve) => io.once('connection', resolve));
  const client = await connectClient(url);
  clients.push(client);
  const socket = await accepted;
  const session = new ClientSession(socket.id, false);
  session.room = room;
  session.knownPeers = new Set(peers);
  return { member: { socket, session }, client };
}

const join = (memberId: string, filled = false): RoomNotice => ({ kind: 'join', room: 'r', memberId, filled });
const bye = (memberId: string): RoomNotice => ({ kind: 'bye', room: 'r', memberId });

describe('room notices', () => {
  it("tells a member about a peer's join once, with ready when it filled the room, and its bye once", async () => {
    const { member: a, client } = await member('r');
    applyNotice(a, join('b', true));
    // Heard again through another process: no second 'join', no second 'ready'.
    applyNotice(a, join('b', true));
    applyNotice(a, bye('b'));
    applyNotice(a, bye('b'));
    await until(() => client.of('bye').length > 0, 5000, 'the bye');
    await settle(100);
    expect(client.events.map(({ event, args }) => [event, ...args])).toEqual([
      ['join', 'r', 'b'],
      ['ready', 'r'],
      ['bye', 'r', 'b'],
    ]);
    expect(a.session.knownPeers.size).toBe(0);
  });

  it('tells nobody about themselves, about a peer they never knew leaving, or about another room', async () => {
    const { member: a, client } = await member('r');
    applyNotice(a, join(a.session.memberId, true));
    applyNotice(a, bye('never-met'));
    applyNotice(a, { kind: 'join', room: 'elsewhere', memberId: 'c', filled: true });
    const { member: gone, client: goneClient } = await member(undefined, ['b']);
    applyNotice(gone, bye('b'));
    await settle(200);
    expect(client.events).toEqual([]);
    expect(goneClient.events).toEqual([]);
  });

  it("delivers to this process's members of the room, keeps notices for a join being decided, and shares each announcement", async () => {
    const shared: RoomNotice[] = [];
    const rooms = new RoomNotices((notice) => shared.push(notice));
    const { member: a, client: aClient } = await member('r');
    const { member: joining } = await member(undefined);
    rooms.add('r', a);
    const waiting = rooms.startPending('r', joining);

    rooms.announce(join('b', true));
    rooms.deliver(bye('b')); // from another process: delivered here, not shared again
    expect(shared).toEqual([join('b', true)]);
    expect(waiting.notices).toEqual([join('b', true), bye('b')]);
    await until(() => aClient.of('bye').length > 0, 5000, 'the bye');
    expect(aClient.events.map(({ event }) => event)).toEqual(['join', 'ready', 'bye']);

    rooms.stopPending('r', waiting);
    rooms.deliver(join('c'));
    expect(waiting.notices).toHaveLength(2);
    rooms.remove('r', a);
    expect(rooms.members('r').size).toBe(0);
  });

  it('believes a notice from another process only when it has the right shape', () => {
    expect(parseRoomNotice({ kind: 'join', room: 'r', memberId: 'b', filled: true, extra: 1 })).toEqual(join('b', true));
    expect(parseRoomNotice({ kind: 'join', room: 'r', memberId: 'b', filled: 'yes' })).toEqual(join('b', false));
    expect(parseRoomNotice({ kind: 'bye', room: 'r', memberId: 'b' })).toEqual(bye('b'));
    for (const bad of [null, 'bye', { kind: 'bye', room: 'r' }, { kind: 'bye', room: 1, memberId: 'b' }, { kind: 'kick', room: 'r', memberId: 'b' }]) {
      expect(parseRoomNotice(bad)).toBeUndefined();
    }
  });
});
