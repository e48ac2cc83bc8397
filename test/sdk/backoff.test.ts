import { describe, expect, it } from 'vitest';
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../sdk/src/backoff.ts';

const params = { minBackoffMs: 100, maxBackoffMs: 30_000 };

describe('backoffDelay', () => {
  it('draws uniformly below a ceiling that doubles per retry (full jitter)', () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelay(retry, params, () => 0.999_999))).toEqual([99, 199, 399, 799]);
    expect(backoffDelay(5, params, () => 0)).toBe(0);
    expect(backoffDelay(3, params, () => 0.5)).toBe(200);
  });

  it('caps the ceiling at maxBackoffMs, however many retries', () => {
    expect(backoffDelay(10, params, () => 0.999_999)).toBe(29_999);
    expect(backoffDelay(1000, params, () => 0.5)).toBe(15_000);
  });

  it('waits at least Retry-After, even past maxBackoffMs, up to an hour', () => {
    expect(backoffDelay(1, params, () => 0.5, 2000)).toBe(2000);
    expect(backoffDelay(8, params, () => 0.999_999, 2000)).toBe(12_799);
    expect(backoffDelay(1, params, () => 0, 120_000)).toBe(120_000);
    expect(backoffDelay(1, params, () => 0, 10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP-date as the time left until it', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores what is neither', () => {
    for (const value of [null, undefined, '', '-1', 'soon', '2026-01-01T00:00:30Z', '1e3']) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});
