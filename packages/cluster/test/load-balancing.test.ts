/**
 * Two real server processes sharing rooms through a real redis-server, behind a real nginx with the
 * generated configuration, and clients each at their own loopback address. Over WebSocket, 100
 * rooms whose members land wherever nginx sends them relay every message to the right peer; over
 * long-polling, sessions stay on their process and work; and the same nginx configuration without
 * its one sticky line breaks polling with "Session ID unknown", which is why the line is there.
 */
import { readFileSync } from 'node:fs';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { httpGet, startCluster, startNginx, type Cluster, type NginxProxy } from '../src/cluster.js';
import { connectFrom, join, loopbackAddresses, ServerLogs, until, type Connection } from './clients.js';

const logs = new ServerLogs();
let cluster: Cluster;
let roundRobin: NginxProxy | undefined;
let connections: Connection[] = [];

beforeAll(async () => {
  // The per-address caps keep their defaults: behind nginx with --trust-proxy each client has its own.
  cluster = await startCluster({ processes: 2, serverArgs: ['--no-default-stun', '--log-format', 'json'], onServerLine: logs.collect });
});

afterEach(() => {
  for (const c of connections) c.socket.disconnect();
  connections = [];
});

afterAll(async () => {
  await roundRobin?.stop();
  await cluster?.stop();
});

/** Which process (1-based) a `host:port` upstream in nginx's access log is. */
function processOfUpstream(upstream: string | undefined): number | undefined {
  return cluster.processes.find((p) => `127.0.0.1:${p.port}` === upstream)?.number;
}

async function connectAll(url: string, addresses: string[], transport: 'websocket' | 'polling'): Promise<Connection[]> {
  const result: Connection[] = [];
  // In batches, so a loaded 2-core machine is not asked for 200 handshakes in one go.
  for (let i = 0; i < addresses.length; i += 50) {
    const batch = await Promise.all(addresses.slice(i, i + 50).map((address) => connectFrom(url, address, { transport })));
    connections.push(...batch);
    result.push(...batch);
  }
  return result;
}

/** Joins pair i to `${prefix}-${i}`, then each member sends `count` texts to its peer. */
async function joinAndExchange(pairs: [Connection, Connection][], prefix: string, count: number): Promise<void> {
  for (const [i, [a, b]] of pairs.entries()) {
    expect(await join(a.socket, `${prefix}-${i}`)).toMatchObject({ ok: true, role: 'created' });
    expect(await join(b.socket, `${prefix}-${i}`)).toMatchObject({ ok: true, role: 'joined', peers: [a.socket.id] });
  }
  for (const [i, [a, b]] of pairs.entries()) {
    for (let k = 0; k < count; k += 1) {
      a.socket.emit('message', { type: 'text', text: `${i}:a:${k}` });
      b.socket.emit('message', { type: 'text', text: `${i}:b:${k}` });
    }
  }
  const total = () => pairs.reduce((n, [a, b]) => n + a.received.length + b.received.length, 0);
  await until(() => total() >= pairs.length * 2 * count, 30_000, `all ${pairs.length * 2 * count} messages`);
}

describe('100 rooms over WebSocket through nginx', () => {
  it('relays every message to its peer and nobody else, with rooms spanning both processes', async () => {
    // 200 addresses, 127.0.1.1 to 127.0.1.200: all in one /24, where ip_hash would send every one
    // of them to the same process.
    const addresses = loopbackAddresses(200, 0, 1);
    const clients = await connectAll(cluster.url, addresses, 'websocket');
    expect(clients.filter((c) => !c.connected).map((c) => c.error)).toEqual([]);
    const pairs = Array.from({ length: 100 }, (_, i) => [clients[2 * i]!, clients[2 * i + 1]!] as [Connection, Connection]);
    await joinAndExchange(pairs, 'ws', 10);

    for (const [i, [a, b]] of pairs.entries()) {
      // Exactly the peer's ten, in order, from the peer: none lost, none from another room.
      expect(b.received).toEqual(Array.from({ length: 10 }, (_, k) => [`${i}:a:${k}`, a.socket.id]));
      expect(a.received).toEqual(Array.from({ length: 10 }, (_, k) => [`${i}:b:${k}`, b.socket.id]));
    }

    // Where each member landed, as the processes logged their joins.
    const landed = pairs.map(([a, b], i) => [logs.joinedOn(cluster, `ws-${i}`, a.socket.id!), logs.joinedOn(cluster, `ws-${i}`, b.socket.id!)]);
    for (const members of landed) for (const on of members) expect(on).toHaveLength(1);
    const spanning = landed.filter(([a, b]) => a![0] !== b![0]).length;
    const perProcess = cluster.processes.map((p) => landed.flat().filter((on) => on[0] === p.number).length);
    console.log(`100 rooms over WebSocket: members per process ${perProcess.join(' / ')}; ${spanning} rooms span both processes`);
    expect(perProcess.every((n) => n > 0)).toBe(true);
    expect(spanning).toBeGreaterThan(0);

    // nginx's own record agrees: once the sockets close it logs each upgrade (101) with the process
    // it chose, and that is the process the member joined on.
    for (const c of clients) c.socket.disconnect();
    const upgrades = () => cluster.nginx.accessLog().filter((e) => e.status === 101 && addresses.includes(e.client));
    await until(() => upgrades().length === 200, 10_000, 'nginx to log all 200 WebSocket upgrades');
    const byAddress = new Map(upgrades().map((e) => [e.client, processOfUpstream(e.upstreams[0])]));
    for (const [i, [a, b]] of landed.entries()) {
      expect(byAddress.get(addresses[2 * i]!)).toBe(a![0]);
      expect(byAddress.get(addresses[2 * i + 1]!)).toBe(b![0]);
    }
  }, 110_000);
});

describe('long-polling through nginx', () => {
  it('keeps each session on its process: every request of one client goes to one process, and all work', async () => {
    const addresses = loopbackAddresses(40, 0, 2);
    const clients = await connectAll(cluster.url, addresses, 'polling');
    expect(clients.filter((c) => !c.connected).map((c) => c.error)).toEqual([]);
    const pairs = Array.from({ length: 20 }, (_, i) => [clients[2 * i]!, clients[2 * i + 1]!] as [Connection, Connection]);
    await joinAndExchange(pairs, 'poll', 3);
    for (const [i, [a, b]] of pairs.entries()) {
      expect(b.received).toEqual([0, 1, 2].map((k) => [`${i}:a:${k}`, a.socket.id]));
      expect(a.received).toEqual([0, 1, 2].map((k) => [`${i}:b:${k}`, b.socket.id]));
      expect(a.socket.io.engine.transport.name).toBe('polling');
    }

    const requests = cluster.nginx.accessLog().filter((e) => addresses.includes(e.client));
    expect(requests.filter((e) => e.status !== 200)).toEqual([]);
    const processesOf = new Map<string, Set<number | undefined>>();
    for (const e of requests) processesOf.set(e.client, (processesOf.get(e.client) ?? new Set()).add(processOfUpstream(e.upstreams[0])));
    // Several requests per client (handshake, connect, joins, messages, polls), all to one process.
    expect(Math.min(...addresses.map((a) => requests.filter((e) => e.client === a).length))).toBeGreaterThanOrEqual(3);
    for (const address of addresses) expect([...(processesOf.get(address) ?? [])], address).toHaveLength(1);
    const used = new Set([...processesOf.values()].flatMap((set) => [...set]));
    expect(used.size).toBe(2);
  }, 60_000);

  it("holds a long-poll longer than socket.io's ping interval and timeout without nginx cutting it", async () => {
    // The handshake says how long socket.io waits; the configuration must wait longer.
    const handshake = await httpGet(`${cluster.url}/socket.io/?EIO=4&transport=polling`);
    const { pingInterval, pingTimeout } = JSON.parse(handshake.body.slice(1)) as { pingInterval: number; pingTimeout: number };
    const site = readFileSync(cluster.nginx.sitePath, 'utf8');
    for (const directive of ['proxy_read_timeout', 'proxy_send_timeout']) {
      expect(Number(new RegExp(`${directive} (\\d+)s;`).exec(site)?.[1]) * 1000, directive).toBeGreaterThan(pingInterval + pingTimeout);
    }
  });

  it('fails without stickiness: the same configuration minus its hash line sends the next request to the other process', async () => {
    roundRobin = await startNginx({ upstreamPorts: cluster.processes.map((p) => p.port), sticky: false });

    // By hand first: a session opened on one process, then its next requests. One nginx worker's
    // round robin alternates, so the second or third request lands on the process that never heard
    // of the session. Through the sticky nginx the same requests all succeed.
    async function openAndPost(url: string): Promise<{ status: number; body: string }[]> {
      const handshake = await httpGet(`${url}/socket.io/?EIO=4&transport=polling`);
      expect(handshake.status).toBe(200);
      const sid = (JSON.parse(handshake.body.slice(1)) as { sid: string }).sid;
      const answers = [];
      // "40" is socket.io's CONNECT; a repeated one is harmless, and each POST is answered at once.
      for (let i = 0; i < 3; i += 1) {
        const post = await httpGet(`${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body: '40', headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
        answers.push({ status: post.status, body: post.body });
      }
      return answers;
    }
    expect((await openAndPost(cluster.url)).map((a) => a.status)).toEqual([200, 200, 200]);
    const unsticky = await openAndPost(roundRobin.url);
    expect(unsticky).toContainEqual({ status: 400, body: '{"code":1,"message":"Session ID unknown"}' });

    // Then real socket.io clients, each at its own address, trying to join and exchange a message.
    const addresses = loopbackAddresses(20, 0, 3);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const [a, b] = await Promise.all([connectFrom(roundRobin!.url, addresses[2 * i]!, { transport: 'polling' }), connectFrom(roundRobin!.url, addresses[2 * i + 1]!, { transport: 'polling' })]);
        connections.push(a, b);
        if (!a.connected || !b.connected) return `connect: ${a.error ?? b.error}`;
        try {
          await join(a.socket, `rr-${i}`, 5000);
          await join(b.socket, `rr-${i}`, 5000);
          a.socket.emit('message', { type: 'text', text: 'hello' });
          await until(() => b.received.length === 1, 5000, 'the message');
          return 'ok';
        } catch (error) {
          return `after connect: ${error instanceof Error ? error.message : String(error)}`;
        }
      }),
    );
    const failed = outcomes.filter((o) => o !== 'ok');
    console.log(`without stickiness: ${failed.length} of 10 polling pairs failed; ${failed.slice(0, 3).join(' | ')}`);
    // A pair gets through only if each of its many requests happens to land on its own process.
    expect(failed.length).toBeGreaterThanOrEqual(8);
    expect(failed.some((reason) => reason.includes('HTTP 400: {"code":1,"message":"Session ID unknown"}'))).toBe(true);
    const refused = roundRobin.accessLog().filter((e) => addresses.includes(e.client) && e.status === 400);
    expect(refused.length).toBeGreaterThan(0);
  }, 60_000);
});
