/**
 * Two real server processes (`node dist/cli.js --redis-cluster …`) on a real three-master Redis
 * Cluster (issue 19): 100 rooms whose members are on different processes relay every message to
 * the right peer over sharded pub/sub; everything about a room (its seats, the adapter's channel,
 * the relay's probe channels) is in one hash slot, on the master serving it; capacity holds across
 * processes; /healthz is ok; and `kill -9` of a process frees its seats on whichever masters hold them.
 */
import type { JoinResult } from '@workbench/core/protocol';
import { redisCommand, startRedisCluster, type RedisCluster } from '@workbench/testing';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, waitForLog, type ServerProcess } from './cluster.js';
import { connectClient, settle, until, waitForEvent, type RecordingClient } from './helpers.js';

const SEAT_TTL_MS = 3000;
const PREFIX = 'workbench:';

let redis: RedisCluster;
let inspector: Cluster;
let servers: ServerProcess[];
let clients: RecordingClient[] = [];

beforeAll(async () => {
  redis = await startRedisCluster();
  inspector = new Cluster(redis.nodes, { redisOptions: { maxRetriesPerRequest: null } });
  inspector.on('error', () => {});
  servers = await Promise.all([0, 1].map(() => startServerProcess({ cluster: redis.addresses }, ['--seat-ttl', String(SEAT_TTL_MS)])));
}, 60_000);

afterEach(() => {
  for (const client of clients) client.socket.disconnect();
  clients = [];
});

afterAll(async () => {
  await Promise.all((servers ?? []).map((server) => server.proc.stop(2000)));
  inspector?.disconnect();
  await redis?.stop();
}, 30_000);

async function client(server: ServerProcess, options: Parameters<typeof connectClient>[1] = {}): Promise<RecordingClient> {
  const connected = await connectClient(server.url, options);
  clients.push(connected);
  return connected;
}

function join(c: RecordingClient, room: string): Promise<JoinResult> {
  return c.socket.timeout(10_000).emitWithAck('create or join', room);
}

/** The processes (0 or 1) that logged `client` joining `room`. */
function joinedOn(room: string, client: string | undefined): number[] {
  return servers.flatMap((server, i) => (server.logs().some((r) => r.event === 'join' && r.room === room && r.client === client) ? [i] : []));
}

async function keySlot(name: string): Promise<number> {
  const first = redis.nodes[0]!;
  return Number((await redisCommand(first.host, first.port, ['CLUSTER', 'KEYSLOT', name])).slice(1));
}

describe('two processes sharing rooms through a three-master Redis Cluster', () => {
  it('relays between the members of 100 rooms, each room spanning both processes: none lost, none crossed', async () => {
    const pairs: [RecordingClient, RecordingClient][] = [];
    for (let i = 0; i < 100; i += 10) {
      pairs.push(...(await Promise.all(Array.from({ length: 10 }, async () => [await client(servers[0]!), await client(servers[1]!)] as [RecordingClient, RecordingClient]))));
    }
    for (const [i, [a, b]] of pairs.entries()) {
      expect(await join(a, `sharded-${i}`)).toMatchObject({ ok: true, role: 'created' });
      expect(await join(b, `sharded-${i}`)).toMatchObject({ ok: true, role: 'joined', polite: true, peers: [a.socket.id] });
    }
    // Where each member is, as the processes logged their joins: a on the first, b on the second.
    await until(() => pairs.every(([a, b], i) => joinedOn(`sharded-${i}`, a.socket.id).length + joinedOn(`sharded-${i}`, b.socket.id).length === 2), 10_000, 'join log lines');
    for (const [i, [a, b]] of pairs.entries()) {
      expect(joinedOn(`sharded-${i}`, a.socket.id)).toEqual([0]);
      expect(joinedOn(`sharded-${i}`, b.socket.id)).toEqual([1]);
    }

    // Each with an ack, so that a relay the server refused says why (it would otherwise just be
    // missing). Ten rounds, one message each way per room and round, as a careful client sends: on
    // a loaded machine Redis can take a relay past its deadline, which the server refuses with
    // UNAVAILABLE ("Send it again") rather than delivering it late; the client then sends it again.
    // Any other refusal, or an error, fails the test.
    const unexpected: unknown[] = [];
    let resent = 0;
    /** Refused as "may or may not have arrived": sent again, so a second copy is the honest outcome. */
    const maybe = new Set<string>();
    const sendUntilAccepted = async (c: RecordingClient, text: string): Promise<void> => {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const answer = await c.socket
          .timeout(30_000)
          .emitWithAck('message', { type: 'text', text })
          .catch((error: unknown) => ({ ok: false as const, error: { code: 'NO_ACK', message: String(error) } }));
        if (answer.ok) return;
        if (answer.error.code !== 'UNAVAILABLE') {
          unexpected.push({ text, answer });
          return;
        }
        resent += 1;
        if (answer.error.message.startsWith('Maybe')) maybe.add(text);
        await settle(100);
      }
      unexpected.push({ text, answer: 'refused 20 times' });
    };
    for (let k = 0; k < 10; k += 1) {
      await Promise.all(pairs.flatMap(([a, b], i) => [sendUntilAccepted(a, `${i}:a:${k}`), sendUntilAccepted(b, `${i}:b:${k}`)]));
    }
    expect(unexpected, `unexpected answers (first three): ${JSON.stringify(unexpected.slice(0, 3))}`).toEqual([]);
    if (resent > 0) console.log(`${resent} relays refused with UNAVAILABLE on this machine's load and sent again`);
    // What a client keeps: a second copy of a message it was told may not have arrived is dropped.
    const kept = (c: RecordingClient) => c.of('message').filter(([payload], n, all) => {
      const text = (payload as { text: string }).text;
      return !(maybe.has(text) && all.slice(0, n).some(([earlier]) => (earlier as { text: string }).text === text));
    });
    const total = () => pairs.reduce((n, [a, b]) => n + kept(a).length + kept(b).length, 0);
    await until(() => total() >= 2000, 30_000, 'all 2000 relayed messages');
    await settle(300);
    expect(total()).toBe(2000);
    for (const [i, [a, b]] of pairs.entries()) {
      // Exactly the peer's ten, in order, from the peer: none lost, none from another room.
      expect(kept(b)).toEqual(Array.from({ length: 10 }, (_, k) => [{ type: 'text', text: `${i}:a:${k}` }, a.socket.id]));
      expect(kept(a)).toEqual(Array.from({ length: 10 }, (_, k) => [{ type: 'text', text: `${i}:b:${k}` }, b.socket.id]));
      expect(a.of('ready')).toEqual([[`sharded-${i}`]]);
    }

    // The rooms are spread over the masters (by the slot of their tag), not piled on one.
    const masters = new Set<number>();
    for (let i = 0; i < 100; i += 1) masters.add((await redis.nodeForSlot(await keySlot(`{room:sharded-${i}}`))).port);
    expect(masters.size).toBe(3);
  }, 120_000);

  it("keeps a room's seats, its adapter channel and its relay probe channels in one slot, on the master serving it", async () => {
    const a = await client(servers[0]!);
    const b = await client(servers[1]!);
    // 13 characters: the socket.io room `{room:<name>}` is 20, as long as a socket id, which the
    // adapter's 'dynamic' mode would send on the namespace's channel; Redis refuses that from the
    // relay script when another master serves that channel, so the room is picked to be elsewhere.
    const namespaceMaster = await redis.nodeForSlot(await keySlot(`${PREFIX}socket.io#/#`));
    let room = '';
    for (let i = 100; room === ''; i += 1) if ((await redis.nodeForSlot(await keySlot(`{room:slot-room-${i}}`))) !== namespaceMaster) room = `slot-room-${i}`;
    expect(room).toHaveLength(13);
    await join(a, room);
    await join(b, room);

    const seatsKey = `${PREFIX}{room:${room}}`;
    const slot = await keySlot(seatsKey);
    expect(await keySlot(`room:${room}`)).toBe(slot);
    const owner = await redis.nodeForSlot(slot);
    // The seats are on that master, and only there: the others redirect.
    expect(await redisCommand(owner.host, owner.port, ['HLEN', seatsKey])).toBe(':2\r\n');
    for (const node of redis.nodes.filter((n) => n !== owner)) {
      expect(await redisCommand(node.host, node.port, ['HLEN', seatsKey])).toBe(`-MOVED ${slot} 127.0.0.1:${owner.port}\r\n`);
    }
    // Sharded pub/sub: the room's channel and one probe channel per process are subscribed on that
    // master, all in the room's slot (the relay script SPUBLISHes to them, so they must be).
    const channels = (await inspector.nodes('master').find((n) => n.options.port === owner.port)!.call('PUBSUB', 'SHARDCHANNELS', `*${room}*`)) as string[];
    expect(channels).toHaveLength(3);
    expect(channels.filter((name) => !name.includes('relay-probe:'))).toEqual([`${PREFIX}socket.io#/#{room:${room}}#`]);
    expect(channels.filter((name) => name.startsWith(`${PREFIX}{room:${room}}relay-probe:`))).toHaveLength(2);
    for (const channel of channels) expect(await keySlot(channel)).toBe(slot);

    // The relay receipts come back over those probe channels: a relayed message is acknowledged as
    // soon as the peer's process answers, not after RECEIPT_WAIT_MS (1 s) and a second probe.
    const latencies: number[] = [];
    for (let k = 0; k < 5; k += 1) {
      const sentAt = performance.now();
      expect(await a.socket.timeout(10_000).emitWithAck('message', { type: 'text', text: `acked ${k}` })).toEqual({ ok: true });
      latencies.push(performance.now() - sentAt);
    }
    expect(Math.min(...latencies)).toBeLessThan(500);
    await until(() => b.of('message').length === 5, 5000, 'the acknowledged messages');

    // And the per-process registry is in one slot of its own.
    const registry = await inspector.smembers(`${PREFIX}{registry}nodes`);
    expect(registry).toHaveLength(2);
    const entries = await Promise.all(registry.map((node) => inspector.smembers(`${PREFIX}{registry}seats:${node}`)));
    expect(entries.flat().filter((entry) => entry.startsWith(`${room} `)).sort()).toEqual([`${room} ${a.socket.id}`, `${room} ${b.socket.id}`].sort());
  }, 30_000);

  it('turns a third joiner away with ROOM_FULL, on either process', async () => {
    const a = await client(servers[0]!);
    const b = await client(servers[1]!);
    expect(await join(a, 'full-x')).toMatchObject({ ok: true, role: 'created' });
    expect(await join(b, 'full-x')).toMatchObject({ ok: true, role: 'joined' });
    for (const server of servers) {
      const c = await client(server);
      expect(await join(c, 'full-x')).toMatchObject({ ok: false, error: { code: 'ROOM_FULL' } });
    }
    expect(await inspector.hlen(`${PREFIX}{room:full-x}`)).toBe(2);
    // A turned-away join leaves nothing behind in the processes' seat sets.
    const registry = await inspector.smembers(`${PREFIX}{registry}nodes`);
    const entries = (await Promise.all(registry.map((node) => inspector.smembers(`${PREFIX}{registry}seats:${node}`)))).flat();
    expect(entries.filter((entry) => entry.startsWith('full-x ')).sort()).toEqual([`full-x ${a.socket.id}`, `full-x ${b.socket.id}`].sort());
  }, 30_000);

  it('says ok on /healthz on both processes', async () => {
    for (const server of servers) {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true });
    }
  });

  it('moves the seat of a client that resumes on the other process, and relays across processes from there', async () => {
    const a = await client(servers[0]!, { auth: { resumeToken: '' } });
    const b = await client(servers[0]!);
    const first = await join(a, 'resume-c');
    expect(first).toMatchObject({ ok: true, role: 'created', resumeToken: expect.stringMatching(/^resume-c\./) });
    await join(b, 'resume-c');
    const memberId = a.socket.id!;

    a.socket.io.engine.close();
    await waitForLog(servers[0]!, (r) => r.event === 'hold' && r.client === memberId, 10_000);
    const back = await client(servers[1]!, { auth: { resumeToken: first.ok ? (first as { resumeToken?: string }).resumeToken : '' } });
    await until(() => back.of('log').some(([lines]) => String(lines).includes('Resumed seat')), 10_000, 'resumed');
    expect(await join(back, 'resume-c')).toMatchObject({ ok: true, role: 'created', clientId: memberId, peers: [b.socket.id] });

    // The seat now names the second process, in the room and in that process's seat set only.
    const [firstNode, secondNode] = await Promise.all(
      servers.map(async (server) => String((await waitForLog(server, (r) => r.event === 'redis_ready')).node)),
    );
    expect(await inspector.hget(`${PREFIX}{room:resume-c}`, memberId)).toMatch(new RegExp(`\\|${secondNode}\\|`));
    expect(await inspector.sismember(`${PREFIX}{registry}seats:${secondNode}`, `resume-c ${memberId}`)).toBe(1);
    expect(await inspector.sismember(`${PREFIX}{registry}seats:${firstNode}`, `resume-c ${memberId}`)).toBe(0);

    b.socket.emit('message', { type: 'text', text: 'to the resumed one' });
    back.socket.emit('message', { type: 'text', text: 'from the resumed one' });
    await until(() => back.of('message').length === 1 && b.of('message').length === 1, 10_000, 'relays after the resume');
    expect(back.of('message')).toEqual([[{ type: 'text', text: 'to the resumed one' }, b.socket.id]]);
    expect(b.of('message')).toEqual([[{ type: 'text', text: 'from the resumed one' }, memberId]]);
    expect(b.of('bye')).toEqual([]);
  }, 30_000);

  it('frees the seats of a process killed with SIGKILL within the seat TTL: its peers hear bye', async () => {
    const survivors: RecordingClient[] = [];
    const doomed: RecordingClient[] = [];
    for (let i = 0; i < 6; i += 1) {
      const a = await client(servers[0]!);
      const b = await client(servers[1]!);
      await join(a, `reaped-${i}`);
      await join(b, `reaped-${i}`);
      survivors.push(a);
      doomed.push(b);
    }
    const doomedIds = doomed.map((b) => b.socket.id);
    const byes = survivors.map((a) => waitForEvent(a.socket, 'bye', SEAT_TTL_MS * 4));
    const killedAt = Date.now();
    servers[1]!.proc.child.kill('SIGKILL');
    const heard = await Promise.all(byes);
    expect(Date.now() - killedAt).toBeLessThan(SEAT_TTL_MS * 3);
    expect(heard).toEqual(doomedIds.map((id, i) => [`reaped-${i}`, id]));
    for (let i = 0; i < 6; i += 1) expect(await inspector.hkeys(`${PREFIX}{room:reaped-${i}}`)).toEqual([survivors[i]!.socket.id]);
    // The dead process is gone from the registry once its seats are.
    await until(async () => (await inspector.smembers(`${PREFIX}{registry}nodes`)).length === 1, 10_000, 'the registry to forget the dead process');
  }, 60_000);
});
