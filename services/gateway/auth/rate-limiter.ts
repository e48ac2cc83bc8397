/**
 * A token bucket per write key, counted in events: a batch of n events takes n tokens. A batch
 * that does not fit is refused whole, with the time until it would fit (Retry-After) and the
 * bucket's state for the RateLimit-* headers.
 */
export interface RateDecision {
  readonly allowed: boolean;
  /** Bucket size (the burst). */
  readonly limit: number;
  /** Whole tokens left after this decision. */
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
  /** When refused: seconds until this batch would fit (at least 1). */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  take(keyId: string, count: number, ratePerSecond: number, burst: number): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(keyId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1_000) * ratePerSecond);
    bucket.at = now;
    this.#buckets.set(keyId, bucket);
    const allowed = count <= bucket.tokens;
    if (allowed) bucket.tokens -= count;
    const missing = allowed ? 0 : Math.min(count, burst) - bucket.tokens;
    return {
      allowed,
      limit: burst,
      remaining: Math.max(0, Math.floor(bucket.tokens)),
      resetSeconds: Math.ceil((burst - bucket.tokens) / ratePerSecond),
      // A batch bigger than the burst can never fit: say when a full bucket is back, the client will split.
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(missing / ratePerSecond)),
    };
  }
}
