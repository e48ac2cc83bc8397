import { describe, expect, it } from 'vitest';
import { createHll, hllAdd, hllEstimate, HLL_HISTOGRAM_SIZE } from '../../../../services/aggregator/sketches/hll.ts';
import { createSketch, sketchAdd, sketchQuantile, SKETCH_BUCKETS } from '../../../../services/aggregator/sketches/quantile-sketch.ts';
import { compileQuery } from '../../../../services/query/query/compile-sql.ts';
import { evaluateRows } from '../../../../services/query/query/evaluate-rows.ts';
import { parseQuery } from '../../../../services/query/query/parse-query.ts';
import type { BucketPlan } from '../../../../services/query/query/plan-buckets.ts';
import { createBinder } from '../../../../services/query/query/sql-binder.ts';
import { seededRandom } from '../../../harness/seeded-random.ts';
import { dimensions, measures, readAll, testCatalog, testTable } from '../catalog-fixture.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 24, 8);

const CATALOG = testCatalog({
  shop: testTable({
    dimensions: dimensions('country?', 'mobile', 'status', 'user_num?'),
    measures: measures('events', 'revenue', 'amount_min', 'amount_avg', 'buyers', 'amount_p90', 'amount_p50'),
    windows: [
      { kind: 'tumbling', sizeMs: H },
      { kind: 'session', gapMs: 1_800_000 },
    ],
  }),
});
const TYPE = CATALOG.get('shop')!;
const ALL = ['events', 'revenue', 'amount_min', 'amount_avg', 'buyers', 'amount_p90', 'amount_p50'];
const PLAN: BucketPlan = { mode: 'rollup', window: TYPE.windows[0]!, granularityMs: H, boundaries: [T0, T0 + H, T0 + 3 * H], runs: [{ startMs: T0, stepMs: H }, { startMs: T0 + H, stepMs: 2 * H }], fromMs: T0, toMs: T0 + 3 * H };

function setup(query: Record<string, unknown> = {}, plan: BucketPlan = PLAN) {
  const spec = parseQuery({ type: 'shop', measures: ALL, ...query }, CATALOG, readAll());
  const compiled = compileQuery(spec, plan, 'weir', createBinder(true));
  // The aliases the SQL gives each state: s0 sum(window_count), s1 sum(amount__sum), ...
  const alias = (expr: string) => compiled.states.find((s) => s.expr.startsWith(expr))!.alias;
  return { spec, compiled, alias, evaluate: (rows: Record<string, unknown>[], now = T0) => evaluateRows(rows, spec, plan, compiled, now) };
}

/** A ClickHouse row as the compiled SELECT returns it, every state given by its expression's start. */
function rawRow(alias: (expr: string) => string, states: Record<string, unknown>, rest: Record<string, unknown> = {}) {
  const row: Record<string, unknown> = { b: T0 / 1000, f: 1, e: (T0 + H) / 1000, ...rest };
  for (const [expr, value] of Object.entries(states)) row[expr === 'hll' ? `h${alias('arrayReverseSort')}` : alias(expr)] = value;
  return row;
}

const EMPTY_HISTOGRAM = Array.from({ length: HLL_HISTOGRAM_SIZE }, () => 0);

describe('evaluateRows', () => {
  it('computes counts, sums, min and avg, with avg null when n = 0', () => {
    const { alias, evaluate } = setup();
    const states = { 'sum(window_count)': '12', 'sum(`amount__sum`)': 30, 'min(`amount__min`)': 0.5, 'sum(`amount__n`)': '4', hll: EMPTY_HISTOGRAM, 'sumMap(': [[], []] };
    const [r] = evaluate([rawRow(alias, states)]);
    expect(r!.values).toEqual({ events: 12, revenue: 30, amount_min: 0.5, amount_avg: 7.5, buyers: 0, amount_p90: null, amount_p50: null });
    const [empty] = evaluate([rawRow(alias, { ...states, 'sum(`amount__n`)': 0, 'sum(`amount__sum`)': 0, 'min(`amount__min`)': null })]);
    expect(empty!.values).toMatchObject({ revenue: 0, amount_min: null, amount_avg: null });
  });

  it('estimates distinct counts from the histogram exactly as from the registers', () => {
    const { alias, evaluate } = setup();
    const random = seededRandom(42);
    for (const n of [0, 1, 10, 1_000, 50_000]) {
      const registers = createHll();
      for (let i = 0; i < n; i++) hllAdd(registers, `user-${Math.floor(random() * 1e12)}`);
      // The histogram ClickHouse computes: how many registers hold each value, empty ones included.
      const histogram = Array.from({ length: HLL_HISTOGRAM_SIZE }, () => 0);
      for (const value of registers) histogram[value]! += 1;
      const [r] = evaluate([rawRow(alias, { 'sum(window_count)': n, hll: histogram, 'sumMap(': [[], []] })]);
      expect(r!.values['buyers']).toBe(hllEstimate(registers));
      if (n >= 1_000) expect(Math.abs(r!.values['buyers']! - n) / n).toBeLessThan(0.02);
    }
  });

  it('reads quantiles off the merged buckets exactly as off the dense sketch', () => {
    const { alias, evaluate } = setup();
    const random = seededRandom(9);
    const sketch = createSketch();
    const values: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const v = random() < 0.05 ? 0 : random() < 0.1 ? -random() * 100 : Math.exp(random() * 12);
      values.push(v);
      sketchAdd(sketch, v);
    }
    // What sumMap returns: the non-empty buckets ascending, and their counts.
    const buckets: number[] = [];
    const counts: string[] = [];
    for (let i = 0; i < SKETCH_BUCKETS; i++) if (sketch[i]! > 0) (buckets.push(i), counts.push(String(sketch[i])));
    const [r] = evaluate([rawRow(alias, { 'sum(window_count)': 5_000, hll: EMPTY_HISTOGRAM, 'sumMap(': [buckets, counts] })]);
    expect(r!.values['amount_p90']).toBe(sketchQuantile(sketch, 0.9));
    expect(r!.values['amount_p50']).toBe(sketchQuantile(sketch, 0.5));
    // And within 1 % of the exact quantile (rank floor(q (n - 1))).
    const sorted = [...values].sort((a, b) => a - b);
    const exact = sorted[Math.floor(0.9 * (sorted.length - 1))]!;
    expect(Math.abs(r!.values['amount_p90']! - exact) / Math.abs(exact)).toBeLessThanOrEqual(0.01);
  });

  it('reads dimensions by kind, and bucket bounds and openness', () => {
    const { alias, evaluate } = setup({ groupBy: ['country', 'mobile', 'status', 'user_num'], measures: ['events'] });
    const base = { 'sum(window_count)': 1 };
    const rows = evaluate(
      [
        rawRow(alias, base, { d0: 'FR', d1: 1, d2: '200', d3: '9007199254740991', f: 1 }),
        rawRow(alias, base, { d0: null, d1: 0, d2: -5, d3: null, f: 0 }),
        rawRow(alias, base, { b: (T0 + H) / 1000, d0: 'DE', d1: '1', d2: 7, d3: 1, f: 1 }),
      ],
      T0 + H + 65_000,
    );
    expect(rows.map((r) => r.dimensions)).toEqual([
      { country: 'FR', mobile: true, status: 200, user_num: 9_007_199_254_740_991 },
      { country: null, mobile: false, status: -5, user_num: null },
      { country: 'DE', mobile: true, status: 7, user_num: 1 },
    ]);
    // Bucket 0 has settled (final: closed; not final: open); bucket 1 is 2 h long and not over.
    expect(rows.map((r) => [r.start, r.end, r.open])).toEqual([
      [T0, T0 + H, false],
      [T0, T0 + H, true],
      [T0 + H, T0 + 3 * H, true],
    ]);
    // A bucket is open until its end plus out-of-orderness and grace (65 s) have passed.
    expect(evaluate([rawRow(alias, base, { d0: 'FR', d1: 1, d2: 1, d3: 1 })], T0 + H + 64_999)[0]!.open).toBe(true);
    expect(evaluate([rawRow(alias, base, { d0: 'FR', d1: 1, d2: 1, d3: 1 })], T0 + H + 65_000)[0]!.open).toBe(false);
  });

  it('ends a session bucket at the session end the row carries', () => {
    const native: BucketPlan = { mode: 'native', window: TYPE.windows[1]!, fromMs: T0, toMs: T0 + 3 * H };
    const { alias, evaluate } = setup({ measures: ['events'], window: 'session_30m' }, native);
    const [r] = evaluate([rawRow(alias, { 'sum(window_count)': 3 }, { e: (T0 + 2_700_000) / 1000 })], T0 + 10 * H);
    expect([r!.start, r!.end, r!.open, r!.values['events']]).toEqual([T0, T0 + 2_700_000, false, 3]);
  });
});
