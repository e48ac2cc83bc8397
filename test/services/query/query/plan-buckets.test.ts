import { describe, expect, it } from 'vitest';
import type { WindowSpec } from '../../../../services/aggregator/windows/window.ts';
import { parseQuery } from '../../../../services/query/query/parse-query.ts';
import { DEFAULT_BUCKETS, planBuckets, type BucketPlan } from '../../../../services/query/query/plan-buckets.ts';
import { QueryError } from '../../../../services/query/query-error.ts';
import { seededRandom } from '../../../harness/seeded-random.ts';
import { readAll, testCatalog, testTable } from '../catalog-fixture.ts';

const MIN = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const utc = Date.UTC;
const NOW = utc(2026, 10, 24, 10, 17, 23);

const STANDARD: WindowSpec[] = [
  { kind: 'tumbling', sizeMs: MIN },
  { kind: 'tumbling', sizeMs: H },
  { kind: 'tumbling', sizeMs: D },
  { kind: 'hopping', sizeMs: H, advanceMs: 5 * MIN },
];
const CATALOG = testCatalog({ shop: testTable({ windows: STANDARD }), hops: testTable({ windows: [{ kind: 'hopping', sizeMs: H, advanceMs: 5 * MIN }] }) });

const plan = (query: Record<string, unknown>, maxBuckets = 10_000, now = NOW): BucketPlan =>
  planBuckets(parseQuery({ type: 'shop', measures: ['events'], ...query }, CATALOG, readAll()), now, maxBuckets);
const rollup = (query: Record<string, unknown>, maxBuckets?: number) => {
  const p = plan(query, maxBuckets);
  if (p.mode !== 'rollup') throw new Error('expected a rollup plan');
  return p;
};
function refusal(query: Record<string, unknown>, maxBuckets?: number): QueryError {
  try {
    plan(query, maxBuckets);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error('expected the plan to be refused');
}

describe('planBuckets', () => {
  it.each([
    ['1d in UTC', 'UTC', '1d', 'tumbling_1d'],
    ['1d in Paris (midnight is 23:00 or 22:00 UTC)', 'Europe/Paris', '1d', 'tumbling_1h'],
    ['1d in New York', 'America/New_York', '1d', 'tumbling_1h'],
    ['1d in Kolkata (midnight is 18:30 UTC)', 'Asia/Kolkata', '1d', 'tumbling_1m'],
    ['1d in Kathmandu (midnight is 18:15 UTC)', 'Asia/Kathmandu', '1d', 'tumbling_1m'],
    ['2h in UTC', 'UTC', '2h', 'tumbling_1h'],
    ['6h in Kolkata', 'Asia/Kolkata', '6h', 'tumbling_1m'],
    ['15m in UTC', 'UTC', '15m', 'tumbling_1m'],
    ['2d in UTC', 'UTC', '2d', 'tumbling_1d'],
  ])('reads the coarsest tumbling window that no bucket straddles: %s', (_name, timeZone, granularity, window) => {
    const p = rollup({ timeZone, granularity, from: '2026-10-20T00:00:00Z', to: '2026-11-03T00:00:00Z' });
    expect(p.window.name).toBe(window);
    const size = (p.window.spec as { sizeMs: number }).sizeMs;
    for (const b of p.boundaries) expect(b % size).toBe(0);
  });

  it('makes Kolkata days of 1 min windows, starting at 18:30 UTC', () => {
    const p = rollup({ timeZone: 'Asia/Kolkata', granularity: '1d', from: '2026-11-24', to: '2026-11-26' });
    expect(p.boundaries).toEqual([utc(2026, 10, 23, 18, 30), utc(2026, 10, 24, 18, 30), utc(2026, 10, 25, 18, 30)]);
    expect(p.window.name).toBe('tumbling_1m');
    expect(30 * MIN % (p.window.spec as { sizeMs: number }).sizeMs).toBe(0);
    expect(p).toMatchObject({ granularityMs: D, fromMs: utc(2026, 10, 23, 18, 30), toMs: utc(2026, 10, 25, 18, 30) });
  });

  it('keeps Paris days across the DST change 23 and 25 h long', () => {
    const p = rollup({ timeZone: 'Europe/Paris', granularity: '1d', from: '2026-10-24', to: '2026-10-27' });
    expect(p.boundaries).toEqual([utc(2026, 9, 23, 22), utc(2026, 9, 24, 22), utc(2026, 9, 25, 23), utc(2026, 9, 26, 23)]);
    expect(p.runs).toEqual([
      { startMs: utc(2026, 9, 23, 22), stepMs: D },
      { startMs: utc(2026, 9, 24, 22), stepMs: 25 * H },
      { startMs: utc(2026, 9, 25, 23), stepMs: D },
    ]);
  });

  it('refuses a granularity no window fits, naming granularity', () => {
    const e = refusal({ granularity: '90s', last: '1h' });
    expect(e.code).toBe('QUERY_INVALID');
    expect(e.problems.map((p) => p.at)).toEqual(['granularity']);
    // A named window must fit too: 1d windows straddle Paris days.
    expect(refusal({ window: 'tumbling_1d', granularity: '1d', timeZone: 'Europe/Paris', last: '7d' }).problems.map((p) => p.at)).toEqual(['granularity']);
    expect(rollup({ window: 'tumbling_1m', granularity: '1d', timeZone: 'Europe/Paris', last: '7d' }).window.name).toBe('tumbling_1m');
  });

  it('refuses too many buckets of a given granularity as QUERY_TOO_LARGE', () => {
    const e = refusal({ granularity: '1m', last: '7d' }, 5_000);
    expect(e.code).toBe('QUERY_TOO_LARGE');
    expect(e.problems.map((p) => p.at)).toEqual(['granularity']);
    expect(e.message).toMatch(/^10080 buckets of 1m /);
    // Now is not on a minute: the last 7 days touch 10081 minutes, so 10080 buckets are one too few.
    expect(refusal({ granularity: '1m', last: '7d' }, 10_080).code).toBe('QUERY_TOO_LARGE');
    expect(rollup({ granularity: '1m', last: '7d' }, 10_081).boundaries).toHaveLength(10_082);
  });

  it('without a granularity, takes the finest that gives at most 1000 buckets', () => {
    const sixHours = rollup({ last: '6h' });
    expect(sixHours).toMatchObject({ granularityMs: MIN });
    expect(sixHours.window.name).toBe('tumbling_1m');
    expect(sixHours.boundaries).toHaveLength(6 * 60 + 2); // the range is not minute-aligned: 361 buckets
    expect(sixHours.boundaries[0]).toBe(utc(2026, 10, 24, 4, 17));
    expect(sixHours.boundaries.at(-1)).toBe(utc(2026, 10, 24, 10, 18));

    const week = rollup({ last: '7d' });
    expect(week.granularityMs).toBe(H);
    expect(week.window.name).toBe('tumbling_1h');
    expect(rollup({ last: '100d' }).granularityMs).toBe(D);
    expect(refusal({ last: '1500d' }).code).toBe('QUERY_TOO_LARGE');
    expect(refusal({ last: '1500d' }).problems.map((p) => p.at)).toEqual(['from']);
  });

  it('without a granularity stays within 1000 buckets for any range (seeded)', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 40; i++) {
      const lengthMs = Math.floor(1 + random() * 900 * D);
      const toMs = NOW - Math.floor(random() * 30 * D);
      const zone = ['UTC', 'Europe/Paris', 'Asia/Kolkata', 'America/New_York'][i % 4]!;
      let p: BucketPlan;
      try {
        p = plan({ from: toMs - lengthMs, to: toMs, timeZone: zone });
      } catch (error) {
        // Beyond 1000 days even daily buckets are too many.
        expect((error as QueryError).code).toBe('QUERY_TOO_LARGE');
        expect(lengthMs).toBeGreaterThan(999 * D - 2 * H);
        continue;
      }
      if (p.mode !== 'rollup') throw new Error('rollup expected');
      expect(p.boundaries.length - 1).toBeLessThanOrEqual(DEFAULT_BUCKETS);
      expect(p.boundaries[0]).toBeLessThanOrEqual(toMs - lengthMs);
      expect(p.boundaries.at(-1)).toBeGreaterThanOrEqual(toMs);
      // The finest: one size finer would have been too many.
      const finer = [MIN, H, D].filter((g) => g < p.granularityMs).at(-1);
      if (finer !== undefined) expect(lengthMs / finer).toBeGreaterThan(DEFAULT_BUCKETS - 2);
    }
  });

  it('reads a hopping window natively, each window its own bucket', () => {
    expect(plan({ window: 'hopping_1h_5m', last: '6h' })).toEqual({ mode: 'native', window: expect.objectContaining({ name: 'hopping_1h_5m' }), fromMs: NOW - 6 * H, toMs: NOW });
  });

  it('refuses to roll up a type without tumbling windows', () => {
    const e = (() => {
      try {
        planBuckets(parseQuery({ type: 'hops', measures: ['events'] }, CATALOG, readAll(10)), NOW, 1_000);
      } catch (error) {
        return error as QueryError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e.problems.map((p) => p.at)).toEqual(['window']);
  });
});
