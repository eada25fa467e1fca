/**
 * Seats shared by several server processes in one Redis. Capacity is decided by Lua scripts
 * (redis-lua.ts), so concurrent joins on different processes never overfill a room. Each process
 * refreshes a heartbeat key; when one dies its heartbeat expires and the next reaper pass of any
 * live process frees its seats and reports them, so the peers hear `'bye'` within the seat TTL.
 *
 * Redis going away is survived: operations wait (bounded) until it is back, and because a Redis
 * restart loses everything, each process then writes its own clients' seats back before taking
 * new joins.
 *
 * On a Redis Cluster (`cluster`) the same, with hash-tagged keys ({@link redisKeys}) and the
 * CLUSTER_ scripts of redis-lua.ts, each of which touches one slot.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Cluster, Redis } from 'ioredis';
import { SignalingErrorCode, type JoinRole } from '@workbench/core/protocol';
import { ServerError, ServerErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import {
  CLAIM_SCRIPT,
  CLUSTER_CLAIM_SCRIPT,
  CLUSTER_FREE_SCRIPT,
  CLUSTER_JOIN_SCRIPT,
  CLUSTER_LEAVE_SCRIPT,
  CLUSTER_REAP_DONE_SCRIPT,
  CLUSTER_REAP_FIND_SCRIPT,
  CLUSTER_RESTORE_SCRIPT,
  EPOCH_SCRIPT,
  HEARTBEAT_SCRIPT,
  JOIN_SCRIPT,
  LEAVE_SCRIPT,
  REAP_SCRIPT,
  RESTORE_SCRIPT,
} from './redis-lua.js';
import type { RedisClusterNode } from './options.js';
import { RoomRegistry, type RoomLeaveOutcome } from './room-registry.js';
import { newSeatSecret, type FreedSeat, type SeatClaim, type SeatJoinOutcome, type SeatStore, type SeatStoreEvents } from './seat-store.js';

export interface RedisSeatStoreOptions {
  /** One Redis: `redis://host:port`. Exactly one of `url` and `cluster`. */
  url?: string;
  /** Some masters of a Redis Cluster (Redis 7+): keys are hash-tagged, see {@link redisKeys}. */
  cluster?: RedisClusterNode[];
  capacity: number;
  /** A dead process's seats are freed within this time. */
  seatTtlMs: number;
  keyPrefix: string;
  /** How long an operation waits for Redis to come back before it fails with UNAVAILABLE. */
  operationTimeoutMs: number;
  /** How long startup waits for the first connection. */
  connectTimeoutMs: number;
  /**
   * After Redis lost its data, how long no new seats are given while every live process writes its
   * members' seats back (each reconnects within about a second). Default {@link RESTORE_WINDOW_MS}.
   */
  restoreWindowMs?: number;
  logger: Logger;
}

/** What this process knows about each seat its clients hold: enough to write it back. */
interface LocalSeat {
  room: string;
  role: JoinRole;
  polite: boolean;
  secret: string;
  order: number;
}

type ScriptRunner = (...args: (string | number)[]) => Promise<unknown>;
/** CLAIM_SCRIPT's reply: {0}, or {1, role, polite, previousNode, peers}. */
type ClaimReply = [number, string?, string?, string?, string[]?];

/**
 * How often the connections to Redis are pinged, and how long a ping may go unanswered: generous,
 * because a busy machine delays answers by a second or more, and a relay sent early in a stall is
 * not acknowledged blindly: its ack waits for Redis (redis-relay.ts), which drops it unpublished if
 * it takes it past its deadline.
 */
const PROBE_EVERY_MS = 250;
const PROBE_STALL_MS = 3000;
/**
 * After Redis comes back, how long relays stay refused: the other processes' subscribers reconnect
 * on their own schedule (ioredis retries at most a second apart), and a relay published before a
 * peer's process has subscribed again would be lost.
 */
const RECONNECT_SETTLE_MS = 1500;

/** ioredis retries a lost connection at most a second apart; this covers that and the write-back. */
export const RESTORE_WINDOW_MS = 3000;

/** A connection to one Redis or to a Redis Cluster: the store and the relay use what both have. */
export type RedisConnection = Redis | Cluster;

/**
 * The names of the keys (and relay probe channels) the server uses. One Redis: as listed in
 * redis-lua.ts. Redis Cluster: each room's under the hash tag `{room:<room>}`, the process-wide
 * ones under `{registry}`, so that every script touches one slot (see the CLUSTER_ scripts).
 */
export interface RedisKeys {
  readonly cluster: boolean;
  room(room: string): string;
  seats(node: string): string;
  node(node: string): string;
  readonly nodes: string;
  /** The global join counter (one Redis only: on a cluster, order comes from the room). */
  readonly seq: string;
  readonly epoch: string;
  readonly restoring: string;
  /** What the reap scripts prepend to `seats:<node>` and `node:<node>`. */
  readonly registry: string;
  /** Relays of `room` probe `<this><node>` (one channel per process; per room too on a cluster). */
  relayProbe(room: string): string;
}

export function redisKeys(prefix: string, cluster: boolean): RedisKeys {
  const registry = cluster ? `${prefix}{registry}` : prefix;
  return {
    cluster,
    room: (room) => (cluster ? `${prefix}{room:${room}}` : `${prefix}room:${room}`),
    seats: (node) => `${registry}seats:${node}`,
    node: (node) => `${registry}node:${node}`,
    nodes: `${registry}nodes`,
    seq: `${registry}seq`,
    epoch: `${registry}epoch`,
    restoring: `${registry}restoring`,
    registry,
    relayProbe: (room) => (cluster ? `${prefix}{room:${room}}relay-probe:` : `${prefix}relay-probe:`),
  };
}

/** Shown in log lines: a cluster's nodes. */
export function describeRedisCluster(nodes: readonly RedisClusterNode[]): string {
  return `cluster ${nodes.map((node) => `${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`).join(',')}`;
}

/** Shown in log lines: the URL without a password. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable Redis URL)';
  }
}

export class RedisUnavailableError extends ServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ServerErrorCode.RedisUnavailable, message, options);
    this.name = 'RedisUnavailableError';
  }
}

export class RedisSeatStore implements SeatStore {
  readonly nodeId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly distributed = true;
  readonly local: RoomRegistry;
  readonly ready: Promise<void>;
  /** The connection the store's scripts run on; the adapter gets its own two (`duplicate()`). */
  readonly redis: RedisConnection;
  readonly keys: RedisKeys;
  /**
   * Redis Cluster: awaited before a seat is given or claimed in a room, so that this process is
   * subscribed to the room's relay probe channel (RedisRelay.roomOpened) before a peer can relay.
   */
  beforeSeat: ((room: string) => Promise<unknown>) | undefined;
  readonly #options: RedisSeatStoreOptions;
  readonly #log: Logger;
  readonly #where: string;
  readonly #seats = new Map<string, LocalSeat>();
  readonly #listeners: { [E in keyof SeatStoreEvents]: SeatStoreEvents[E][] } = { seatsFreed: [], seatsLost: [] };
  readonly #timers: NodeJS.Timeout[] = [];
  #order = 0;
  /** Resolved while Redis is usable and this process's seats are in it; replaced while it is not. */
  #available: Promise<void>;
  #markAvailable: () => void = () => {};
  #isAvailable = false;
  #lostAt: number | undefined;
  #restoring: Promise<void> | undefined;
  #closed = false;
  #heartbeatSeen = false;
  /** The Redis lifetime this process last saw (EPOCH_SCRIPT); '' before the first connection. */
  #epoch = '';
  /** Connections whose health relays depend on: this store's, and the adapter's publisher and subscriber. */
  readonly #connections: RedisConnection[] = [];
  #probing = false;
  /** When every watched connection last answered a PING; a stalled Redis keeps sockets open but answers nothing. */
  #lastAnsweredAt = 0;
  /** When this process last got Redis back after losing it. */
  #restoredAt = 0;
  /** Redis Cluster: what is wrong with it as its masters last said (undefined: all say cluster_state:ok). */
  #clusterTrouble: string | undefined;
  #checkingMasters = false;
  /** Redis Cluster: when a master last seemed down, or a heartbeat last failed (see #reap). */
  #clusterTroubleAt = 0;

  constructor(options: RedisSeatStoreOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#where = options.cluster !== undefined ? describeRedisCluster(options.cluster) : redactRedisUrl(options.url ?? '');
    this.keys = redisKeys(options.keyPrefix, options.cluster !== undefined);
    this.local = new RoomRegistry(options.capacity);
    this.#available = new Promise((resolve) => (this.#markAvailable = resolve));
    const connectionOptions = {
      // Commands wait for a reconnect instead of failing after 20 retries; every caller bounds the wait.
      maxRetriesPerRequest: null,
      retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
      connectionName: `workbench-seats-${this.nodeId}`,
    };
    this.redis =
      options.cluster !== undefined
        ? new Cluster(options.cluster, {
            lazyConnect: true,
            redisOptions: connectionOptions,
            clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
            // A master that failed over (or a resharding) answers MOVED/CLUSTERDOWN for a moment.
            retryDelayOnClusterDown: 100,
            retryDelayOnFailover: 100,
          })
        : new Redis(options.url ?? '', { lazyConnect: true, ...connectionOptions });
    this.#connections.push(this.redis);
    this.#defineScripts();
    this.redis.on('error', (error: Error) => this.#onError(error));
    this.redis.on('close', () => this.#onClose());
    this.redis.on('ready', () => this.#onReady());
    this.ready = this.#connect();
    // Keep an unobserved startup failure from crashing the process; startServer awaits `ready`.
    this.ready.catch(() => {});
  }

  get capacity(): number {
    return this.#options.capacity;
  }

  on<E extends keyof SeatStoreEvents>(event: E, listener: SeatStoreEvents[E]): void {
    this.#listeners[event].push(listener);
  }

  #defineScripts(): void {
    const scripts: Record<string, [number, string]> = {
      wbJoin: [4, JOIN_SCRIPT],
      wbEpoch: [2, EPOCH_SCRIPT],
      wbLeave: [2, LEAVE_SCRIPT],
      wbClaim: [2, CLAIM_SCRIPT],
      wbHeartbeat: [2, HEARTBEAT_SCRIPT],
      wbReap: [1, REAP_SCRIPT],
      wbRestore: [2, RESTORE_SCRIPT],
      wbClusterJoin: [1, CLUSTER_JOIN_SCRIPT],
      wbClusterLeave: [1, CLUSTER_LEAVE_SCRIPT],
      wbClusterClaim: [1, CLUSTER_CLAIM_SCRIPT],
      wbClusterReapFind: [1, CLUSTER_REAP_FIND_SCRIPT],
      wbClusterFree: [1, CLUSTER_FREE_SCRIPT],
      wbClusterReapDone: [1, CLUSTER_REAP_DONE_SCRIPT],
      wbClusterRestore: [1, CLUSTER_RESTORE_SCRIPT],
    };
    for (const [name, [numberOfKeys, lua]] of Object.entries(scripts)) this.redis.defineCommand(name, { numberOfKeys, lua });
  }

  #script(name: string): ScriptRunner {
    const runner = (this.redis as unknown as Record<string, ScriptRunner>)[name] as ScriptRunner;
    return runner.bind(this.redis);
  }

  async #connect(): Promise<void> {
    const { connectTimeoutMs } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.connect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
        }),
      ]);
      await this.#available;
    } catch (error) {
      this.redis.disconnect();
      const why = error instanceof Error ? error.message : String(error);
      throw new RedisUnavailableError(
        this.keys.cluster
          ? `Could not reach the Redis Cluster (${this.#where}; ${why}). Start its masters (Redis 7 or later, cluster_state:ok), or fix --redis-cluster / REDIS_CLUSTER; without it the server runs as one process with no Redis.`
          : `Could not reach Redis at ${this.#where} (${why}). Start redis-server there, or fix --redis-url / REDIS_URL; without it the server runs as one process with no Redis.`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    const period = Math.max(50, Math.floor(this.#options.seatTtlMs / 5));
    this.#lastAnsweredAt = Date.now();
    this.#timers.push(
      setInterval(() => void this.#beat(), period),
      setInterval(() => void this.#reap(), period),
      setInterval(() => void this.#probe(), PROBE_EVERY_MS),
    );
    for (const timer of this.#timers) timer.unref();
  }

  /**
   * Also watch these connections (socket.io's Redis adapter publishes relays on one and receives
   * them on the other): while one is down or stalled, relays between processes would be lost.
   */
  watch(...connections: RedisConnection[]): void {
    this.#connections.push(...connections);
  }

  /**
   * One PING on every connection at a time. A subscriber's PING is queued behind the SUBSCRIBEs
   * it re-sends after a reconnect, so its answer also says the subscriptions are back.
   */
  async #probe(): Promise<void> {
    if (this.keys.cluster) void this.#checkMasters();
    if (this.#probing || this.#closed) return;
    this.#probing = true;
    const startedAt = Date.now();
    try {
      await Promise.all(this.#connections.map((connection) => connection.ping()));
      this.#lastAnsweredAt = startedAt;
    } catch {
      // A failed PING leaves #lastAnsweredAt behind: unavailableReason() reports the silence.
    } finally {
      this.#probing = false;
    }
  }

  /**
   * Redis Cluster: a PING goes to any one master and is answered even while the cluster is down
   * (a master gone, its slots served by nobody), so each master is asked for CLUSTER INFO as well.
   * A master that does not answer within PROBE_STALL_MS counts as down, as a silent PING does (a
   * busy machine answers late); its question is not asked again until it has answered (ioredis
   * keeps it queued), so a long outage piles nothing up.
   */
  async #checkMasters(): Promise<void> {
    if (this.#checkingMasters || this.#closed || this.redis.status !== 'ready') return;
    this.#checkingMasters = true;
    const masters = (this.redis as Cluster).nodes('master');
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), PROBE_STALL_MS)));
    const answers = masters.map((node) =>
      node.cluster('INFO').then(
        (info) => /cluster_state:(\w+)/.exec(String(info))?.[1] ?? 'unknown',
        () => 'unreachable',
      ),
    );
    const states = await Promise.all(answers.map((answer) => Promise.race([answer, slow])));
    clearTimeout(timer);
    const trouble = states.flatMap((state, i) =>
      state === 'ok' ? [] : [`${masters[i]?.options.host}:${masters[i]?.options.port} ${state === 'slow' ? 'does not answer' : `says cluster_state:${state}`}`],
    );
    this.#clusterTrouble = masters.length === 0 ? 'no master is known' : trouble.length > 0 ? trouble.join(', ') : undefined;
    if (this.#clusterTrouble !== undefined) this.#clusterTroubleAt = Date.now();
    // The next check waits until every master has answered this one.
    void Promise.all(answers).finally(() => (this.#checkingMasters = false));
  }

  unavailableReason(): string | undefined {
    if (this.#closed) return 'the server is shutting down';
    if (!this.#isAvailable) {
      const since = this.#lostAt === undefined ? '' : ` for ${Date.now() - this.#lostAt} ms`;
      return `Redis at ${this.#where} is unreachable${since} (or its seats are being put back)`;
    }
    // Asked for every relay to another process: no allocation while all is well.
    for (const connection of this.#connections) {
      if (connection.status !== 'ready') return `a connection to Redis at ${this.#where} is ${connection.status}`;
    }
    const now = Date.now();
    const silentMs = now - this.#lastAnsweredAt;
    if (silentMs > PROBE_STALL_MS) return `Redis at ${this.#where} has not answered a PING for ${silentMs} ms (stalled or overloaded)`;
    if (now - this.#restoredAt < RECONNECT_SETTLE_MS) return `Redis at ${this.#where} is back only since ${now - this.#restoredAt} ms; the other processes are reconnecting`;
    if (this.#clusterTrouble !== undefined) return `the Redis Cluster (${this.#where}) is not ok: ${this.#clusterTrouble}`;
    return undefined;
  }

  #onError(error: Error): void {
    // ioredis reports each failed reconnect attempt; one line per outage is enough.
    if (this.#isAvailable || this.#lostAt === undefined) this.#log.debug(`Redis at ${this.#where}: ${error.message}`);
  }

  #onClose(): void {
    if (this.#closed || !this.#isAvailable) return;
    this.#isAvailable = false;
    this.#lostAt = Date.now();
    this.#available = new Promise((resolve) => (this.#markAvailable = resolve));
    this.#log.warn(
      `lost the connection to Redis at ${this.#where}: joins wait up to ${this.#options.operationTimeoutMs} ms for it, relays between processes pause until it is back`,
      { event: 'redis_lost', redis: this.#where },
    );
  }

  #onReady(): void {
    if (this.#closed) return;
    this.#startRestore();
  }

  /** One restore at a time: a reconnect during a restore waits for it rather than racing it. */
  #startRestore(): void {
    if (this.#restoring !== undefined) return;
    this.#restoring = this.#restore().finally(() => {
      this.#restoring = undefined;
    });
  }

  /** Writes this process's seats back (Redis may have restarted empty), then lets operations through. */
  async #restore(): Promise<void> {
    try {
      // First: did Redis lose its data? Then joins wait until every process has put its seats back.
      this.#epoch = String(
        await this.#script('wbEpoch')(
          this.keys.epoch,
          this.keys.restoring,
          this.#epoch,
          randomBytes(8).toString('hex'),
          this.#options.restoreWindowMs ?? RESTORE_WINDOW_MS,
        ),
      );
      await this.#beat(true);
      const seats = [...this.#seats.entries()].sort(([, a], [, b]) => a.order - b.order);
      if (seats.length > 0 && this.keys.cluster) {
        this.#dropLost(await this.#restoreOnCluster(seats));
      } else if (seats.length > 0) {
        const args = seats.flatMap(([member, seat]) => [seat.room, member, seat.role, seat.polite ? '1' : '0', seat.secret]);
        const lost = (await this.#script('wbRestore')(
          this.keys.seats(this.nodeId),
          this.keys.seq,
          this.nodeId,
          this.capacity,
          this.#options.keyPrefix,
          ...args,
        )) as string[];
        this.#dropLost(lost);
      }
      const wasLost = this.#lostAt;
      if (wasLost !== undefined) this.#restoredAt = Date.now();
      this.#isAvailable = true;
      this.#lostAt = undefined;
      this.#markAvailable();
      if (wasLost !== undefined) {
        this.#log.warn(
          `reconnected to Redis at ${this.#where} after ${Date.now() - wasLost} ms; re-registered ${seats.length} seat(s) of this process`,
          { event: 'redis_restored', redis: this.#where, seats: seats.length },
        );
      }
    } catch (error) {
      // Usually the connection dropped again mid-restore and the next 'ready' runs it again; if it
      // is still up, something else failed, and trying again shortly is all there is to do.
      this.#log.warn('re-registering seats in Redis failed; retrying', error);
      if (this.redis.status === 'ready' && !this.#closed) setTimeout(() => this.#startRestore(), 500).unref();
    }
  }

  /**
   * RESTORE_SCRIPT on a Redis Cluster: one script per seat (each in its room's slot), after the
   * seats are back in this process's set. Returns the same flat triples of seats not written back.
   */
  async #restoreOnCluster(seats: [string, LocalSeat][]): Promise<string[]> {
    const seatsKey = this.keys.seats(this.nodeId);
    await this.redis.sadd(seatsKey, ...seats.map(([member, seat]) => `${seat.room} ${member}`));
    // Sent together: the cluster client keeps their order per master, so each room gets its seats oldest first.
    const verdicts = await Promise.all(
      seats.map(([member, seat]) =>
        this.#script('wbClusterRestore')(this.keys.room(seat.room), this.nodeId, this.capacity, member, seat.role, seat.polite ? '1' : '0', seat.secret),
      ),
    );
    const lost: string[] = [];
    const notHeld: string[] = [];
    verdicts.forEach((verdict, i) => {
      const [member, seat] = seats[i] as [string, LocalSeat];
      if (verdict === 'ok') return;
      lost.push(seat.room, member, String(verdict));
      notHeld.push(`${seat.room} ${member}`);
    });
    if (notHeld.length > 0) await this.redis.srem(seatsKey, ...notHeld);
    return lost;
  }

  #dropLost(flat: string[]): void {
    const gone: FreedSeat[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const room = flat[i] as string;
      const memberId = flat[i + 1] as string;
      const why = flat[i + 2];
      this.#forget(memberId);
      // A seat that moved belongs to a client that resumed on another process: nobody left.
      if (why === 'full') gone.push({ room, memberId });
    }
    if (gone.length === 0) return;
    this.#log.warn(`${gone.length} seat(s) of this process were taken by other joins while Redis was away`, { seats: gone });
    for (const listener of this.#listeners.seatsLost) listener(gone);
  }

  async #beat(force = false): Promise<void> {
    if (this.#closed || (!force && !this.#isAvailable)) return;
    try {
      const existed = await this.#script('wbHeartbeat')(
        this.keys.node(this.nodeId),
        this.keys.nodes,
        Math.ceil(this.#options.seatTtlMs * 0.6),
        this.nodeId,
      );
      // The key vanished while we were connected: this process stalled past its TTL, and the
      // reaper may have freed its seats. Put back what it can.
      if (existed === 0 && this.#heartbeatSeen && !force) {
        this.#log.warn('this process missed its heartbeat (stalled or Redis was flushed); re-registering its seats');
        this.#startRestore();
      }
      this.#heartbeatSeen = true;
    } catch (error) {
      this.#clusterTroubleAt = Date.now();
      if (force) throw error;
    }
  }

  async #reap(): Promise<void> {
    if (this.#closed || !this.#isAvailable) return;
    // A Redis Cluster with a master down refuses every command (CLUSTERDOWN) while this process's
    // connection stays up, so no process could refresh its heartbeat, and the first to reap once it
    // is back would free every other live process's seats and tell their peers 'bye' (the outage
    // test caught this). Reaping waits one seat TTL after any sign of trouble, by when every live
    // process has beaten again; a process that did die is reaped that much later.
    if (this.keys.cluster && Date.now() - this.#clusterTroubleAt < this.#options.seatTtlMs) return;
    try {
      const freed: FreedSeat[] = [];
      if (this.keys.cluster) {
        freed.push(...(await this.#reapOnCluster()));
      } else {
        const flat = (await this.#script('wbReap')(this.keys.nodes, this.#options.keyPrefix)) as string[];
        for (let i = 0; i + 1 < flat.length; i += 2) freed.push({ room: flat[i] as string, memberId: flat[i + 1] as string });
      }
      if (freed.length === 0) return;
      this.#log.info(`freed ${freed.length} seat(s) of server process(es) that stopped refreshing their heartbeat`, {
        event: 'ghost_seats_freed',
        seats: freed.length,
      });
      for (const listener of this.#listeners.seatsFreed) listener(freed);
    } catch (error) {
      this.#log.debug('reaping dead processes’ seats failed; the next pass retries', error);
    }
  }

  /**
   * REAP_SCRIPT on a Redis Cluster, in three steps: find the dead processes and their seats (one
   * slot), free each seat its room still gives that process (one script per room, so exactly one
   * reaper frees it), then drop those seats from the dead process's set (one slot).
   */
  async #reapOnCluster(): Promise<FreedSeat[]> {
    const found = (await this.#script('wbClusterReapFind')(this.keys.nodes, this.keys.registry)) as (string | number)[];
    const freed: FreedSeat[] = [];
    for (let at = 0; at + 1 < found.length; ) {
      const node = String(found[at]);
      const count = Number(found[at + 1]);
      const entries = found.slice(at + 2, at + 2 + count).map(String);
      at += 2 + count;
      const seats = entries.map((entry) => {
        const [room = '', memberId = ''] = entry.split(' ');
        return { room, memberId };
      });
      const results = await Promise.all(seats.map((seat) => this.#script('wbClusterFree')(this.keys.room(seat.room), seat.memberId, node)));
      seats.forEach((seat, i) => {
        if (results[i] === 1) freed.push(seat);
      });
      await this.#script('wbClusterReapDone')(this.keys.nodes, this.keys.registry, node, ...entries);
    }
    return freed;
  }

  /** Runs `operation` once Redis is usable, failing with REDIS_UNAVAILABLE after the timeout. */
  async #whenAvailable<T>(what: string, operation: () => Promise<T>, onLate?: (value: T) => void): Promise<T> {
    if (this.#closed) throw new RedisUnavailableError(`The server is shutting down; ${what} was not done.`);
    const { operationTimeoutMs } = this.#options;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const work = this.#available.then(operation);
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(
              new RedisUnavailableError(
                `The server's room store (Redis at ${this.#where}) did not answer within ${operationTimeoutMs} ms; ${what} was not done. Try again in a moment.`,
              ),
            );
          }, operationTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (timedOut && onLate !== undefined) work.then(onLate, () => {});
      else if (timedOut) work.catch(() => {});
    }
  }

  #remember(memberId: string, seat: Omit<LocalSeat, 'order'>): void {
    const known = this.#seats.get(memberId);
    if (known === undefined) this.#seats.set(memberId, { ...seat, order: (this.#order += 1) });
    else known.secret = seat.secret;
    if (this.local.roomOf(memberId) === undefined) this.local.join(seat.room, memberId);
  }

  #forget(memberId: string): void {
    this.#seats.delete(memberId);
    this.local.leave(memberId);
  }

  async join(room: string, memberId: string): Promise<SeatJoinOutcome> {
    // This attempt's token: the seat it creates (or takes over) carries it, and its undo names it.
    const secret = newSeatSecret();
    const known = this.#seats.get(memberId);
    type JoinReply = [string, string, string, string, string[], string];
    const knownSecret = known?.room === room ? known.secret : '';
    const run = async () => {
      if (this.keys.cluster) return (await this.#joinOnCluster(room, memberId, secret, knownSecret)) as JoinReply;
      const reply = (await this.#script('wbJoin')(
        this.keys.room(room),
        this.keys.seq,
        this.keys.seats(this.nodeId),
        this.keys.restoring,
        memberId,
        this.capacity,
        this.nodeId,
        secret,
        room,
        knownSecret,
      )) as JoinReply;
      return reply;
    };
    // A join that Redis carries out after its caller gave up must not leave a seat nobody uses; and
    // its undo must not free a seat a later attempt of the same client took over and was admitted
    // to (a retry during a stall): it frees the seat only while the seat still carries its token.
    const undoLate = (reply: Awaited<ReturnType<typeof run>>) => {
      if (reply[3] !== secret) return;
      void this.#whenAvailable(`undoing a late join of room "${room}"`, () => this.#leaveSeat(room, memberId, secret)).catch(() => {});
    };
    const [status, role, polite, seatSecret, peers, filled] = await this.#whenAvailable(`joining room "${room}"`, run, undoLate);
    if (status === 'restoring') {
      throw new RedisUnavailableError(
        `The server's room store (Redis at ${this.#where}) restarted moments ago and the seats of members already in rooms are being put back; joining room "${room}" was not done. Try again in a few seconds.`,
      );
    }
    if (status === 'full') {
      return {
        ok: false,
        error: {
          code: SignalingErrorCode.RoomFull,
          message: `Room "${room}" is full (${this.capacity} of ${this.capacity}). Pick another room name, or wait until someone leaves.`,
          event: 'create or join',
        },
      };
    }
    const seat = { room, role: role as JoinRole, polite: polite === '1', secret: seatSecret };
    this.#remember(memberId, seat);
    return {
      ok: true,
      room,
      clientId: memberId,
      role: seat.role,
      polite: seat.polite,
      peers,
      capacity: this.capacity,
      filled: filled === '1',
      repeated: status === 'repeated',
      secret: seatSecret,
    };
  }

  async leave(room: string, memberId: string): Promise<RoomLeaveOutcome | undefined> {
    // Forgotten first: a restore running meanwhile must not write back a seat its client gave up.
    this.#forget(memberId);
    const reply = await this.#whenAvailable(`leaving room "${room}"`, () => this.#leaveSeat(room, memberId, ''));
    if (reply[0] !== 1) return undefined;
    return { room, clientId: memberId, remaining: reply[1] ?? [] };
  }

  async claim(room: string, memberId: string, secret: string): Promise<SeatClaim | undefined> {
    const reply = await this.#whenAvailable(`resuming a seat in room "${room}"`, () =>
      this.keys.cluster
        ? this.#claimOnCluster(room, memberId, secret)
        : (this.#script('wbClaim')(this.keys.room(room), this.keys.seats(this.nodeId), memberId, this.nodeId, secret, room, this.#options.keyPrefix) as Promise<ClaimReply>),
    );
    if (reply[0] !== 1) return undefined;
    const role = reply[1] as JoinRole;
    const polite = reply[2] === '1';
    this.#remember(memberId, { room, role, polite, secret });
    return { room, memberId, role, polite, previousNode: reply[3] ?? this.nodeId, peers: reply[4] ?? [] };
  }

  /**
   * JOIN_SCRIPT on a Redis Cluster: the seat goes into this process's set first (so the reaper finds
   * it should this process die right after), the restoring flag is read with it, then the room's
   * script decides; a seat not given is taken out of the set again.
   */
  async #joinOnCluster(room: string, memberId: string, secret: string, knownSecret: string): Promise<unknown[]> {
    const seatsKey = this.keys.seats(this.nodeId);
    const entry = `${room} ${memberId}`;
    await this.beforeSeat?.(room);
    const registered = await this.redis.multi().sadd(seatsKey, entry).exists(this.keys.restoring).exec();
    const restoring = registered?.[1]?.[1] === 1 ? '1' : '0';
    const reply = (await this.#script('wbClusterJoin')(this.keys.room(room), memberId, this.capacity, this.nodeId, secret, room, knownSecret, restoring)) as unknown[];
    if (reply[0] === 'full' || reply[0] === 'restoring') await this.redis.srem(seatsKey, entry);
    return reply;
  }

  /** LEAVE_SCRIPT's reply ({1, remaining} or {0}) on either kind of Redis. */
  async #leaveSeat(room: string, memberId: string, secret: string): Promise<[number, string[]?]> {
    if (!this.keys.cluster) {
      return (await this.#script('wbLeave')(this.keys.room(room), this.keys.seats(this.nodeId), memberId, this.nodeId, room, secret)) as [number, string[]?];
    }
    const reply = (await this.#script('wbClusterLeave')(this.keys.room(room), memberId, this.nodeId, secret)) as [number, string[]?];
    // {2}: the seat is this process's still (a later attempt's); otherwise it is not, or no longer.
    if (reply[0] === 2) return [0];
    await this.redis.srem(this.keys.seats(this.nodeId), `${room} ${memberId}`);
    return reply;
  }

  /** CLAIM_SCRIPT on a Redis Cluster: into this process's set first, out of the previous one's after. */
  async #claimOnCluster(room: string, memberId: string, secret: string): Promise<ClaimReply> {
    const entry = `${room} ${memberId}`;
    await this.beforeSeat?.(room);
    await this.redis.sadd(this.keys.seats(this.nodeId), entry);
    const reply = (await this.#script('wbClusterClaim')(this.keys.room(room), memberId, this.nodeId, secret)) as ClaimReply;
    const previousNode = reply[3];
    if (reply[0] === 1 && previousNode !== undefined && previousNode !== this.nodeId) {
      await this.redis.srem(this.keys.seats(previousNode), entry);
    } else if (reply[0] !== 1 && this.#seats.get(memberId)?.room !== room) {
      await this.redis.srem(this.keys.seats(this.nodeId), entry);
    }
    return reply;
  }

  /** Forget a seat locally without touching Redis: another process claimed it. */
  release(memberId: string): void {
    this.#forget(memberId);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const timer of this.#timers) clearInterval(timer);
    try {
      if (this.#isAvailable && this.#seats.size === 0) {
        // Nothing held: say so now rather than letting the heartbeat expire.
        await Promise.race([
          this.redis
            .multi()
            .del(this.keys.node(this.nodeId), this.keys.seats(this.nodeId))
            .srem(this.keys.nodes, this.nodeId)
            .exec(),
          new Promise((resolve) => setTimeout(resolve, 500)),
        ]);
      }
    } catch {
      // Best effort: the heartbeat expires anyway.
    }
    this.#closed = true;
    this.redis.disconnect();
  }
}
