/**
 * Per-client rate limits as token buckets: a burst allowance that refills at a steady rate. A call
 * setup sends an offer, an answer and a few dozen candidates within a second, so the burst has to
 * cover that; the steady rate is what a flood runs into.
 */

export interface RateLimit {
  /** Events allowed at once after a quiet period. */
  burst: number;
  /** Events per second allowed on average. */
  perSecond: number;
}

export class TokenBucket {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(limit: RateLimit, now: () => number = Date.now) {
    this.#limit = limit;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#updatedAt = now();
  }

  /** Takes `cost` tokens (one event, or its bytes); false when there are fewer (over the limit). */
  take(cost = 1): boolean {
    const now = this.#now();
    const elapsed = now - this.#updatedAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#limit.burst, this.#tokens + (elapsed * this.#limit.perSecond) / 1000);
      this.#updatedAt = now;
    }
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}

export function assertRateLimit(limit: RateLimit, name: string): string | undefined {
  if (!Number.isFinite(limit.burst) || limit.burst < 1) return `${name}.burst must be at least 1, got ${String(limit.burst)}.`;
  if (!Number.isFinite(limit.perSecond) || limit.perSecond <= 0) {
    return `${name}.perSecond must be a positive number, got ${String(limit.perSecond)}.`;
  }
  return undefined;
}

/**
 * Refusals counted over a time window: each refusal adds one, and the count drains at a steady
 * rate, so it measures refusals over roughly the last `capacity / drainPerSecond` seconds. It used
 * to be "refusals in a row", reset by any event that passed: a flood paced to let one event through
 * now and then (thousands a second against a 100/s limit) was never cut off.
 */
export class FloodMeter {
  readonly #capacity: number;
  readonly #drainPerSecond: number;
  readonly #now: () => number;
  #level = 0;
  #updatedAt: number;

  constructor(capacity: number, drainPerSecond: number, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#drainPerSecond = drainPerSecond;
    this.#now = now;
    this.#updatedAt = now();
  }

  /** Counts one refusal; true when the window now holds `capacity` of them (the client is flooding). */
  add(): boolean {
    const now = this.#now();
    this.#level = Math.max(0, this.#level - ((now - this.#updatedAt) * this.#drainPerSecond) / 1000) + 1;
    this.#updatedAt = now;
    return this.#level >= this.#capacity;
  }

  get level(): number {
    return this.#level;
  }
}
