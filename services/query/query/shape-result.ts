/** After evaluation: empty buckets filled (on request), top N per bucket, order, limit. */
import { QueryError } from '../query-error.ts';
import { emptyValue, type ResultRow } from './evaluate-rows.ts';
import type { BucketPlan } from './plan-buckets.ts';
import type { Order, QuerySpec, Value } from './query-spec.ts';

function compareValues(a: Value | undefined, b: Value | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // nulls last, whatever the direction
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function orderKey(row: ResultRow, by: string): Value | undefined {
  if (by === 'start') return row.start;
  return by in row.values ? row.values[by] : row.dimensions[by];
}

function comparator(orders: readonly Order[]): (a: ResultRow, b: ResultRow) => number {
  return (a, b) => {
    for (const o of orders) {
      const ka = orderKey(a, o.by);
      const kb = orderKey(b, o.by);
      const c = compareValues(ka, kb);
      if (c === 0) continue;
      const hasNull = ka === null || ka === undefined || kb === null || kb === undefined;
      return o.desc && !hasNull ? -c : c;
    }
    return 0;
  };
}

export interface Shaped {
  readonly rows: readonly ResultRow[];
  /** Rows left out by the limit. */
  readonly truncated: boolean;
}

export function shapeResult(rows: readonly ResultRow[], spec: QuerySpec, plan: BucketPlan, now: number, maxRows: number): Shaped {
  let out = [...rows];
  if (spec.fill && plan.mode === 'rollup') {
    const groups = new Map<string, ResultRow['dimensions']>();
    if (spec.groupBy.length === 0) groups.set('[]', {});
    for (const r of rows) groups.set(JSON.stringify(spec.groupBy.map((d) => r.dimensions[d.name])), r.dimensions);
    const buckets = plan.boundaries.length - 1;
    if (groups.size * buckets > maxRows) {
      throw new QueryError('QUERY_TOO_LARGE', `filling ${buckets} buckets for ${groups.size} groups would make ${groups.size * buckets} rows; at most ${maxRows}: filter, coarsen the granularity or leave fill out`);
    }
    const have = new Set(rows.map((r) => `${r.start}\u0000${JSON.stringify(spec.groupBy.map((d) => r.dimensions[d.name]))}`));
    for (const [key, dimensions] of groups) {
      for (let i = 0; i < buckets; i++) {
        const start = plan.boundaries[i]!;
        if (have.has(`${start}\u0000${key}`)) continue;
        const end = plan.boundaries[i + 1]!;
        const values: Record<string, number | null> = {};
        for (const m of spec.measures) values[m.name] = emptyValue(m);
        out.push({ start, end, open: end + spec.type.settleMs > now, dimensions, values });
      }
    }
  }
  const defaultOrder: Order[] = [{ by: 'start', desc: false }, ...spec.groupBy.map((d) => ({ by: d.name, desc: false }))];
  if (spec.topN !== undefined) {
    const { n, by, desc } = spec.topN;
    const rank = comparator([{ by: by.name, desc }, ...defaultOrder]);
    const byBucket = new Map<number, ResultRow[]>();
    for (const r of out) {
      const list = byBucket.get(r.start);
      if (list === undefined) byBucket.set(r.start, [r]);
      else list.push(r);
    }
    out = [...byBucket.values()].flatMap((list) => list.sort(rank).slice(0, n));
  }
  out.sort(comparator([...spec.orderBy, ...defaultOrder]));
  return { rows: out.slice(0, spec.limit), truncated: out.length > spec.limit };
}
