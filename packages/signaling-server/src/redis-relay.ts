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
 */
import type { Redis } from 'ioredis';
import { RELAY_SCRIPT } from './redis-lua.js';
import { RedisUnavailableError } from './redis-seat-store.js';

/** What became of a relay: delivered, or a message for the sender saying why not. */
export type RelayVerdict = { delivered: true } | { delivered: false; reason: string };

export interface CrossProcessRelay {
  /**
   * Runs `emit`, a socket.io broadcast to `room` (which has members on other processes), and
   * resolves with what Redis made of the publish it made. Never rejects.
   * `remotePeers`: the sender's peers that are not clients of this process.
   */
  send(room: string, remotePeers: readonly string[], emit: () => void): Promise<RelayVerdict>;
}

/**
 * Redis must take a relay within this time or it is not published at all, and the client gets its
 * answer within {@link RELAY_WAIT_MS}: a bit more, so that a relay Redis took just in time is
 * usually confirmed rather than reported as "may not have arrived".
 */
export const RELAY_DEADLINE_MS = 2000;
export const RELAY_WAIT_MS = 2500;
/** The deadline is on Redis's clock (it may be another machine's): re-measured this often. */
const CLOCK_SYNC_EVERY_MS = 5000;
/** A TIME answer slower than this says too little about the offset (its error is half of it). */
const CLOCK_SYNC_MAX_RTT_MS = 200;

const DELIVERED: RelayVerdict = Object.freeze({ delivered: true });

type Publish = (channel: unknown, message: unknown) => Promise<unknown>;
type RelayScript = (...args: (string | number | Buffer)[]) => Promise<unknown>;

/** A relay whose peers' processes have not all answered for it yet. */
interface PendingReceipt {
  remaining: number;
  done: () => void;
}

export interface RedisRelayOptions {
  /** The adapter's publishing connection; its `publish` is wrapped. */
  pub: Redis;
  /** The adapter's subscribing connection: this process's probe channel is subscribed on it. */
  sub: Redis;
  /** This process's id in the seat store (seats carry it; RELAY_SCRIPT probes by it). */
  nodeId: string;
  keyPrefix: string;
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
  readonly #probePrefix: string;
  /** Set while `send` runs the emit: the next room publish is this relay's. */
  #sending: { room: string; peers: readonly string[] } | undefined;
  #reply: Promise<RelayVerdict> | undefined;
  /** Redis's clock minus this one, in ms; undefined until measured (no deadline meanwhile). */
  #clockOffsetMs: number | undefined;
  #clockTimer: NodeJS.Timeout | undefined;
  #receiptIds = 0;
  readonly #receipts = new Map<string, PendingReceipt>();

  constructor(options: RedisRelayOptions) {
    this.#options = options;
    const { pub, keyPrefix, adapterKey } = options;
    this.#roomChannels = `${adapterKey}#/#`;
    this.#probePrefix = `${keyPrefix}relay-probe:`;
    pub.defineCommand('wbRelay', { numberOfKeys: 1, lua: RELAY_SCRIPT });
    this.#script = (pub as unknown as { wbRelay: RelayScript }).wbRelay.bind(pub);
    this.#publish = (pub.publish as unknown as Publish).bind(pub);
    // The adapter calls `pubClient.publish(channel, msg)` synchronously inside the emit and ignores
    // what it returns; only a relay that `send` is running is swapped for the script.
    (pub as unknown as { publish: Publish }).publish = (channel, message) => {
      const sending = this.#sending;
      if (sending === undefined || typeof channel !== 'string' || !channel.startsWith(this.#roomChannels)) return this.#publish(channel, message);
      this.#sending = undefined;
      const reply = this.#run(sending, channel, message as string | Buffer);
      this.#reply = reply;
      return reply;
    };
    pub.on('ready', () => void this.#syncClock());
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
    // A pattern, not a channel, on purpose: ioredis resubscribes all of a connection's patterns in
    // one PSUBSCRIBE after a reconnect, so while the probe answers, the adapter's pattern is back too.
    const ownChannel = `${this.#probePrefix}${nodeId}`;
    sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
      if (channel === ownChannel) this.#onProbeMessage(message);
    });
    await sub.psubscribe(escapeGlob(ownChannel));
    await this.#syncClock();
    this.#clockTimer = setInterval(() => void this.#syncClock(), CLOCK_SYNC_EVERY_MS);
    this.#clockTimer.unref();
  }

  close(): void {
    clearInterval(this.#clockTimer);
  }

  /**
   * What arrives on this process's probe channel: '' (a probe: being subscribed is the answer),
   * 'r <node> <id>' (another process's relay came just before this on the same connection, so the
   * adapter has already handed it to this process's clients: answer it), or 'd <id>' (a peer's
   * process answering for one of this process's relays).
   */
  #onProbeMessage(message: string): void {
    const [kind, first, second] = message.split(' ');
    if (kind === 'r' && first !== undefined && second !== undefined) {
      // After the I/O phase, so writes engine.io queued behind one still in flight go out first.
      setImmediate(() => void this.#publish(`${this.#probePrefix}${first}`, `d ${second}`).catch(() => {}));
    } else if (kind === 'd' && first !== undefined) {
      const pending = this.#receipts.get(first);
      if (pending === undefined) return; // answered after the sender gave up on it
      pending.remaining -= 1;
      if (pending.remaining <= 0) {
        this.#receipts.delete(first);
        pending.done();
      }
    }
  }

  send(room: string, remotePeers: readonly string[], emit: () => void): Promise<RelayVerdict> {
    this.#sending = { room, peers: remotePeers };
    let reply: Promise<RelayVerdict> | undefined;
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
      void reply.then((verdict) => {
        clearTimeout(timer);
        resolve(verdict);
      });
    });
  }

  #run(sending: { room: string; peers: readonly string[] }, channel: string, message: string | Buffer): Promise<RelayVerdict> {
    const { keyPrefix, nodeId } = this.#options;
    const deadline = this.#clockOffsetMs === undefined ? 0 : Math.round(Date.now() + this.#clockOffsetMs + RELAY_DEADLINE_MS);
    const receiptId = (this.#receiptIds += 1).toString(36);
    return this.#script(`${keyPrefix}room:${sending.room}`, nodeId, channel, message, this.#probePrefix, deadline, receiptId, ...sending.peers).then(
      (reply) => this.#verdict(reply, receiptId),
      (error: unknown) => ({
        delivered: false,
        reason: `Maybe not delivered: your peer is on another server process and Redis at ${this.#options.where} failed (${error instanceof Error ? error.message : String(error)}), so it may or may not have arrived. Send it again.`,
      }),
    );
  }

  /** Resolves once `count` peers' processes answered receipt `id`, or says it may be lost. */
  #receipt(id: string, count: number): Promise<RelayVerdict> {
    return new Promise((resolve) => {
      // Within send()'s own wait, so this entry never outlives the relay it is for.
      const timer = setTimeout(() => {
        this.#receipts.delete(id);
        resolve({
          delivered: false,
          reason: `Maybe not delivered: your peer's server process did not confirm the message within ${RELAY_WAIT_MS} ms (it may have died or be overloaded), so it may or may not have arrived. Send it again.`,
        });
      }, RELAY_WAIT_MS - 100);
      this.#receipts.set(id, {
        remaining: count,
        done: () => {
          clearTimeout(timer);
          resolve(DELIVERED);
        },
      });
    });
  }

  #verdict(reply: unknown, receiptId: string): RelayVerdict | Promise<RelayVerdict> {
    const [status, detail] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (status === 'ok') return Number(detail) > 0 ? this.#receipt(receiptId, Number(detail)) : DELIVERED;
    const where = this.#options.where;
    const reason =
      status === 'missing'
        ? `Not delivered: the seat of your peer ${String(detail)} is not in Redis at ${where} (Redis restarted and its server process has not put it back yet, or it just left).`
        : status === 'away'
          ? `Not delivered: your peer ${String(detail)} is reconnecting (its connection dropped; its seat is held for it).`
          : status === 'deaf'
            ? `Not delivered: the server process of your peer ${String(detail)} is not receiving from Redis at ${where} right now (its connection to Redis dropped, or the process died).`
            : status === 'late'
              ? `Not delivered: Redis at ${where} took the message ${String(detail)} ms after its ${RELAY_DEADLINE_MS} ms deadline (stalled or overloaded), and a late signaling message is worse than none.`
              : `Not delivered: Redis at ${where} gave an answer this server does not understand (${JSON.stringify(reply)}).`;
    return { delivered: false, reason: `${reason} Send it again in a moment.` };
  }

  /** Redis's TIME against this clock, taken at the midpoint of the round trip. */
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
