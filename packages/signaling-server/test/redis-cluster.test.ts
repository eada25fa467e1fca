/**
 * Three real server processes (`node dist/cli.js --redis-url …`) on one real redis-server: the relay
 * crosses processes, capacity holds under 500 concurrent joins, a client resumes its seat on
 * another process, a Redis restart is survived, and `kill -9` of a process frees its seats (its
 * peers hear 'bye') within the seat TTL.
 */
import type { JoinResult } from '@workbench/core/protocol';
import { findRedisServer, makeTempDir, redisCommand, spawnManaged, startRedis, waitUntilReady, type ManagedProcess, type RedisServer } from '@workbench/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, waitForLog, type ServerProcess } from './cluster.js';
import { connectClient, settle, until, waitForEvent, type RecordingClient } from './helpers.js';

const SEAT_TTL_MS = 3000;
const PREFIX = 'workbench:';

let redis: RedisServer;
let restartedRedis: { proc: ManagedProcess; remove(): void } | undefined;
let inspector: Redis;
let servers: ServerProcess[];
let clients: RecordingClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  inspector = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  inspector.on('error', () => {});
  servers = await Promise.all(
    [0, 1, 2].map(() => startServerProcess(redis.url, ['--seat-ttl', String(SEAT_TTL_MS), '--reconnect-grace', '5000'])),
  );
}, 60_000);

afterEach(() => {
  for (const client of clients) client.socket.disconnect();
  clients = [];
});

afterAll(async () => {
  await Promise.all((servers ?? []).map((server) => server.proc.stop(2000)));
  inspector?.disconnect();
  if (restartedRedis !== undefined) {
    await restartedRedis.proc.stop();
    restartedRedis.remove();
  }
  await redis?.stop();
}, 30_000);

async function client(server: ServerProcess, options: Parameters<typeof connectClient>[1] = {}): Promise<RecordingClient> {
  const connected = await connectClient(server.url, options);
  clients.push(connected);
  return connected;
}

function join(c: RecordingClient, room: string): Promise<JoinResult & { resumeToken?: string }> {
  return c.socket.timeout(10_000).emitWithAck('create or join', room);
}

function texts(c: RecordingClient): string[] {
  return c.of('message').map(([payload]) => (payload as { text: string }).text);
}

describe('three processes sharing rooms through Redis', () => {
  it('relays between members on different processes, in order, and to nobody else', async () => {
    const pairs: [RecordingClient, RecordingClient][] = [];
    for (let i = 0; i < 30; i += 1) pairs.push([await client(servers[i % 3]!), await client(servers[(i + 1) % 3]!)]);
    for (const [i, [a, b]] of pairs.entries()) {
      expect(await join(a, `relay-${i}`)).toMatchObject({ ok: true, role: 'created' });
      expect(await join(b, `relay-${i}`)).toMatchObject({ ok: true, role: 'joined', polite: true, peers: [a.socket.id] });
    }
    for (const [i, [a, b]] of pairs.entries()) {
      for (let k = 0; k < 10; k += 1) {
        a.socket.emit('message', { type: 'text', text: `${i}:a:${k}` });
        b.socket.emit('message', { type: 'text', text: `${i}:b:${k}` });
      }
    }
    const total = () => pairs.reduce((n, [a, b]) => n + a.of('message').length + b.of('message').length, 0);
    await until(() => total() >= 600, 20_000, 'every relayed message');
    await settle(300);
    expect(total()).toBe(600);
    for (const [i, [a, b]] of pairs.entries()) {
      expect(texts(b)).toEqual(Array.from({ length: 10 }, (_, k) => `${i}:a:${k}`));
      expect(texts(a)).toEqual(Array.from({ length: 10 }, (_, k) => `${i}:b:${k}`));
      expect(b.of('message').every(([, from]) => from === a.socket.id)).toBe(true);
      expect(a.of('ready')).toEqual([[`relay-${i}`]]);
      expect(b.of('ready')).toEqual([[`relay-${i}`]]);
      expect(a.of('join')).toEqual([[`relay-${i}`, b.socket.id]]);
    }
  }, 60_000);

  it('gives a client that reconnects to another process its seat, role and id back, without a bye', async () => {
    const a = await client(servers[0]!, { auth: { resumeToken: '' } });
    const b = await client(servers[1]!);
    const first = await join(a, 'resume-x');
    expect(first).toMatchObject({ ok: true, role: 'created', resumeToken: expect.stringMatching(/^resume-x\./) });
    await join(b, 'resume-x');
    const memberId = a.socket.id;

    // A network blip: the connection dies without a goodbye, and the client comes back elsewhere
    // once its first process has noticed and is holding the seat.
    a.socket.io.engine.close();
    await waitForLog(servers[0]!, (r) => r.event === 'hold' && r.client === memberId, 10_000);
    const back = await client(servers[2]!, { auth: { resumeToken: first.ok ? first.resumeToken : '' } });
    await until(() => back.of('log').some(([lines]) => String(lines).includes('Resumed seat')), 10_000, 'resumed');
    const again = await join(back, 'resume-x');
    expect(again).toMatchObject({ ok: true, role: 'created', polite: false, clientId: memberId, peers: [b.socket.id] });

    b.socket.emit('message', { type: 'text', text: 'to the resumed one' });
    back.socket.emit('message', { type: 'text', text: 'from the resumed one' });
    await until(() => back.of('message').length === 1 && b.of('message').length === 1, 10_000, 'relay after resume');
    expect(b.of('message')).toEqual([[{ type: 'text', text: 'from the resumed one' }, memberId]]);
    expect(b.of('bye')).toEqual([]);

    // Leaving on purpose ends it at once, under the id the peer knows.
    const bye = waitForEvent(b.socket, 'bye');
    back.socket.disconnect();
    expect(await bye).toEqual(['resume-x', memberId]);
  }, 30_000);

  it('refuses, rather than acknowledges, a message to a peer whose connection to its own process dropped (its seat held there)', async () => {
    const a = await client(servers[0]!, { auth: { resumeToken: '' } });
    const b = await client(servers[1]!);
    const first = await join(a, 'held-elsewhere');
    await join(b, 'held-elsewhere');
    expect(await b.socket.timeout(5000).emitWithAck('message', { type: 'text', text: 'while connected' })).toEqual({ ok: true });
    const memberId = a.socket.id;

    // a's connection to process 0 dies without a goodbye; process 0 holds its seat for a reconnect.
    a.socket.io.engine.close();
    await waitForLog(servers[0]!, (r) => r.event === 'hold' && r.client === memberId, 10_000);
    // Redis still says the seat is on process 0, which is subscribed: only process 0 knows nobody is there.
    const answer = await b.socket.timeout(5000).emitWithAck('message', { type: 'text', text: 'while a is away' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringContaining('is reconnecting') } });

    // Back (on another process, with its token): the next message is delivered and acknowledged.
    const back = await client(servers[2]!, { auth: { resumeToken: first.ok ? (first.resumeToken ?? '') : '' } });
    await until(() => back.of('log').some(([lines]) => String(lines).includes('Resumed seat')), 10_000, 'resumed');
    expect(await join(back, 'held-elsewhere')).toMatchObject({ ok: true, clientId: memberId });
    expect(await b.socket.timeout(5000).emitWithAck('message', { type: 'text', text: 'after the resume' })).toEqual({ ok: true });
    await until(() => back.of('message').length === 1, 5000, 'relay after resume');
    expect(texts(back)).toEqual(['after the resume']);
  }, 30_000);

  it('never puts more members in a room than it holds when 500 clients join 250 rooms at once', async () => {
    // 50 rooms with 4 contenders, 100 with 2, 100 with 1: 500 clients spread over the three processes.
    const plan: string[] = [];
    for (let r = 0; r < 250; r += 1) {
      const contenders = r < 50 ? 4 : r < 150 ? 2 : 1;
      for (let k = 0; k < contenders; k += 1) plan.push(`crowd-${r}`);
    }
    expect(plan).toHaveLength(500);
    const crowd: RecordingClient[] = [];
    for (let i = 0; i < plan.length; i += 50) {
      crowd.push(...(await Promise.all(plan.slice(i, i + 50).map((_, k) => client(servers[(i + k) % 3]!)))));
    }

    const results = await Promise.all(crowd.map((c, i) => join(c, plan[i]!)));
    const accepted = new Map<string, RecordingClient[]>();
    let refused = 0;
    for (const [i, result] of results.entries()) {
      if (result.ok) accepted.set(result.room, [...(accepted.get(result.room) ?? []), crowd[i]!]);
      else {
        expect(result.error.code).toBe('ROOM_FULL');
        refused += 1;
      }
    }
    expect(refused).toBe(100);
    for (let r = 0; r < 250; r += 1) {
      const expected = r < 150 ? 2 : 1;
      expect(accepted.get(`crowd-${r}`)?.length, `members of crowd-${r}`).toBe(expected);
      expect(await inspector.hlen(`${PREFIX}room:crowd-${r}`)).toBe(expected);
    }
    // 'ready' exactly once to each member of each room that filled, wherever the members are.
    await until(() => [...accepted.values()].flat().filter((c) => c.of('ready').length > 0).length >= 300, 20_000, 'ready');
    await settle(300);
    for (const members of accepted.values()) {
      for (const member of members) expect(member.of('ready')).toHaveLength(members.length === 2 ? 1 : 0);
    }

    // And every seat is given back when they all leave.
    for (const c of crowd) c.socket.disconnect();
    const seatsLeft = async () => (await inspector.keys(`${PREFIX}room:crowd-*`)).length;
    const deadline = Date.now() + 15_000;
    while ((await seatsLeft()) > 0 && Date.now() < deadline) await settle(100);
    expect(await seatsLeft()).toBe(0);
  }, 120_000);

  it('survives Redis restarting: says so in the log, puts the seats back, and relays again', async () => {
    const a = await client(servers[0]!);
    const b = await client(servers[1]!);
    await join(a, 'restart-r');
    await join(b, 'restart-r');

    await redisCommand(redis.host, redis.port, ['SHUTDOWN', 'NOSAVE'], 2000).catch(() => {});
    await until(() => servers.every((s) => s.logs().some((r) => r.event === 'redis_lost')), 10_000, 'every process noticing');
    const dir = makeTempDir('redis-restarted');
    const proc = spawnManaged('redis-server (restarted)', findRedisServer(), [
      '--port', String(redis.port), '--bind', redis.host, '--save', '', '--appendonly', 'no', '--dir', dir.path, '--daemonize', 'no', '--logfile', '',
    ]);
    restartedRedis = { proc, remove: dir.remove };
    await waitUntilReady(proc, async () => (await redisCommand(redis.host, redis.port, ['PING'], 300)) === '+PONG\r\n', 10_000);

    for (const server of servers) {
      const line = await waitForLog(server, (r) => r.event === 'redis_restored', 15_000);
      expect(line).toMatchObject({ level: 'warn', msg: expect.stringMatching(/^reconnected to Redis at redis:\/\/127\.0\.0\.1:\d+ after \d+ ms; re-registered \d+ seat/) });
    }
    // The seats are back in the empty Redis: the room is still full to a third client.
    expect(await inspector.hlen(`${PREFIX}room:restart-r`)).toBe(2);
    const c = await client(servers[2]!);
    expect(await join(c, 'restart-r')).toMatchObject({ ok: false, error: { code: 'ROOM_FULL' } });

    // The adapter resubscribes on its own schedule; messages flow again once it has.
    let sent = 0;
    await until(
      () => {
        if (b.of('message').length > 0) return true;
        a.socket.emit('message', { type: 'text', text: `after restart ${(sent += 1)}` });
        return false;
      },
      15_000,
      'a relay across processes after the restart',
    );
    // For a moment after the restart, new seats wait while every process puts its seats back
    // (redis-outage.test.ts shows why); then joins are served as before.
    const joinDeadline = Date.now() + 10_000;
    while ((await inspector.exists(`${PREFIX}restoring`)) === 1 && Date.now() < joinDeadline) await settle(100);
    const d = await client(servers[2]!);
    const e = await client(servers[0]!);
    expect(await join(d, 'restart-new')).toMatchObject({ ok: true, role: 'created' });
    expect(await join(e, 'restart-new')).toMatchObject({ ok: true, role: 'joined' });
  }, 60_000);

  it('on SIGTERM tells its clients, frees their seats at once (peers elsewhere hear bye) and exits within 5 s', async () => {
    const leaving = await startServerProcess(redis.url, ['--seat-ttl', String(SEAT_TTL_MS)]);
    try {
      const a = await client(leaving);
      const b = await client(servers[0]!);
      await join(a, 'term-t');
      await join(b, 'term-t');
      // Read now: once the server closes the connection, socket.io-client clears socket.id.
      const aId = a.socket.id;
      expect(aId).toBeTruthy();
      const notice = waitForEvent(a.socket, 'server shutdown');
      const bye = waitForEvent(b.socket, 'bye', 3000);
      const sentAt = Date.now();
      leaving.proc.child.kill('SIGTERM');
      expect(await notice).toEqual([{ resumable: false }]);
      expect(await bye).toEqual(['term-t', aId]);
      const exit = await leaving.proc.exited;
      expect(exit.code).toBe(0);
      expect(Date.now() - sentAt).toBeLessThan(5000);
      expect(await inspector.hlen(`${PREFIX}room:term-t`)).toBe(1);
    } finally {
      await leaving.proc.stop();
    }
  }, 30_000);

  it('frees the seats of a process killed with SIGKILL within the seat TTL, and tells its peers bye', async () => {
    const victim = servers[2]!;
    const pairs: [RecordingClient, RecordingClient][] = [];
    for (let i = 0; i < 6; i += 1) {
      const doomed = await client(victim);
      const survivor = await client(servers[i % 2]!);
      await join(doomed, `kill-${i}`);
      await join(survivor, `kill-${i}`);
      pairs.push([doomed, survivor]);
    }
    const byeAt = new Map<number, number>();
    for (const [i, [doomed, survivor]] of pairs.entries()) {
      const id = doomed.socket.id;
      survivor.socket.on('bye', (room: string, clientId: string) => {
        if (room === `kill-${i}` && clientId === id) byeAt.set(i, Date.now());
      });
    }

    const killedAt = Date.now();
    victim.proc.child.kill('SIGKILL');
    await until(() => byeAt.size === pairs.length, SEAT_TTL_MS + 5000, 'bye for every seat of the killed process');
    const slowest = Math.max(...byeAt.values()) - killedAt;
    expect(slowest).toBeLessThanOrEqual(SEAT_TTL_MS);
    for (let i = 0; i < pairs.length; i += 1) expect(await inspector.hlen(`${PREFIX}room:kill-${i}`)).toBe(1);

    // The freed seat can be taken again.
    const newcomer = await client(servers[0]!);
    expect(await join(newcomer, 'kill-0')).toMatchObject({ ok: true, role: 'joined' });
    const freedBy = servers.slice(0, 2).flatMap((s) => s.logs().filter((r) => r.event === 'ghost_seats_freed'));
    expect(freedBy.reduce((n, r) => n + Number(r.seats), 0)).toBe(pairs.length);
  }, 30_000);
});
