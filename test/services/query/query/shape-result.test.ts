import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../../../services/query/query/evaluate-rows.ts';
import { parseQuery } from '../../../../services/query/query/parse-query.ts';
import type { BucketPlan } from '../../../../services/query/query/plan-buckets.ts';
import { shapeResult } from '../../../../services/query/query/shape-result.ts';
import { QueryError } from '../../../../services/query/query-error.ts';
import { dimensions, measures, readAll, testCatalog, testTable } from '../catalog-fixture.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 24, 8);
const SETTLE = 65_000; // out-of-orderness 5 s + grace 60 s

const CATALOG = testCatalog({
  shop: testTable({ dimensions: dimensions('country?'), measures: measures('events', 'revenue', 'amount_min', 'amount_avg', 'buyers', 'amount_p50'), windows: [{ kind: 'tumbling', sizeMs: H }] }),
});
const TYPE = CATALOG.get('shop')!;
const ALL = ['events', 'revenue', 'amount_min', 'amount_avg', 'buyers', 'amount_p50'];

const spec = (query: Record<string, unknown>) => parseQuery({ type: 'shop', measures: ['events', 'revenue'], ...query }, CATALOG, readAll());
const PLAN: BucketPlan = {
  mode: 'rollup',
  window: TYPE.windows[0]!,
  granularityMs: H,
  boundaries: [T0, T0 + H, T0 + 2 * H, T0 + 3 * H],
  runs: [{ startMs: T0, stepMs: H }],
  fromMs: T0,
  toMs: T0 + 3 * H,
};
const row = (bucket: number, country: string | null, events: number, revenue: number | null = events * 10): ResultRow => ({
  start: T0 + bucket * H,
  end: T0 + (bucket + 1) * H,
  open: false,
  dimensions: { country },
  values: { events, revenue },
});
const brief = (rows: readonly ResultRow[]) => rows.map((r) => `${(r.start - T0) / H} ${r.dimensions['country'] ?? '-'} ${r.values['events']}`);

describe('shapeResult: fill', () => {
  it('adds each missing bucket of each group seen, with zero counts and sums and null otherwise', () => {
    const s = spec({ measures: ALL, groupBy: ['country'], fill: true });
    const full = (bucket: number, country: string): ResultRow => ({ ...row(bucket, country, 3), values: { events: 3, revenue: 30, amount_min: 5, amount_avg: 10, buyers: 2, amount_p50: 10 } });
    const now = T0 + 2 * H + 30_000; // the last bucket is open, as is the one that ended 30 s ago (settle 65 s)
    const { rows, truncated } = shapeResult([full(0, 'FR'), full(2, 'DE')], s, PLAN, now, 10_000);
    expect(truncated).toBe(false);
    expect(rows.map((r) => `${(r.start - T0) / H} ${r.dimensions['country']}`)).toEqual(['0 DE', '0 FR', '1 DE', '1 FR', '2 DE', '2 FR']);
    const filled = rows.find((r) => r.start === T0 + H && r.dimensions['country'] === 'DE')!;
    expect(filled).toEqual({ start: T0 + H, end: T0 + 2 * H, open: true, dimensions: { country: 'DE' }, values: { events: 0, revenue: 0, amount_min: null, amount_avg: null, buyers: 0, amount_p50: null } });
    expect(rows.find((r) => r.start === T0 && r.dimensions['country'] === 'DE')!.open).toBe(false);
    expect(rows.find((r) => r.start === T0 + 2 * H && r.dimensions['country'] === 'FR')!.open).toBe(true);
  });

  it('fills every bucket of a query without groupBy, even with no rows at all', () => {
    const { rows } = shapeResult([], spec({ fill: true }), PLAN, T0 + 10 * H, 10_000);
    expect(rows).toEqual([0, 1, 2].map((i) => ({ start: T0 + i * H, end: T0 + (i + 1) * H, open: false, dimensions: {}, values: { events: 0, revenue: 0 } })));
  });

  it('keeps a null group apart from the others', () => {
    const { rows } = shapeResult([row(0, null, 1)], spec({ groupBy: ['country'], fill: true }), PLAN, T0, 10_000);
    expect(brief(rows)).toEqual(['0 - 1', '1 - 0', '2 - 0']);
  });

  it('refuses a fill past maxRows, and adds nothing without fill or in native mode', () => {
    const rows = ['a', 'b', 'c', 'd'].map((c) => row(0, c, 1));
    expect(() => shapeResult(rows, spec({ groupBy: ['country'], fill: true }), PLAN, T0, 11)).toThrow(QueryError);
    expect(shapeResult(rows, spec({ groupBy: ['country'], fill: true }), PLAN, T0, 12).rows).toHaveLength(12);
    expect(shapeResult(rows, spec({ groupBy: ['country'] }), PLAN, T0, 12).rows).toHaveLength(4);
    const native: BucketPlan = { mode: 'native', window: TYPE.windows[0]!, fromMs: T0, toMs: T0 + 3 * H };
    expect(shapeResult(rows, spec({ groupBy: ['country'], fill: true }), native, T0, 12).rows).toHaveLength(4);
  });
});

describe('shapeResult: topN, order and limit', () => {
  const rows = [row(1, 'FR', 5), row(0, 'DE', 7), row(0, 'FR', 9), row(0, 'IT', 7), row(1, 'DE', 2), row(0, 'ES', 1), row(1, 'IT', 8)];

  it('orders by start, then the groupBy dimensions, by default', () => {
    expect(brief(shapeResult(rows, spec({ groupBy: ['country'] }), PLAN, T0, 100).rows)).toEqual(['0 DE 7', '0 ES 1', '0 FR 9', '0 IT 7', '1 DE 2', '1 FR 5', '1 IT 8']);
  });

  it('keeps the top n groups of each bucket, ties by dimension', () => {
    expect(brief(shapeResult(rows, spec({ groupBy: ['country'], topN: { n: 2, by: 'events' } }), PLAN, T0, 100).rows)).toEqual(['0 FR 9', '0 DE 7', '1 IT 8', '1 FR 5'].sort());
    // Ties (DE and IT both 7) go to the first by the default order: DE.
    expect(brief(shapeResult(rows, spec({ groupBy: ['country'], topN: { n: 2, by: 'events' }, orderBy: ['start', 'events:desc'] }), PLAN, T0, 100).rows)).toEqual(['0 FR 9', '0 DE 7', '1 IT 8', '1 FR 5']);
    expect(brief(shapeResult(rows, spec({ groupBy: ['country'], topN: { n: 1, by: 'events', direction: 'asc' } }), PLAN, T0, 100).rows)).toEqual(['0 ES 1', '1 DE 2']);
  });

  it('orders by a measure with nulls last, ascending and descending', () => {
    const withNulls = [row(0, 'A', 1, 30), row(0, 'B', 2, null), row(0, 'C', 3, 10), row(0, 'D', 4, null), row(0, 'E', 5, 20)];
    const order = (orderBy: string) => shapeResult(withNulls, spec({ groupBy: ['country'], orderBy }), PLAN, T0, 100).rows.map((r) => r.dimensions['country']);
    expect(order('revenue')).toEqual(['C', 'E', 'A', 'B', 'D']);
    expect(order('revenue:desc')).toEqual(['A', 'E', 'C', 'B', 'D']);
    expect(order('country:desc')).toEqual(['E', 'D', 'C', 'B', 'A']);
  });

  it('orders null dimensions last both ways', () => {
    const withNull = [row(0, 'B', 1), row(0, null, 2), row(0, 'A', 3)];
    const order = (orderBy: string) => shapeResult(withNull, spec({ groupBy: ['country'], orderBy }), PLAN, T0, 100).rows.map((r) => r.dimensions['country']);
    expect(order('country')).toEqual(['A', 'B', null]);
    expect(order('country:desc')).toEqual(['B', 'A', null]);
  });

  it('orders numbers as numbers and start descending', () => {
    const numbers = [row(0, 'x', 10), row(0, 'y', 9), row(1, 'z', 100)];
    expect(brief(shapeResult(numbers, spec({ groupBy: ['country'], orderBy: 'events' }), PLAN, T0, 100).rows)).toEqual(['0 y 9', '0 x 10', '1 z 100']);
    expect(brief(shapeResult(numbers, spec({ groupBy: ['country'], orderBy: 'start:desc' }), PLAN, T0, 100).rows)).toEqual(['1 z 100', '0 x 10', '0 y 9']);
  });

  it('cuts at the limit and says so', () => {
    const limited = shapeResult(rows, spec({ groupBy: ['country'], limit: 3 }), PLAN, T0, 100);
    expect(brief(limited.rows)).toEqual(['0 DE 7', '0 ES 1', '0 FR 9']);
    expect(limited.truncated).toBe(true);
    expect(shapeResult(rows, spec({ groupBy: ['country'], limit: 7 }), PLAN, T0, 100).truncated).toBe(false);
  });
});
