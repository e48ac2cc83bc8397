/**
 * Recomputed windows against stored ones, measure by measure. Counts, mins and maxes must be
 * equal; sums and averages too, except for the last digits a float sum may owe to the order
 * ClickHouse added partial sums in (1e-9 relative); distinct counts within 2 % (±1 under 50) and
 * quantiles within 1 % of the recomputed value, the sketches' own bounds. Both sides are built by
 * the same sketch code from the same partial states, so even those are normally exact.
 */
import type { MeasureDef } from '../../aggregator/definition/aggregate-definition.ts';
import type { DimensionValue, Folding } from '../../aggregator/state/window-state.ts';
import type { MergedWindow, MergedWindows } from './merged-windows.ts';

export type Verdict = 'exact' | 'within_bound' | 'mismatch';

export const FLOAT_SUM_RELATIVE = 1e-9;
export const DISTINCT_RELATIVE = 0.02;
/** Under this many, a distinct count may be off by one. */
export const DISTINCT_SMALL = 50;
export const QUANTILE_RELATIVE = 0.01;

export interface MeasureCheck {
  readonly name: string;
  readonly kind: MeasureDef['kind'];
  readonly expected: number | null;
  readonly actual: number | null;
  readonly verdict: Verdict;
}

export interface WindowProblem {
  readonly kind: 'mismatch' | 'missing_in_clickhouse' | 'only_in_clickhouse';
  readonly window: string;
  readonly start: string;
  readonly dimensions: Readonly<Record<string, DimensionValue>>;
  /** The measures that are not exact (all of them when the window is missing on a side). */
  readonly measures: readonly MeasureCheck[];
}

export interface Comparison {
  readonly checked: number;
  readonly exact: number;
  readonly withinBound: number;
  readonly mismatched: number;
  readonly missingInClickHouse: number;
  readonly onlyInClickHouse: number;
  /** In window, start and dimension order. */
  readonly problems: readonly WindowProblem[];
}

export function measureVerdict(measure: MeasureDef, expected: number | null, actual: number | null): Verdict {
  if (expected === actual) return 'exact';
  if (expected === null || actual === null) return 'mismatch';
  const error = Math.abs(actual - expected);
  const bound =
    measure.kind === 'sum' || measure.kind === 'avg' ? FLOAT_SUM_RELATIVE * Math.max(Math.abs(expected), Math.abs(actual))
    : measure.kind === 'distinct' ? (expected < DISTINCT_SMALL ? 1 : DISTINCT_RELATIVE * expected)
    : measure.kind === 'quantile' ? QUANTILE_RELATIVE * Math.abs(expected)
    : -1;
  return error <= bound ? 'within_bound' : 'mismatch';
}

export function compareWindows(measures: readonly MeasureDef[], folding: Folding, dimensionNames: readonly string[], expected: MergedWindows, actual: MergedWindows): Comparison {
  let exact = 0;
  let withinBound = 0;
  const problems: WindowProblem[] = [];
  const problem = (kind: WindowProblem['kind'], w: MergedWindow, checks: readonly MeasureCheck[]): WindowProblem => ({
    kind,
    window: w.window,
    start: new Date(w.startMs).toISOString(),
    dimensions: Object.fromEntries(dimensionNames.map((name, i) => [name, w.dimensions[i] ?? null])),
    measures: checks,
  });
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  for (const key of keys) {
    const e = expected.get(key);
    const a = actual.get(key);
    const expectedValues = e === undefined ? undefined : folding.measures(e.state);
    const actualValues = a === undefined ? undefined : folding.measures(a.state);
    const checks = measures.map((m): MeasureCheck => {
      const ev = expectedValues?.[m.name] ?? null;
      const av = actualValues?.[m.name] ?? null;
      return { name: m.name, kind: m.kind, expected: ev, actual: av, verdict: measureVerdict(m, ev, av) };
    });
    if (e === undefined) problems.push(problem('only_in_clickhouse', a!, checks));
    else if (a === undefined) problems.push(problem('missing_in_clickhouse', e, checks));
    else if (checks.some((c) => c.verdict === 'mismatch')) problems.push(problem('mismatch', e, checks.filter((c) => c.verdict !== 'exact')));
    else if (checks.some((c) => c.verdict === 'within_bound')) withinBound++;
    else exact++;
  }
  const count = (kind: WindowProblem['kind']) => problems.filter((p) => p.kind === kind).length;
  return { checked: keys.length, exact, withinBound, mismatched: count('mismatch'), missingInClickHouse: count('missing_in_clickhouse'), onlyInClickHouse: count('only_in_clickhouse'), problems };
}
