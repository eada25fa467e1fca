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
