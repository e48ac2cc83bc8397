/**
 * How long to wait before a retry: exponential backoff with full jitter (a uniform draw between 0
 * and a ceiling that doubles per retry, capped), so that many clients failing together do not
 * retry together; and the gateway's Retry-After as a lower bound, because it knows when capacity
 * returns.
 */

/** A Retry-After beyond this is taken as this: a broken header must not park events for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000; // 1 h

export interface BackoffParams {
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** The wait before retry number `retry` (1 for the first retry); `random` returns [0, 1). */
export function backoffDelay(retry: number, params: BackoffParams, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(params.maxBackoffMs, params.minBackoffMs * 2 ** Math.min(retry - 1, 52));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Retry-After in ms: delay-seconds ("120") or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // An HTTP-date always names a weekday and GMT; anything else is not one.
  if (!/^[A-Za-z]{3}, .+ GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
