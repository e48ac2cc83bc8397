import { describe, expect, it } from 'vitest';
import { DEFAULT_HORIZON_MS, DEFAULT_MAX_IDS, DuplicateCache } from '../../../../services/processor/dedup/duplicate-cache.ts';
import { isWeirError } from '../../../../services/shared/errors.ts';

const T0 = Date.UTC(2026, 0, 15, 12);
const MINUTE = 60_000;

describe('DuplicateCache', () => {
  it('defaults to a 10-minute horizon and a million ids', () => {
    const cache = new DuplicateCache();
    expect([cache.horizonMs, cache.maxIds]).toEqual([DEFAULT_HORIZON_MS, DEFAULT_MAX_IDS]);
    expect(DEFAULT_HORIZON_MS).toBe(10 * MINUTE);
  });

  it('says an id seen before within the horizon is a duplicate, and a new one is not', () => {
    const cache = new DuplicateCache();
    expect(cache.seen(0, 'a', T0)).toBe(false);
    expect(cache.seen(0, 'b', T0)).toBe(false);
    expect(cache.seen(0, 'a', T0 + 1)).toBe(true);
    expect(cache.seen(0, 'a', T0 + 10 * MINUTE)).toBe(true);
    expect(cache.stats()).toEqual({ ids: 2, partitions: 1, evictions: 0 });
  });

  it('forgets an id once the horizon has passed since it was first seen, and counts it anew', () => {
    const cache = new DuplicateCache({ horizonMs: MINUTE });
    cache.seen(0, 'a', T0);
    expect(cache.seen(0, 'a', T0 + MINUTE)).toBe(true);
    expect(cache.seen(0, 'a', T0 + MINUTE + 1)).toBe(false);
    expect(cache.seen(0, 'a', T0 + MINUTE + 2)).toBe(true);
  });

  it('runs the horizon from the first sighting: repeats do not extend it', () => {
    const cache = new DuplicateCache({ horizonMs: MINUTE });
    cache.seen(0, 'a', T0);
    expect(cache.seen(0, 'a', T0 + 50_000)).toBe(true);
    expect(cache.seen(0, 'a', T0 + 70_000)).toBe(false);
  });

  it('expires ids as the clock moves, so memory follows the horizon', () => {
    const cache = new DuplicateCache({ horizonMs: MINUTE });
    for (let i = 0; i < 100; i++) cache.seen(0, `id-${i}`, T0 + i * 1000);
    // At T0 + 99 s, ids 0-38 (first seen before T0 + 39 s) are older than a minute.
    expect(cache.stats().ids).toBe(61);
    expect(cache.seen(0, 'id-39', T0 + 99_000)).toBe(true);
    expect(cache.seen(0, 'id-38', T0 + 99_000)).toBe(false);
  });

  it('never runs a partition clock backwards: an earlier time counts at the partition clock', () => {
    const cache = new DuplicateCache({ horizonMs: MINUTE });
    cache.seen(0, 'late', T0 + 10 * MINUTE);
    cache.seen(0, 'old-event', T0); // event time from the past: recorded at the clock, T0 + 10 min
    expect(cache.seen(0, 'old-event', T0 + 10 * MINUTE + 30_000)).toBe(true);
    expect(cache.seen(0, 'old-event', T0 + 11 * MINUTE + 1)).toBe(false);
  });

  it('keeps partitions apart, with their own clocks', () => {
    const cache = new DuplicateCache({ horizonMs: MINUTE });
    cache.seen(0, 'a', T0);
    expect(cache.seen(1, 'a', T0)).toBe(false);
    expect(cache.seen('weir.raw.page_view:2', 'a', T0)).toBe(false);
    cache.seen(1, 'x', T0 + 5 * MINUTE); // moves partition 1 only
    expect(cache.seen(0, 'a', T0 + 1)).toBe(true);
    expect(cache.seen(1, 'a', T0 + 5 * MINUTE)).toBe(false);
    expect(cache.stats().partitions).toBe(3);
  });

  it('drops a revoked partition and only its ids', () => {
    const cache = new DuplicateCache();
    cache.seen(0, 'a', T0);
    cache.seen(1, 'b', T0);
    cache.seen(1, 'c', T0);
    cache.dropPartition(1);
    cache.dropPartition(7);
    expect(cache.stats()).toEqual({ ids: 1, partitions: 1, evictions: 0 });
    expect(cache.seen(1, 'b', T0)).toBe(false);
    expect(cache.seen(0, 'a', T0)).toBe(true);
    cache.clear();
    expect(cache.stats()).toEqual({ ids: 0, partitions: 0, evictions: 0 });
  });

  it('holds at most maxIds, evicting the oldest id of all partitions and counting it', () => {
    const cache = new DuplicateCache({ maxIds: 3 });
    cache.seen(0, 'a', T0);
    cache.seen(1, 'b', T0 + 1);
    cache.seen(0, 'c', T0 + 2);
    cache.seen(1, 'd', T0 + 3); // full: 'a' (partition 0, oldest) goes
    expect(cache.stats()).toEqual({ ids: 3, partitions: 2, evictions: 1 });
    cache.seen(1, 'e', T0 + 4); // then 'b'
    expect(cache.stats().evictions).toBe(2);
    // An evicted id can no longer be caught: that is what the counter warns of.
    expect(cache.seen(0, 'a', T0 + 5)).toBe(false);
    expect(cache.seen(0, 'c', T0 + 5)).toBe(false);
    expect(cache.seen(1, 'e', T0 + 5)).toBe(true);
    expect(cache.stats().ids).toBe(3);
  });

  it('does not count an id past its horizon on an idle partition as an eviction', () => {
    const cache = new DuplicateCache({ horizonMs: MINUTE, maxIds: 2 });
    cache.seen(0, 'idle', T0); // partition 0 is never touched again, so its id is not expired
    cache.seen(1, 'a', T0 + 2 * MINUTE);
    cache.seen(1, 'b', T0 + 2 * MINUTE); // full: 'idle' is evicted, but it could catch nothing
    expect(cache.stats()).toEqual({ ids: 2, partitions: 2, evictions: 0 });
    cache.seen(1, 'c', T0 + 2 * MINUTE); // 'a' is evicted within its horizon
    expect(cache.stats()).toEqual({ ids: 2, partitions: 2, evictions: 1 });
  });

  it('stays within its bound under a long stream', () => {
    const cache = new DuplicateCache({ maxIds: 1000, horizonMs: 10 * MINUTE });
    for (let i = 0; i < 50_000; i++) cache.seen(i % 4, `id-${i}`, T0 + i);
    expect(cache.stats().ids).toBe(1000);
    expect(cache.stats().evictions).toBe(49_000);
    // The newest thousand are still caught, on their own partitions.
    for (let i = 49_000; i < 50_000; i++) expect(cache.seen(i % 4, `id-${i}`, T0 + 50_000)).toBe(true);
  });

  it.each([
    [{ horizonMs: 0 }, 'horizonMs must be an integer from 1 to 86400000, got 0'],
    [{ horizonMs: 86_400_001 }, 'horizonMs must be an integer'],
    [{ horizonMs: 1.5 }, 'horizonMs must be an integer'],
    [{ maxIds: 0 }, 'maxIds must be an integer from 1 to 1000000000, got 0'],
  ])('refuses %j at construction', (options, message) => {
    let error: unknown;
    try {
      new DuplicateCache(options);
    } catch (e) {
      error = e;
    }
    expect(isWeirError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});
