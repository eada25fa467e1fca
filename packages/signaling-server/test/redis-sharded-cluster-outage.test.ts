/**
 * A master of the Redis Cluster going down under two server processes (issue 19): a PING still
 * finds a live master, so /healthz asks every master for CLUSTER INFO and says 503 while the
 * cluster is down; relays are refused meanwhile; once the master is back, /healthz is ok again, a
 * room whose seats live on another master relays as before, and no process took another for dead.
 */
import { startRedisCluster, redisCommand, type RedisCluster, type RedisClusterNode } from '@workbench/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from './cluster.js';
import { connectClient, until, type RecordingClient } from './helpers.js';

let redis: RedisCluster;
let servers: ServerProcess[];
const clients: RecordingClient[] = [];

beforeAll(async () => {
  redis = await startRedisCluster();
  servers = await Promise.all([0, 1].map(() => startServerProcess({ cluster: redis.addresses }, ['--seat-ttl', '3000'])));
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.socket.disconnect();
  await Promise.all((servers ?? []).map((server) => server.proc.stop(2000)));
  await redis?.stop();
}, 30_000);

async function masterOf(key: string): Promise<RedisClusterNode> {
  const first = redis.nodes[0]!;
  return redis.nodeForSlot(Number((await redisCommand(first.host, first.port, ['CLUSTER', 'KEYSLOT', key])).slice(1)));
}

async function health(server: ServerProcess): Promise<{ status: number; body: { ok: boolean; reason?: string } }> {
  const response = await fetch(`${server.url}/healthz`);
  return { status: response.status, body: (await response.json()) as { ok: boolean; reason?: string } };
}

it('says 503 on /healthz while a master is down, refuses relays meanwhile, and relays again once it is back', async () => {
  // A room on a master other than the registry's, and a third master to stop: the room keeps its seats.
  const registry = await masterOf('workbench:{registry}nodes');
  let room = '';
  for (let i = 0; room === ''; i += 1) if ((await masterOf(`{room:outage-${i}}`)) !== registry) room = `outage-${i}`;
  const roomMaster = await masterOf(`{room:${room}}`);
  const victim = redis.nodes.find((node) => node !== registry && node !== roomMaster)!;

  const a = await connectClient(servers[0]!.url);
  const b = await connectClient(servers[1]!.url);
  clients.push(a, b);
  expect(await a.socket.timeout(10_000).emitWithAck('create or join', room)).toMatchObject({ ok: true });
  expect(await b.socket.timeout(10_000).emitWithAck('create or join', room)).toMatchObject({ ok: true });
  for (const server of servers) expect(await health(server)).toEqual({ status: 200, body: expect.objectContaining({ ok: true }) });

  await redis.stopNode(victim);
  for (const server of servers) {
    await until(async () => (await health(server)).status === 503, 15_000, '/healthz to say 503');
    expect((await health(server)).body.reason).toMatch(/the Redis Cluster \(cluster .*\) is not ok: .*(cluster_state:fail|does not answer|unreachable)/);
  }
  // Refused, not acknowledged and lost: the sender is told to send it again.
  expect(await a.socket.timeout(10_000).emitWithAck('message', { type: 'text', text: 'while down' })).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });

  await redis.startNode(victim);
  for (const server of servers) await until(async () => (await health(server)).status === 200, 15_000, '/healthz to say ok again');
  expect(await a.socket.timeout(10_000).emitWithAck('message', { type: 'text', text: 'after' })).toEqual({ ok: true });
  expect(await b.socket.timeout(10_000).emitWithAck('message', { type: 'text', text: 'back' })).toEqual({ ok: true });
  await until(() => a.of('message').length === 1 && b.of('message').length === 1, 5000, 'both relays');
  expect(b.of('message')).toEqual([[{ type: 'text', text: 'after' }, a.socket.id]]);
  expect(a.of('message')).toEqual([[{ type: 'text', text: 'back' }, b.socket.id]]);
  // No process's heartbeat could be written while the cluster was down; none took the others for
  // dead once it was back (each waits a seat TTL before reaping), so nobody heard 'bye'.
  expect([a.of('bye'), b.of('bye')]).toEqual([[], []]);
}, 90_000);
