export interface FailureLimiterOptions {
  /** Failures allowed in a row before the key is refused. */
  burst: number;
  /** One more failure is allowed after each this many ms. */
  refillMs: number;
  /** At most this many keys are remembered; the fully refilled ones go first, then the oldest. */
  maxKeys?: number;
  clock?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Counts failures per key (a client address, a user name) in a token bucket: `burst` failures in a
 * row, then one per `refillMs`. Successes are not counted, so a user who types the password right
 * is never slowed down by having typed it wrong before.
 */
export class FailureLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #options: Required<FailureLimiterOptions>;

  constructor(options: FailureLimiterOptions) {
    this.#options = { maxKeys: 10_000, clock: Date.now, ...options };
  }

  /** Whole seconds until the key may try again; 0 when it may now. */
  retryAfter(key: string): number {
    const tokens = this.#tokens(key, this.#options.clock());
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * this.#options.refillMs) / 1000);
  }

  failed(key: string): void {
    const now = this.#options.clock();
    const tokens = this.#tokens(key, now);
    // Re-inserted, so the map's order is the order of last failure: the oldest go first.
    this.#buckets.delete(key);
    this.#buckets.set(key, { tokens: Math.max(0, tokens - 1), at: now });
    if (this.#buckets.size > this.#options.maxKeys) this.#forget(now);
  }

  #tokens(key: string, now: number): number {
    const bucket = this.#buckets.get(key);
    if (!bucket) return this.#options.burst;
    return Math.min(this.#options.burst, bucket.tokens + (now - bucket.at) / this.#options.refillMs);
  }

  /** Drops refilled buckets (they hold nothing), then the oldest, down to 90% of the bound: amortised O(1). */
  #forget(now: number): void {
    const { burst, refillMs, maxKeys } = this.#options;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) / refillMs >= burst) this.#buckets.delete(key);
    }
    const target = Math.floor(maxKeys * 0.9);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= target) break;
      this.#buckets.delete(key);
    }
  }
}
