/**
 * Everything one client is allowed, decided before an event is parsed or queued: which events
 * exist, how many messages and joins per second (its own buckets and its address's join budget),
 * how many relayed bytes per second, how many refusals it may hear as events, and when it has been
 * refused so often that it is cut off. It only decides; the connection does the refusing.
 */
import { SignalingErrorCode, type Failure } from '@workbench/core/protocol';
import type { AddressLimits } from '../address-limits.js';
import type { RejectionReason } from '../metrics.js';
import { FloodMeter, TokenBucket, type RateLimit } from '../rate-limit.js';
import { describeValue, failure } from './replies.js';

/**
 * Refused events within the flood window after which a client is cut off: it is not reading its
 * errors. The count drains at {@link FLOOD_DRAIN_PER_SECOND}, so the window is about 10 s: a client
 * refused now and then is never cut, one flooding at any pace above its limit is, within seconds.
 */
export const FLOOD_DISCONNECT_AFTER = 100;
export const FLOOD_DRAIN_PER_SECOND = 10;
/** Refusals without an ack arrive as events; past this rate they are dropped, so errors cannot amplify a flood. */
export const REFUSAL_NOTICES: RateLimit = { burst: 20, perSecond: 10 };

/** Events a client may send; anything else is refused with INVALID_PAYLOAD. */
export const CLIENT_EVENTS: ReadonlySet<string> = new Set(['create or join', 'message', 'bye']);

export interface ClientRateLimits {
  messages: RateLimit;
  joins: RateLimit;
  /** Relayed bytes: the message limit alone would let 64 KB messages through at 6 MB/s. */
  messageBytes: RateLimit;
}

/** A refusal and, where the code alone does not say it, its metrics label. */
export interface Refusal {
  failure: Failure;
  reason?: RejectionReason;
}

export class LimitsGate {
  readonly #limits: ClientRateLimits;
  readonly #addressLimits: AddressLimits;
  readonly #address: string;
  readonly #messages: TokenBucket;
  readonly #joins: TokenBucket;
  readonly #bytes: TokenBucket;
  readonly #notices: TokenBucket;
  readonly #flood: FloodMeter;

  /**
   * @param address the client's address, whose join budget all its connections share
   * (reconnecting does not refill it).
   * @param now the clock of this client's own buckets and flood window.
   */
  constructor(limits: ClientRateLimits, addressLimits: AddressLimits, address: string, now: () => number = Date.now) {
    this.#limits = limits;
    this.#addressLimits = addressLimits;
    this.#address = address;
    this.#messages = new TokenBucket(limits.messages, now);
    this.#joins = new TokenBucket(limits.joins, now);
    this.#bytes = new TokenBucket(limits.messageBytes, now);
    this.#notices = new TokenBucket(REFUSAL_NOTICES, now);
    this.#flood = new FloodMeter(FLOOD_DISCONNECT_AFTER, FLOOD_DRAIN_PER_SECOND, now);
  }

  /** An inbound event's name checked against the protocol and the rates; undefined lets it in. */
  admit(event: unknown): Refusal | undefined {
    if (typeof event !== 'string' || !CLIENT_EVENTS.has(event)) {
      return {
        failure: failure(
          SignalingErrorCode.InvalidPayload,
          `Unknown event ${describeValue(event)}: this server understands 'create or join', 'message' and 'bye'.`,
        ),
        reason: 'unknown_event',
      };
    }
    // 'bye' spends from the joins bucket: joins and leaves are limited together.
    const bucket = event === 'message' ? this.#messages : this.#joins;
    if (!bucket.take()) {
      const { messages, joins } = this.#limits;
      return {
        failure: failure(
          SignalingErrorCode.RateLimited,
          event === 'message'
            ? `Too many messages: at most ${messages.perSecond} per second (bursts of ${messages.burst}). This one was dropped; slow down.`
            : `Too many joins and leaves: at most ${joins.perSecond} per second (bursts of ${joins.burst}). Wait a moment and try again.`,
          event,
        ),
      };
    }
    if (event !== 'message' && !this.#addressLimits.takeJoin(this.#address)) {
      const { perSecond, burst } = this.#addressLimits.options.joins;
      return {
        failure: failure(
          SignalingErrorCode.RateLimited,
          `Too many joins and leaves from your address: at most ${perSecond} per second (bursts of ${burst}), however many connections they come on. Wait a moment and try again.`,
          event,
        ),
        reason: 'address_joins',
      };
    }
    return undefined;
  }

  /** A message of `bytes` (its estimated size) against the bytes-per-second budget. */
  admitBytes(bytes: number): Refusal | undefined {
    if (this.#bytes.take(bytes)) return undefined;
    const limit = this.#limits.messageBytes;
    return {
      failure: failure(
        SignalingErrorCode.RateLimited,
        `Too many bytes: at most ${limit.perSecond} bytes of messages per second (bursts of ${limit.burst}). This one was dropped; send less, or put bulk data on a data channel.`,
        'message',
      ),
    };
  }

  /** One more refusal in the flood window; true when the client is to be cut off now. */
  strike(): boolean {
    return this.#flood.add();
  }

  /** Whether a refusal without an ack may still be sent as an event (a token is spent). */
  mayNotify(): boolean {
    return this.#notices.take();
  }
}
