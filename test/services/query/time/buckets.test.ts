import { describe, expect, it } from 'vitest';
import { bucketBoundaries, bucketOf, bucketRuns } from '../../../../services/query/time/buckets.ts';

const S = 1_000;
const MIN = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const utc = Date.UTC;

const steps = (b: readonly number[]) => b.slice(1).map((x, i) => x - b[i]!);

function boundaries(fromMs: number, toMs: number, granularityMs: number, zone: string, max = 10_000): number[] {
  const b = bucketBoundaries(fromMs, toMs, granularityMs, zone, max);
  if (!Array.isArray(b)) throw new Error(`too many: ${b.tooMany}`);
  return b;
}

describe('bucketBoundaries', () => {
  it('makes 1d buckets of Paris days, 23 h across spring-forward', () => {
    // 28 March 12:00 local to 30 March 12:00 local.
    const b = boundaries(utc(2026, 2, 28, 11), utc(2026, 2, 30, 10), D, 'Europe/Paris');
    expect(b).toEqual([utc(2026, 2, 27, 23), utc(2026, 2, 28, 23), utc(2026, 2, 29, 22), utc(2026, 2, 30, 22)]);
    expect(steps(b)).toEqual([24 * H, 23 * H, 24 * H]);
  });

  it('makes 1d buckets of Paris days, 25 h across fall-back', () => {
    const b = boundaries(utc(2026, 9, 24, 12), utc(2026, 9, 26, 12), D, 'Europe/Paris');
    expect(b).toEqual([utc(2026, 9, 23, 22), utc(2026, 9, 24, 22), utc(2026, 9, 25, 23), utc(2026, 9, 26, 23)]);
    expect(steps(b)).toEqual([24 * H, 25 * H, 24 * H]);
  });

  it('makes 1d buckets of New York days across both 2026 changes', () => {
    expect(steps(boundaries(utc(2026, 2, 7, 12), utc(2026, 2, 9, 12), D, 'America/New_York'))).toEqual([24 * H, 23 * H, 24 * H]);
    expect(steps(boundaries(utc(2026, 9, 31, 12), utc(2026, 10, 2, 12), D, 'America/New_York'))).toEqual([24 * H, 25 * H, 24 * H]);
  });

  it('skips the hour a spring-forward removes and makes the repeated hour one 2 h bucket', () => {
    const spring = boundaries(utc(2026, 2, 29, 0), utc(2026, 2, 29, 3), H, 'Europe/Paris');
    // Local 01:00, 03:00 (02:00 does not exist), 04:00, 05:00.
    expect(spring).toEqual([utc(2026, 2, 29, 0), utc(2026, 2, 29, 1), utc(2026, 2, 29, 2), utc(2026, 2, 29, 3)]);
    const fall = boundaries(utc(2026, 9, 24, 23), utc(2026, 9, 25, 3), H, 'Europe/Paris');
    // Local 01:00 CEST, 02:00 CEST (its first pass), 03:00 CET, 04:00 CET.
    expect(fall).toEqual([utc(2026, 9, 24, 23), utc(2026, 9, 25, 0), utc(2026, 9, 25, 2), utc(2026, 9, 25, 3)]);
    expect(steps(fall)).toEqual([H, 2 * H, H]);
  });

  it('starts 1h buckets on the local hour in +05:30 and +05:45', () => {
    expect(boundaries(utc(2026, 0, 1, 0, 10), utc(2026, 0, 1, 2), H, 'Asia/Kolkata')).toEqual([utc(2025, 11, 31, 23, 30), utc(2026, 0, 1, 0, 30), utc(2026, 0, 1, 1, 30), utc(2026, 0, 1, 2, 30)]);
    expect(boundaries(utc(2026, 0, 1, 0, 10), utc(2026, 0, 1, 1), H, 'Asia/Kathmandu')).toEqual([utc(2025, 11, 31, 23, 15), utc(2026, 0, 1, 0, 15), utc(2026, 0, 1, 1, 15)]);
    expect(boundaries(utc(2026, 0, 1), utc(2026, 0, 2), D, 'Asia/Kolkata')).toEqual([utc(2025, 11, 31, 18, 30), utc(2026, 0, 1, 18, 30), utc(2026, 0, 2, 18, 30)]);
  });

  it('covers [from, to): the first boundary at or before from, the last at or after to', () => {
    expect(boundaries(utc(2026, 0, 1, 10), utc(2026, 0, 1, 12), H, 'UTC')).toEqual([utc(2026, 0, 1, 10), utc(2026, 0, 1, 11), utc(2026, 0, 1, 12)]);
    expect(boundaries(utc(2026, 0, 1, 10, 0, 1), utc(2026, 0, 1, 11, 0, 1), H, 'UTC')).toEqual([utc(2026, 0, 1, 10), utc(2026, 0, 1, 11), utc(2026, 0, 1, 12)]);
    expect(boundaries(utc(2026, 0, 1, 10, 59, 59), utc(2026, 0, 1, 11), 90 * S, 'UTC')).toEqual([utc(2026, 0, 1, 10, 58, 30), utc(2026, 0, 1, 11, 0, 0)]);
  });

  it('allows exactly maxBuckets and reports more as tooMany', () => {
    const from = utc(2026, 0, 1);
    expect(boundaries(from, from + 100 * MIN, MIN, 'UTC', 100)).toHaveLength(101);
    expect(bucketBoundaries(from, from + 101 * MIN, MIN, 'UTC', 100)).toEqual({ tooMany: 101 });
    expect(bucketBoundaries(from, from + D, MIN, 'Europe/Paris', 1_000)).toEqual({ tooMany: 1_440 });
  });
});

/** The start of t's bucket, read straight off the boundaries. */
function bucketByBoundaries(b: readonly number[], t: number): number {
  let lo = 0;
  let hi = b.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (b[mid]! <= t) lo = mid;
    else hi = mid;
  }
  return b[lo]!;
}

describe('bucketRuns and bucketOf', () => {
  it('make one run of equal buckets', () => {
    expect(bucketRuns([0, 10, 20, 30])).toEqual([{ startMs: 0, stepMs: 10 }]);
    expect(bucketRuns([0, 10, 30, 40])).toEqual([
      { startMs: 0, stepMs: 10 },
      { startMs: 10, stepMs: 20 },
      { startMs: 30, stepMs: 10 },
    ]);
  });

  it.each([
    ['1d in Paris, spring', utc(2026, 2, 20), utc(2026, 3, 5), D, 'Europe/Paris'],
    ['1d in Paris, fall', utc(2026, 9, 18), utc(2026, 10, 2), D, 'Europe/Paris'],
    ['1h in Paris, fall-back night', utc(2026, 9, 24, 18), utc(2026, 9, 25, 8), H, 'Europe/Paris'],
    ['1h in Paris, spring-forward night', utc(2026, 2, 28, 18), utc(2026, 2, 29, 8), H, 'Europe/Paris'],
    ['3h in New York, fall', utc(2026, 9, 30), utc(2026, 10, 3), 3 * H, 'America/New_York'],
    ['1d in New York, spring', utc(2026, 2, 5), utc(2026, 2, 12), D, 'America/New_York'],
    ['1h in Kolkata', utc(2026, 0, 1, 0, 7), utc(2026, 0, 2, 3), H, 'Asia/Kolkata'],
    ['1d in Kathmandu', utc(2026, 0, 1), utc(2026, 0, 9), D, 'Asia/Kathmandu'],
    ['90s in UTC', utc(2026, 0, 1, 0, 0, 30), utc(2026, 0, 1, 3), 90 * S, 'UTC'],
  ])('agree with the boundaries for every sampled second: %s', (_name, from, to, granularity, zone) => {
    const b = boundaries(from, to, granularity, zone);
    const runs = bucketRuns(b);
    const failures: string[] = [];
    const check = (t: number) => {
      const expected = bucketByBoundaries(b, t);
      const got = bucketOf(runs, t);
      if (got !== expected) failures.push(`${new Date(t).toISOString()}: ${new Date(got).toISOString()} != ${new Date(expected).toISOString()}`);
    };
    // Every boundary and the second either side of it, then every 37 s across the range.
    for (const x of b.slice(0, -1)) for (const t of [x - S, x, x + S]) if (t >= b[0]!) check(t);
    for (let t = b[0]!; t < b[b.length - 1]!; t += 37 * S) check(t);
    expect(failures).toEqual([]);
  });
});
