/**
 * From ClickHouse's merged states to the numbers a query asked for: counts and sums as they are,
 * averages as sum / n, distinct counts estimated from the HLL histogram, quantiles read off the
 * merged sketch. Also the shape of a result row: bucket start and end, whether the bucket can still
 * change, dimension values, measure values.
 */
import type { MeasureDef } from '../../aggregator/definition/aggregate-definition.ts';
import { hllEstimateFromHistogram } from '../../aggregator/sketches/hll.ts';
import { sketchQuantileOfBuckets } from '../../aggregator/sketches/quantile-sketch.ts';
import type { CatalogDimension } from '../catalog.ts';
import type { CompiledQuery } from './compile-sql.ts';
import type { BucketPlan } from './plan-buckets.ts';
import type { QuerySpec, Value } from './query-spec.ts';

export interface ResultRow {
  /** Bucket start and end, epoch ms. */
  readonly start: number;
  readonly end: number;
  /** Whether the bucket's totals can still change (a window in it not yet final). */
  readonly open: boolean;
  readonly dimensions: Readonly<Record<string, Value>>;
  readonly values: Readonly<Record<string, number | null>>;
}

type Raw = Record<string, unknown>;

function dimensionValue(raw: unknown, dimension: CatalogDimension): Value {
  if (raw === null || raw === undefined) return null;
  switch (dimension.kind) {
    case 'boolean':
      return raw === true || raw === 1 || raw === '1';
    case 'int':
    case 'long':
      return Number(raw);
    default:
      return String(raw);
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** How to read a measure off a result row: the columns of its states, resolved once per query. */
function measureReader(m: MeasureDef, compiled: CompiledQuery): (row: Raw) => number | null {
  const columns = compiled.inputs.get(m.name)!.map((alias) => (compiled.states.find((s) => s.alias === alias)?.kind === 'histogram' ? `h${alias}` : alias));
  const state = (row: Raw, i: number) => row[columns[i]!];
  switch (m.kind) {
    case 'count':
    case 'sum':
      return (row) => num(state(row, 0)) ?? 0;
    case 'min':
    case 'max':
      return (row) => num(state(row, 0));
    case 'avg':
      return (row) => {
        const n = num(state(row, 1)) ?? 0;
        return n === 0 ? null : (num(state(row, 0)) ?? 0) / n;
      };
    case 'distinct':
      return (row) => hllEstimateFromHistogram((state(row, 0) as unknown[]).map(Number));
    case 'quantile':
      return (row) => {
        const [buckets, counts] = state(row, 0) as [unknown[], unknown[]];
        return sketchQuantileOfBuckets(buckets.map(Number), counts.map(Number), m.q);
      };
  }
}

/** The value a bucket without data has: zero for counts, sums and distinct counts, null for the rest. */
export function emptyValue(m: MeasureDef): number | null {
  return m.kind === 'count' || m.kind === 'sum' || m.kind === 'distinct' ? 0 : null;
}

/** The end of the bucket that starts at `start`: the next boundary (rolled up), or the window's end (native). */
export function bucketEnds(plan: BucketPlan): (start: number) => number {
  if (plan.mode === 'native') {
    const spec = plan.window.spec;
    return (start) => (spec.kind === 'session' ? start : start + spec.sizeMs);
  }
  const next = new Map<number, number>();
  for (let i = 0; i + 1 < plan.boundaries.length; i++) next.set(plan.boundaries[i]!, plan.boundaries[i + 1]!);
  return (start) => next.get(start) ?? start + plan.granularityMs;
}

export function evaluateRows(rows: readonly Raw[], spec: QuerySpec, plan: BucketPlan, compiled: CompiledQuery, now: number): ResultRow[] {
  const bucketEnd = bucketEnds(plan);
  const readers = spec.measures.map((m) => [m.name, measureReader(m, compiled)] as const);
  return rows.map((row) => {
    const start = Number(row['b']) * 1000;
    const end = plan.mode === 'native' && plan.window.spec.kind === 'session' ? Number(row['e']) * 1000 : bucketEnd(start);
    const dimensions: Record<string, Value> = {};
    compiled.dimensions.forEach((d, i) => (dimensions[d.name] = dimensionValue(row[`d${i}`], d)));
    const values: Record<string, number | null> = {};
    for (const [name, read] of readers) values[name] = read(row);
    return { start, end, open: Number(row['f']) === 0 || end + spec.type.settleMs > now, dimensions, values };
  });
}
