/**
 * Relays to members on other processes, acknowledged only once Redis has handed them over.
 *
 * socket.io's Redis adapter publishes a relay and forgets it, so checking Redis's health before
 * the emit (SeatStore.unavailableReason) left two ways to acknowledge a relay and lose it (issue
 * 18): Redis stalls just after the check passed and is then killed and restarted (the PUBLISH sat
 * unread in the dead Redis's socket; ioredis sends it again to the new Redis, where the peer's
 * process may not have subscribed yet), and the peer's process alone lost its subscription (the
 * PUBLISH reaches nobody there while every connection of the sender's process is fine).
 *
 * So the adapter's PUBLISH of a relay is swapped, as it leaves, for RELAY_SCRIPT, which publishes
 * only if the process holding each remote peer's seat is subscribed, and the client's ack waits
 * for its answer. PUBLISH's own reply could not say that: every process subscribes to the same
 * pattern, so its count says how many processes are listening, not whether the peer's one is.
 *
 * And the ack waits for a receipt from each peer's process (see RELAY_SCRIPT): Redis having passed
 * a relay on does not mean the process read it, and one killed meanwhile lost messages that had
 * been acknowledged (the failover test in packages/cluster kills a process under load).
 *
 * On a Redis Cluster the same happens over sharded pub/sub: the adapter SPUBLISHes to a channel per
 * room, in the room's hash slot (see roomKey), so the script runs there (CLUSTER_RELAY_SCRIPT). A
 * script may only publish in its own slot, so each process's probe channel is per room too
 * (`P{room:<room>}relay-probe:<node>`), subscribed while the process has clients in that room, right
 * after the adapter's room channel: the same master, so the same subscriber connection, and the
 * receipt still arrives right behind the relay.
 */
import { CLUSTER_RELAY_SCRIPT, RELAY_SCRIPT } from './redis-lua.js';
import { RedisUnavailableError, type RedisConnection, type RedisKeys } from './redis-seat-store.js';

/** What became of a relay: delivered, or a message for the sender saying why not. */
export type RelayVerdict = { delivered: true } | { delivered: false; reason: string };

export interface CrossProcessRelay {
  /**
   * Runs `emit`, a socket.io broadcast to `room` (which has members on other processes), and
   * resolves with what Redis made of the publish it made. Never rejects.
   * `remotePeers`: the sender's peers that are not clients of this process.
   */
  send(room: string, remotePeers: readonly string[], emit: () => void): Promise<RelayVerdict>;
  /** How this process tells whether a member whose seat it holds is connected to it right now. */
  watchPresence(present: (memberId: string) => boolean): void;
}

/**
 * Redis must take a relay within this time or it is not published at all, and the client gets its
 * answer within {@link RELAY_WAIT_MS}: a bit more, so that a relay Redis took just in time is
 * usually confirmed rather than reported as "may not have arrived".
 */
export const RELAY_DEADLINE_MS = 2000;
export const RELAY_WAIT_MS = 2500;
/**
 * How long a published relay waits for its receipts before the peers' processes are probed again.
 * A live process answers within milliseconds; one that stopped answering is asked whether it is
 * still subscribed at all (see {@link RedisRelay}'s receipt handling).
 */
export const RECEIPT_WAIT_MS = 1000;
/** Bounds that second probe; past it Redis is in trouble and the relay counts as delivered. */
const REPROBE_TIMEOUT_MS = 5000;
/** The deadline is on Redis's clock (it may be another machine's): re-measured this often. */
const CLOCK_SYNC_EVERY_MS = 5000;
/** A TIME answer slower than this says too little about the offset (its error is half of it). */
const CLOCK_SYNC_MAX_RTT_MS = 200;

const DELIVERED: RelayVerdict = Object.freeze({ delivered: true });

/** A peer whose connection dropped and whose seat is held for its reconnect got nothing. */
function awayReason(memberId: string): string {
  return `Not delivered: your peer ${memberId} is reconnecting (its connection dropped; its seat is held for it).`;
}

/** Every refusal ends the same way: the sender may send it again. */
function notDelivered(reason: string): RelayVerdict {
  return { delivered: false, reason: `${reason} Send it again in a moment.` };
}

type Publish = (channel: unknown, message: unknown) => Promise<unknown>;
type RelayScript = (...args: (string | number | Buffer)[]) => Promise<unknown>;

/**
 * A relay whose peers' processes may not all have answered yet. Registered before the script runs:
 * an answer (on the subscriber connection) can overtake the script's own reply (on the publisher).
 */
interface PendingReceipt {
  /** The processes that have answered. */
  answered: Set<string>;
  /** Called on each answer once the script has said which processes to wait for. */
  onAnswer?: () => void;
  /** A peer that a process answered is not connected there (its seat is held for a reconnect). */
  away?: string;
}

/** The script published the relay; `confirm` says whether the peers' processes took it. */
interface Published {
  confirm: Promise<RelayVerdict>;
}

export interface RedisRelayOptions {
  /** The adapter's publishing connection; its `publish` (`spublish` on a cluster) is wrapped. */
  pub: RedisConnection;
  /** The adapter's subscribing connection: this process's probe channel is subscribed on it. */
  sub: RedisConnection;
  /** This process's id in the seat store (seats carry it; RELAY_SCRIPT probes by it). */
  nodeId: string;
  /** The seat store's key names: the relay script reads the room's seats. */
  keys: RedisKeys;
  /** The `key` option given to the adapter: its room channels are `<key>#/#<room>#`. */
  adapterKey: string;
  /** Redis's URL as log lines and messages show it (no password). */
  where: string;
}

/** Redis glob patterns treat these as special; a node id or prefix must match itself only. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

export class RedisRelay implements CrossProcessRelay {
  readonly #options: RedisRelayOptions;
  readonly #publish: Publish;
  readonly #script: RelayScript;
  readonly #roomChannels: string;
  readonly #sharded: boolean;
  /** The rooms whose probe channel this process subscribed (cluster only), and that subscription. */
  readonly #probedRooms = new Map<string, Promise<unknown>>();
  /** Set while `send` runs the emit: the next room publish is this relay's. */
  #sending: { room: string; peers: readonly string[] } | undefined;
  #reply: Promise<RelayVerdict | Published> | undefined;
  /** Redis's clock minus this one, in ms; undefined until measured (no deadline meanwhile). */
  #clockOffsetMs: number | undefined;
  #clockTimer: NodeJS.Timeout | undefined;
  #receiptIds = 0;
  /** Times the publishing connection dropped: a relay published before a drop cannot be re-probed fairly. */
  #pubDrops = 0;
  readonly #receipts = new Map<string, PendingReceipt>();
  /** Whether a member is connected to this process (see {@link RedisRelay.watchPresence}). */
  #present: ((memberId: string) => boolean) | undefined;
  /** Receipts this process owes, by the asking process's probe channel, until the next setImmediate sends them. */
  readonly #unanswered = new Map<string, string[]>();

  constructor(options: RedisRelayOptions) {
    this.#options = options;
    const { pub, keys, adapterKey } = options;
    this.#roomChannels = `${adapterKey}#/#`;
    this.#sharded = keys.cluster;
    pub.defineCommand('wbRelay', { numberOfKeys: 1, lua: this.#sharded ? CLUSTER_RELAY_SCRIPT : RELAY_SCRIPT });
    this.#script = (pub as unknown as { wbRelay: RelayScript }).wbRelay.bind(pub);
    const publishing = this.#sharded ? 'spublish' : 'publish';
    const publisher = pub as unknown as Record<'publish' | 'spublish', Publish>;
    this.#publish = publisher[publishing].bind(pub);
    // The adapter calls `pubClient.publish(channel, msg)` (the sharded one `spublish`) synchronously
    // inside the emit and ignores what it returns; only a relay that `send` is running is swapped for the script.
    publisher[publishing] = (channel, message) => {
      const sending = this.#sending;
      if (sending === undefined || typeof channel !== 'string' || !channel.startsWith(this.#roomChannels)) return this.#publish(channel, message);
      this.#sending = undefined;
      const reply = this.#run(sending, channel, message as string | Buffer);
      this.#reply = reply;
      return reply;
    };
    pub.on('ready', () => void this.#syncClock());
    pub.on('close', () => (this.#pubDrops += 1));
  }

  /**
   * Subscribes this process's probe channel (after the adapter's pattern) and reads Redis's clock.
   * Fails with REDIS_UNAVAILABLE when the subscribing connection is not ready within `timeoutMs`.
   */
  async start(timeoutMs: number): Promise<void> {
    const { sub, nodeId } = this.#options;
    // Not before 'ready': a PSUBSCRIBE written while ioredis is still handshaking puts the
    // connection in subscriber mode before its ready check, whose INFO is then refused, and the
    // process died of it (seen while this was written). Resuming after the 'ready' event also lets
    // the adapter's subscriptions, queued until then, go out first.
    if (sub.status !== 'ready') {
      let onReady: () => void = () => {};
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          onReady = resolve;
          // Not events.once: it gives up at the first 'error', and ioredis reports every retry as one.
          sub.once('ready', onReady);
          timer = setTimeout(
            () => reject(new RedisUnavailableError(`Could not subscribe to Redis at ${this.#options.where} within ${timeoutMs} ms.`)),
            timeoutMs,
          );
        });
      } finally {
        clearTimeout(timer);
        sub.off('ready', onReady);
      }
    }
    if (this.#sharded) {
      // Probe channels are per room here, subscribed by roomOpened(); messages on any of them come here.
      sub.on('smessage', (channel: string, message: string) => {
        if (channel.endsWith(`}relay-probe:${nodeId}`)) this.#onProbeMessage(message, channel.slice(0, -nodeId.length));
      });
    } else {
      // A pattern, not a channel, on purpose: ioredis resubscribes all of a connection's patterns in
      // one PSUBSCRIBE after a reconnect, so while the probe answers, the adapter's pattern is back too.
      const probePrefix = this.#options.keys.relayProbe('');
      const ownChannel = `${probePrefix}${nodeId}`;
      sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
        if (channel === ownChannel) this.#onProbeMessage(message, probePrefix);
      });
      await sub.psubscribe(escapeGlob(ownChannel));
    }
    await this.#syncClock();
    this.#clockTimer = setInterval(() => void this.#syncClock(), CLOCK_SYNC_EVERY_MS);
    this.#clockTimer.unref();
  }

  close(): void {
    clearInterval(this.#clockTimer);
  }

  /**
   * How this process tells whether a member whose seat it holds is connected right now. Until it is
   * given (the signaling handlers give it as they start), every receipt is answered as delivered.
   */
  watchPresence(present: (memberId: string) => boolean): void {
    this.#present = present;
  }

  /**
   * Redis Cluster: this process now has clients in `room` (socket.io made the room; its sharded
   * adapter has just subscribed the room's channel): subscribe its probe channel for the room, so
   * other processes' relays to them are published. Resolves once Redis has confirmed it.
   */
  roomOpened(room: string): Promise<unknown> {
    if (!this.#sharded) return Promise.resolve();
    let subscribed = this.#probedRooms.get(room);
    if (subscribed === undefined) {
      subscribed = (this.#options.sub.ssubscribe(`${this.#options.keys.relayProbe(room)}${this.#options.nodeId}`) as Promise<unknown>).catch(() => {});
      this.#probedRooms.set(room, subscribed);
    }
    return subscribed;
  }

  /** Redis Cluster: this process's last client left `room`. */
  roomClosed(room: string): void {
    if (!this.#sharded || !this.#probedRooms.delete(room)) return;
    void (this.#options.sub.sunsubscribe(`${this.#options.keys.relayProbe(room)}${this.#options.nodeId}`) as Promise<unknown>).catch(() => {});
  }

  /**
   * What arrives on this process's probe channel: '' (a probe: being subscribed is the answer),
   * 'r <node> <id> [<member>,…]' (another process's relay came just before this on the same
   * connection, so the adapter has already handed it to this process's clients: answer it; the
   * members are the relay's peers whose seats this process holds, on one Redis), 'd <id>[,<id>…] <node>'
   * (a peer's process answering for some of this process's relays), or 'a <id> <node> <member>'
   * (that process holds the seat of `member`, who is not connected there: the relay missed it).
   * `probePrefix`: the channel's, without the node.
   */
  #onProbeMessage(message: string, probePrefix: string): void {
    const [kind, first, second, third] = message.split(' ');
    if (kind === 'r' && first !== undefined && second !== undefined) {
      // A peer whose seat is here but whose connection is not (it dropped; the seat is held for its
      // reconnect) got nothing: that is said at once, rather than acknowledged and missed.
      const away = third?.split(',').find((member) => this.#present?.(member) === false);
      if (away !== undefined) void this.#publish(`${probePrefix}${first}`, `a ${second} ${this.#options.nodeId} ${away}`).catch(() => {});
      else this.#answerLater(`${probePrefix}${first}`, second);
    } else if (kind === 'a' && first !== undefined && second !== undefined && third !== undefined) {
      const pending = this.#receipts.get(first);
      if (pending === undefined) return;
      pending.away ??= third;
      pending.answered.add(second);
      pending.onAnswer?.();
    } else if (kind === 'd' && first !== undefined && second !== undefined) {
      for (const id of first.split(',')) {
        const pending = this.#receipts.get(id);
        if (pending === undefined) continue; // answered after the sender stopped waiting
        pending.answered.add(second);
        pending.onAnswer?.();
      }
    }
  }

  /**
   * Answers receipt `id` on `channel` (the asking process's probe channel) after the I/O phase, so
   * that writes engine.io queued behind one still in flight go out first. The receipts asked for in
   * one I/O phase go back as one message per channel ('d id1,id2,… <node>'): under a burst, one
   * PUBLISH for many relays instead of one each.
   */
  #answerLater(channel: string, id: string): void {
    const ids = this.#unanswered.get(channel);
    if (ids !== undefined) {
      ids.push(id);
      return;
    }
    this.#unanswered.set(channel, [id]);
    if (this.#unanswered.size > 1) return;
    setImmediate(() => {
      const batches = [...this.#unanswered];
      this.#unanswered.clear();
      for (const [to, list] of batches) {
        void this.#publish(to, `d ${list.join(',')} ${this.#options.nodeId}`).catch(() => {});
      }
    });
  }

  send(room: string, remotePeers: readonly string[], emit: () => void): Promise<RelayVerdict> {
    this.#sending = { room, peers: remotePeers };
    let reply: Promise<RelayVerdict | Published> | undefined;
    try {
      emit();
    } finally {
      reply = this.#reply;
      this.#sending = undefined;
      this.#reply = undefined;
    }
    if (reply === undefined) {
      return Promise.resolve({ delivered: false, reason: 'Not delivered: the server published nothing for it (a server bug). Send it again.' });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () =>
          resolve({
            delivered: false,
            reason: `Maybe not delivered: your peer is on another server process and Redis at ${this.#options.where} did not confirm the message within ${RELAY_WAIT_MS} ms, so it may or may not have arrived. Send it again.`,
          }),
        RELAY_WAIT_MS,
      );
      // The wait bounds the script's answer only: once it has published, the deadline no longer
      // keeps the relay from arriving, and only the receipts can say whether it did.
      void reply.then((verdict) => {
        clearTimeout(timer);
        if ('confirm' in verdict) void verdict.confirm.then(resolve);
        else resolve(verdict);
      });
    });
  }

  #run(sending: { room: string; peers: readonly string[] }, channel: string, message: string | Buffer): Promise<RelayVerdict | Published> {
    const { keys, nodeId } = this.#options;
    const probePrefix = keys.relayProbe(sending.room);
    const deadline = this.#clockOffsetMs === undefined ? 0 : Math.round(Date.now() + this.#clockOffsetMs + RELAY_DEADLINE_MS);
    const receiptId = (this.#receiptIds += 1).toString(36);
    const drops = this.#pubDrops;
    this.#receipts.set(receiptId, { answered: new Set() });
    return this.#script(keys.room(sending.room), nodeId, channel, message, probePrefix, deadline, receiptId, ...sending.peers).then(
      (reply) => this.#verdict(reply, receiptId, drops, probePrefix),
      (error: unknown) => {
        this.#receipts.delete(receiptId);
        return {
          delivered: false,
          reason: `Maybe not delivered: your peer is on another server process and Redis at ${this.#options.where} failed (${error instanceof Error ? error.message : String(error)}), so it may or may not have arrived. Send it again.`,
        };
      },
    );
  }

  /**
   * Resolves once every process in `nodes` has answered receipt `id`. One that has not within
   * RECEIPT_WAIT_MS is probed again: no longer subscribed, while Redis stayed up, means it died
   * (or lost Redis) with the relay maybe unread, so the sender is told "maybe not delivered" and
   * resends. Subscribed means it is alive and read the relay (its answer is late, or was lost in a
   * Redis restart), and so is Redis trouble on the way (the publishing connection dropped, or the
   * probe fails): in both the relay counts as delivered, as it did before receipts, so that a Redis
   * stall or restart does not turn relays that arrived into refusals the sender would resend.
   */
  #receipt(id: string, nodes: readonly string[], drops: number, probePrefix: string): Promise<RelayVerdict> {
    const pending = this.#receipts.get(id) ?? { answered: new Set<string>() };
    const silent = () => nodes.filter((node) => !pending.answered.has(node));
    return new Promise<void>((settled) => {
      if (silent().length === 0) {
        settled();
        return;
      }
      const timer = setTimeout(settled, RECEIPT_WAIT_MS);
      pending.onAnswer = () => {
        if (silent().length > 0) return;
        clearTimeout(timer);
        settled();
      };
    }).then(async () => {
      this.#receipts.delete(id);
      if (pending.away !== undefined) return notDelivered(awayReason(pending.away));
      const unanswered = silent();
      if (unanswered.length === 0) return DELIVERED;
      const subscribers = await Promise.race([
        Promise.all(unanswered.map((node) => this.#publish(`${probePrefix}${node}`, '') as Promise<number>)),
        new Promise<undefined>((resolve) => setTimeout(resolve, REPROBE_TIMEOUT_MS)),
      ]).catch(() => undefined);
      if (subscribers === undefined || this.#pubDrops !== drops) return DELIVERED;
      const gone = unanswered.filter((_, i) => subscribers[i] === 0);
      if (gone.length === 0) return DELIVERED;
      return {
        delivered: false,
        reason: `Maybe not delivered: the server process of your peer stopped (it died, or lost Redis at ${this.#options.where}) before confirming the message, so it may or may not have arrived. Send it again.`,
      };
    });
  }

  #verdict(reply: unknown, receiptId: string, drops: number, probePrefix: string): RelayVerdict | Published {
    const [status, detail] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (status !== 'ok') this.#receipts.delete(receiptId);
    if (status === 'ok') return Array.isArray(detail) && detail.length > 0 ? { confirm: this.#receipt(receiptId, detail as string[], drops, probePrefix) } : DELIVERED;
    const where = this.#options.where;
    const reason =
      status === 'missing'
        ? `Not delivered: the seat of your peer ${String(detail)} is not in Redis at ${where} (Redis restarted and its server process has not put it back yet, or it just left).`
        : status === 'away'
          ? awayReason(String(detail))
          : status === 'deaf'
            ? this.#sharded
              ? // Per room here: a process unsubscribes a room's probe once its last client there is gone.
                `Not delivered: the server process of your peer ${String(detail)} is not receiving this room's messages from Redis at ${where} right now (your peer's connection dropped and it may come back, its connection to Redis dropped, or the process died).`
              : `Not delivered: the server process of your peer ${String(detail)} is not receiving from Redis at ${where} right now (its connection to Redis dropped, or the process died).`
            : status === 'late'
              ? `Not delivered: Redis at ${where} took the message ${String(detail)} ms after its ${RELAY_DEADLINE_MS} ms deadline (stalled or overloaded), and a late signaling message is worse than none.`
              : `Not delivered: Redis at ${where} gave an answer this server does not understand (${JSON.stringify(reply)}).`;
    return notDelivered(reason);
  }

  /**
   * Redis's TIME against this clock, taken at the midpoint of the round trip. On a cluster it is
   * one master's clock while each relay script reads its room's master: they differ by their NTP
   * error, milliseconds against a deadline of seconds.
   */
  async #syncClock(): Promise<void> {
    try {
      const before = Date.now();
      const [seconds, micros] = (await this.#options.pub.time()) as unknown as [string | number, string | number];
      const after = Date.now();
      if (after - before > CLOCK_SYNC_MAX_RTT_MS) return;
      this.#clockOffsetMs = Number(seconds) * 1000 + Number(micros) / 1000 - (before + after) / 2;
    } catch {
      // Redis is away; the last offset stands (clocks drift by far less than the deadline meanwhile).
    }
  }
}
