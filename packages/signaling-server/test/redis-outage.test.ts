/**
 * Redis going away under two real server processes, as an attacker (or bad luck) would arrange it:
 * a real redis-server stalled with SIGSTOP/SIGCONT and restarted empty. Each test is the attack it
 * keeps closed (issue 18): a hidden third member after a stall, an intruder taking a seat back from
 * the rightful member after a restart, and relays acknowledged and then lost during an outage,
 * including the two a health check before the publish cannot see: Redis stalled when the relay
 * passed the check and killed before carrying it out, and only the peer's process unsubscribed.
 */
import type { JoinResult } from '@workbench/core/protocol';
import { findRedisServer, freeTcpPort, makeTempDir, redisCommand, spawnManaged, waitUntilReady, type ManagedProcess } from '@workbench/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, waitForLog, type ServerProcess } from './cluster.js';
import { connectClient, settle, until, type RecordingClient } from './helpers.js';

const PREFIX = 'workbench:';
const HOST = '127.0.0.1';

/** A redis-server this file owns: it is stopped, continued and restarted on the same port. */
class OwnRedis {
  port = 0;
  proc: ManagedProcess | undefined;
  #dirs: { remove(): void }[] = [];

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freeTcpPort(HOST);
    const dir = makeTempDir('redis-outage');
    this.#dirs.push(dir);
    this.proc = spawnManaged('redis-server', findRedisServer(), [
      '--port', String(this.port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir.path, '--daemonize', 'no', '--logfile', '',
    ]);
    await waitUntilReady(this.proc, async () => (await redisCommand(HOST, this.port, ['PING'], 300)) === '+PONG\r\n', 10_000);
  }

  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.proc?.child.kill(signal);
  }

  async stop(): Promise<void> {
    this.signal('SIGCONT');
    await this.proc?.stop(1000);
  }

  /** Killed as it is, stopped or not: whatever it had read and not yet carried out is lost. */
  async kill(): Promise<void> {
    this.proc?.child.kill('SIGKILL');
    await this.proc?.exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    for (const dir of this.#dirs) dir.remove();
  }
}

const redis = new OwnRedis();
let inspector: Redis;
let servers: ServerProcess[] = [];
let clients: RecordingClient[] = [];
/** Server processes stopped with SIGSTOP by a test, continued in teardown whatever happened. */
const stoppedServers = new Set<ServerProcess>();

beforeAll(async () => {
  await redis.start();
  inspector = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  inspector.on('error', () => {});
  // The default seat TTL (15 s) outlasts every stall here, so no process's heartbeat expires and
  // nothing here is a dead process's seat being reaped.
  servers = await Promise.all([0, 1].map(() => startServerProcess(redis.url)));
}, 60_000);

afterEach(async () => {
  for (const server of stoppedServers) server.proc.child.kill('SIGCONT');
  stoppedServers.clear();
  redis.signal('SIGCONT');
  for (const client of clients) client.socket.disconnect();
  clients = [];
  await settle(300);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.proc.stop(2000)));
  inspector?.disconnect();
  await redis.dispose();
}, 30_000);

async function client(server: ServerProcess): Promise<RecordingClient> {
  const connected = await connectClient(server.url);
  clients.push(connected);
  return connected;
}

function join(c: RecordingClient, room: string): Promise<JoinResult> {
  return c.socket.timeout(20_000).emitWithAck('create or join', room);
}

/** Joins as a well-behaved client does: an UNAVAILABLE answer (Redis just came back) is retried. */
async function joinWhenAvailable(c: RecordingClient, room: string): Promise<JoinResult> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await join(c, room);
    if (answer.ok || answer.error.code !== 'UNAVAILABLE' || Date.now() > deadline) return answer;
    await settle(200);
  }
}

type RelayAnswer = { ok: true } | { ok: false; error: { code: string; message: string } };

/** Numbered relays from one client to another: what each sender was told, and what arrived. */
function relayLog(from: RecordingClient, to: RecordingClient) {
  const delivered: number[] = [];
  to.socket.on('message', (payload: unknown) => delivered.push(Number((payload as { text: string }).text)));
  const answers = new Map<number, RelayAnswer>();
  let sent = 0;
  const send = async (): Promise<RelayAnswer> => {
    const n = (sent += 1);
    const answer = (await from.socket.timeout(30_000).emitWithAck('message', { type: 'text', text: String(n) })) as RelayAnswer;
    answers.set(n, answer);
    return answer;
  };
  return {
    delivered,
    answers,
    send,
    /** Sends as a well-behaved client does: told UNAVAILABLE, it tries again shortly. */
    async sendUntilAccepted(): Promise<RelayAnswer> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const answer = await send();
        if (answer.ok || answer.error.code !== 'UNAVAILABLE' || Date.now() > deadline) return answer;
        await settle(200);
      }
    },
    /** Every acknowledged relay arrived; no refused one did (not even late); all arrived in order, once. */
    async expectHonestAnswers(): Promise<void> {
      const acknowledged = [...answers].filter(([, answer]) => answer.ok).map(([n]) => n);
      await until(() => acknowledged.every((n) => delivered.includes(n)), 10_000, 'every acknowledged relay delivered').catch(() => {});
      // Late deliveries of refused relays would land meanwhile too.
      await settle(500);
      expect(acknowledged.filter((n) => !delivered.includes(n)), 'acknowledged but never delivered').toEqual([]);
      expect(delivered.filter((n) => !answers.get(n)?.ok), 'refused but delivered').toEqual([]);
      expect(delivered).toEqual([...delivered].sort((x, y) => x - y));
      expect(new Set(delivered).size).toBe(delivered.length);
    },
  };
}

/** How often a server process has logged getting Redis back. */
function restoredCount(server: ServerProcess): number {
  return server.logs().filter((r) => r.event === 'redis_restored').length;
}

/** Ids of the members Redis holds for `room`, sorted. */
async function seatsIn(room: string): Promise<string[]> {
  return (await inspector.hkeys(`${PREFIX}room:${room}`)).sort();
}

/**
 * Stops `server` (SIGSTOP, so it cannot reconnect yet) and has Redis cut its subscribing
 * connection: until {@link resume}, nothing published reaches it, and what is published meanwhile
 * is lost to it for good, while every other process and Redis itself are fine.
 */
async function stopAndDeafen(server: ServerProcess): Promise<void> {
  server.proc.child.kill('SIGSTOP');
  stoppedServers.add(server);
  const pid = String(server.proc.child.pid);
  const subscribers = String(await inspector.client('LIST'))
    .split('\n')
    .filter((line) => line.includes(`name=workbench-seats-`) && line.includes(`-${pid}-`) && /\bpsub=[1-9]/.test(line));
  expect(subscribers, `the subscribing connection of process ${pid}`).toHaveLength(1);
  await inspector.call('CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(subscribers[0] as string)?.[1] as string);
}

function resume(server: ServerProcess): void {
  server.proc.child.kill('SIGCONT');
  stoppedServers.delete(server);
}

describe('Redis stalls and restarts (two processes, one redis-server)', () => {
  it('admits no hidden third member when a join times out during a stall and is retried at once', async () => {
    const [A, B] = servers as [ServerProcess, ServerProcess];
    const a = await client(A);
    const x = await client(A);
    const b = await client(B);
    expect(await join(a, 'stall-r')).toMatchObject({ ok: true, role: 'created' });

    redis.signal('SIGSTOP');
    const first = await join(x, 'stall-r');
    expect(first).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    // The intruder retries at once; Redis comes back while the retry waits.
    const retry = join(x, 'stall-r');
    await settle(1000);
    redis.signal('SIGCONT');
    const second = await retry;
    const late = await join(b, 'stall-r');

    const admitted = [a, ...(second.ok ? [x] : []), ...(late.ok ? [b] : [])].map((c) => c.socket.id as string).sort();
    expect(admitted.length, 'members admitted to a room of 2').toBeLessThanOrEqual(2);
    // Nobody is admitted without a seat in Redis, and nobody holds a seat without having been admitted:
    // wait for the seats to say so (the timed-out join's undo may still be on its way), then check
    // that nothing late (an undo or a join) changes them.
    const matches = async () => JSON.stringify(await seatsIn('stall-r')) === JSON.stringify(admitted);
    await until(matches, 10_000, 'the seats in Redis to be the admitted members').catch(() => {});
    await settle(500);
    expect(await seatsIn('stall-r')).toEqual(admitted);
  }, 60_000);

  it('does not let a join during a Redis restart take the seat of a member another process has not yet put back', async () => {
    const [A, B] = servers as [ServerProcess, ServerProcess];
    const a = await client(A);
    const b = await client(B);
    const x = await client(A);
    expect(await joinWhenAvailable(a, 'restart-r')).toMatchObject({ ok: true });
    expect(await joinWhenAvailable(b, 'restart-r')).toMatchObject({ ok: true });
    const bId = b.socket.id as string;

    // B is slow to come back (a GC pause, a busy machine): A re-registers first.
    B.proc.child.kill('SIGSTOP');
    stoppedServers.add(B);
    await redis.stop();
    await redis.start();
    await waitForLog(A, (r) => r.event === 'redis_restored', 15_000);

    // The intruder on A joins (and retries while told UNAVAILABLE) before B has put b back.
    let answer: JoinResult | undefined;
    const attempts = (async () => {
      for (let i = 0; i < 40; i += 1) {
        answer = await join(x, 'restart-r');
        if (answer.ok || answer.error.code !== 'UNAVAILABLE') return;
        await settle(100);
      }
    })();
    await settle(1000);
    B.proc.child.kill('SIGCONT');
    stoppedServers.delete(B);
    await attempts;

    expect(answer).toMatchObject({ ok: false, error: { code: 'ROOM_FULL' } });
    expect(b.of('signaling error')).toEqual([]);
    expect(await seatsIn('restart-r')).toEqual([a.socket.id as string, bId].sort());
    await until(() => B.logs().some((r) => r.event === 'redis_restored'), 15_000, 'B re-registering its seats');
  }, 60_000);

  it('never acknowledges a relay to another process and then loses it while Redis stalls or restarts, and /healthz says 503 meanwhile', async () => {
    const [A, B] = servers as [ServerProcess, ServerProcess];
    const a = await client(A);
    const b = await client(B);
    expect(await joinWhenAvailable(a, 'outage-r')).toMatchObject({ ok: true });
    expect(await joinWhenAvailable(b, 'outage-r')).toMatchObject({ ok: true });
    // b hears a's relays by their number.
    const delivered: number[] = [];
    b.socket.on('message', (payload: unknown) => delivered.push(Number((payload as { text: string }).text)));

    const answers = new Map<number, { ok: boolean; error?: { code: string } }>();
    let sent = 0;
    const sender = setInterval(() => {
      const n = (sent += 1);
      a.socket
        .timeout(30_000)
        .emitWithAck('message', { type: 'text', text: String(n) })
        .then((answer) => answers.set(n, answer as { ok: boolean; error?: { code: string } }), () => answers.set(n, { ok: false, error: { code: 'NO_ACK' } }));
    }, 50);
    const health: { status: number; body: { ok: boolean; reason?: string } }[] = [];
    const healthProbe = setInterval(() => {
      void fetch(`${A.url}/healthz`).then(
        async (response) => health.push({ status: response.status, body: (await response.json()) as { ok: boolean; reason?: string } }),
        () => {},
      );
    }, 100);
    const [restoredA, restoredB] = [restoredCount(A), restoredCount(B)];
    try {
      await settle(1000);
      // A stall: the connections stay open and nothing is answered.
      redis.signal('SIGSTOP');
      await settle(3000);
      redis.signal('SIGCONT');
      await settle(2000);
      // A restart: connections drop, Redis comes back empty.
      await redis.stop();
      await settle(2000);
      await redis.start();
      await until(() => restoredCount(A) > restoredA && restoredCount(B) > restoredB, 20_000, 'both processes re-registering');
      await until(() => health.at(-1)?.status === 200, 20_000, '/healthz 200 again');
      await settle(2000);
    } finally {
      clearInterval(sender);
      clearInterval(healthProbe);
    }
    await until(() => answers.size === sent, 35_000, 'an answer to every message');

    const acknowledged = [...answers].filter(([, answer]) => answer.ok).map(([n]) => n);
    const refused = [...answers].filter(([, answer]) => !answer.ok);
    // Every acknowledged relay arrives, once, in order; no refused one does.
    await until(() => acknowledged.every((n) => delivered.includes(n)), 15_000, 'every acknowledged relay delivered').catch(() => {});
    expect(acknowledged.filter((n) => !delivered.includes(n)), 'acknowledged but never delivered').toEqual([]);
    expect(delivered).toEqual([...delivered].sort((x, y) => x - y));
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.filter((n) => !answers.get(n)?.ok)).toEqual([]);
    // The outage was real: some relays were refused, each with UNAVAILABLE.
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map(([, answer]) => answer.error?.code))).toEqual(new Set(['UNAVAILABLE']));

    // /healthz said so while it lasted, with the reason, and is healthy again.
    const unhealthy = health.filter((h) => h.status === 503);
    expect(unhealthy.length).toBeGreaterThan(0);
    expect(unhealthy[0]?.body).toMatchObject({ ok: false, reason: expect.stringMatching(/Redis at redis:\/\/127\.0\.0\.1:\d+/) });
    expect(health.at(-1)).toMatchObject({ status: 200, body: { ok: true } });
  }, 120_000);
  it('never acknowledges a relay that a stalled Redis took and then lost when it was killed and restarted', async () => {
    const [A, B] = servers as [ServerProcess, ServerProcess];
    const a = await client(A);
    const b = await client(B);
    expect(await joinWhenAvailable(a, 'window-r')).toMatchObject({ ok: true });
    expect(await joinWhenAvailable(b, 'window-r')).toMatchObject({ ok: true });
    const relays = relayLog(a, b);
    expect(await relays.sendUntilAccepted()).toEqual({ ok: true });
    const [restoredA, restoredB] = [restoredCount(A), restoredCount(B)];

    redis.signal('SIGSTOP');
    // At once: Redis has been silent for far less than the 3 s after which the health check says
    // so, so these pass it, and their PUBLISH sits unread in the stalled Redis's socket.
    const inStall = [relays.send(), relays.send(), relays.send()];
    await settle(300);
    // B is slow to come back (as in the restart test above): when A's connection sends the stalled
    // commands again to the new Redis, nothing of B's is subscribed to receive them.
    B.proc.child.kill('SIGSTOP');
    stoppedServers.add(B);
    await redis.kill();
    await redis.start();
    await until(() => restoredCount(A) > restoredA, 20_000, 'A re-registering its seats');
    await settle(1000);
    B.proc.child.kill('SIGCONT');
    stoppedServers.delete(B);
    await until(() => restoredCount(B) > restoredB, 20_000, 'B re-registering its seats');

    const answers = await Promise.all(inStall);
    expect(await relays.sendUntilAccepted()).toEqual({ ok: true });
    await relays.expectHonestAnswers();
    // b could not have had them: each is refused, saying so, and the client can send it again.
    for (const answer of answers) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/Send it again/) } });
    }
  }, 90_000);

  it('delivers, rather than acknowledges and drops, the message of a sender that has not yet heard of its peer on another process', async () => {
    const [A, B] = servers as [ServerProcess, ServerProcess];
    const a = await client(A);
    expect(await joinWhenAvailable(a, 'late-news')).toMatchObject({ ok: true });

    // A misses the news that b joined on B. (Under load the news is merely late, and a message sent
    // meanwhile was acknowledged and reached nobody: the sender's process counted a alone.)
    await stopAndDeafen(A);
    const b = await client(B);
    expect(await joinWhenAvailable(b, 'late-news')).toMatchObject({ ok: true });
    resume(A);

    const relays = relayLog(a, b);
    expect(await relays.sendUntilAccepted()).toEqual({ ok: true });
    await relays.expectHonestAnswers();
    expect(relays.delivered).toEqual([...relays.answers.keys()].filter((n) => relays.answers.get(n)?.ok));
  }, 60_000);

  it('in a room of three, reaches the member who joined elsewhere although the sender knows only its neighbour on its own process', async () => {
    const [A, B] = await Promise.all([0, 1].map(() => startServerProcess(redis.url, ['--room-capacity', '3'])));
    try {
      const a = await client(A as ServerProcess);
      const b = await client(A as ServerProcess);
      expect(await joinWhenAvailable(a, 'late-news-3')).toMatchObject({ ok: true });
      expect(await joinWhenAvailable(b, 'late-news-3')).toMatchObject({ ok: true });
      await until(() => a.of('join').length === 1, 10_000, 'a hears b join');

      // a knows one peer, b, on its own process; c joins on B while A hears nothing.
      await stopAndDeafen(A as ServerProcess);
      const c = await client(B as ServerProcess);
      expect(await joinWhenAvailable(c, 'late-news-3')).toMatchObject({ ok: true });
      resume(A as ServerProcess);

      const relays = relayLog(a, c);
      expect(await relays.sendUntilAccepted()).toEqual({ ok: true });
      await relays.expectHonestAnswers();
      expect(relays.delivered.length).toBeGreaterThan(0);
    } finally {
      await Promise.all([A, B].map((server) => server?.proc.stop(2000)));
    }
  }, 60_000);

  it("never acknowledges a relay to a process whose subscription alone is down while the sender's connections are fine", async () => {
    const [A, B] = servers as [ServerProcess, ServerProcess];
    const a = await client(A);
    const b = await client(B);
    expect(await joinWhenAvailable(a, 'deaf-r')).toMatchObject({ ok: true });
    expect(await joinWhenAvailable(b, 'deaf-r')).toMatchObject({ ok: true });
    const relays = relayLog(a, b);
    expect(await relays.sendUntilAccepted()).toEqual({ ok: true });

    // B stopped, so it cannot reconnect yet, and its subscribing connection cut by Redis: PUBLISH
    // reaches nobody of B's, while every connection of A's answers its PINGs.
    await stopAndDeafen(B);
    const answers = await Promise.all([relays.send(), relays.send(), relays.send()]);
    resume(B);
    expect(await relays.sendUntilAccepted()).toEqual({ ok: true });
    await relays.expectHonestAnswers();
    for (const answer of answers) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/not receiving from Redis/) } });
    }
  }, 60_000);
});
