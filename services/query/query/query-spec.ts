/** A query after validation against the catalog: every name known, every value of the right kind. */
import type { MeasureDef } from '../../aggregator/definition/aggregate-definition.ts';
import type { CatalogDimension, CatalogType, CatalogWindow } from '../catalog.ts';

/** A dimension's value as stored: text, a number, a boolean, or null for a nullable dimension. */
export type Value = string | number | boolean | null;

export type Filter =
  | { readonly dimension: CatalogDimension; readonly op: 'eq' | 'neq'; readonly value: Value }
  | { readonly dimension: CatalogDimension; readonly op: 'in'; readonly values: readonly Value[] }
  | {
      readonly dimension: CatalogDimension;
      readonly op: 'range';
      readonly gte?: string | number;
      readonly gt?: string | number;
      readonly lte?: string | number;
      readonly lt?: string | number;
    }
  | { readonly dimension: CatalogDimension; readonly op: 'prefix'; readonly value: string };

export const FILTER_OPS = ['eq', 'neq', 'in', 'range', 'prefix'] as const;

/** When: fixed instants, or relative to the time the query runs (a stream re-resolves it on every update). */
export interface TimeSpec {
  readonly fromMs?: number;
  readonly toMs?: number;
  /** `last`: the range ends at `toMs` (or now) and starts this long before. */
  readonly lastMs?: number;
}

export interface Order {
  /** A measure name, a groupBy dimension, or "start" (the bucket). */
  readonly by: string;
  readonly desc: boolean;
}

export interface QuerySpec {
  readonly type: CatalogType;
  readonly measures: readonly MeasureDef[];
  readonly groupBy: readonly CatalogDimension[];
  readonly filters: readonly Filter[];
  readonly time: TimeSpec;
  readonly timeZone: string;
  /** Undefined: chosen from the range (see chooseGranularity). */
  readonly granularityMs: number | undefined;
  /** A stored window named by the query; undefined: the best tumbling window for the granularity. */
  readonly window: CatalogWindow | undefined;
  readonly orderBy: readonly Order[];
  readonly limit: number;
  readonly topN: { readonly n: number; readonly by: MeasureDef; readonly desc: boolean } | undefined;
  /** Buckets without data come back with zero counts and sums (and null for the other measures). */
  readonly fill: boolean;
}

/** The instants a query covers, resolved at `now`. */
export function resolveTime(time: TimeSpec, now: number): { fromMs: number; toMs: number } {
  const toMs = time.toMs ?? now;
  const fromMs = time.fromMs ?? toMs - (time.lastMs ?? 3_600_000);
  return { fromMs, toMs };
}

/** The same text for the same query however it was written: streams of equal queries share work. */
export function canonicalQuery(spec: QuerySpec): string {
  return JSON.stringify({
    type: spec.type.type,
    measures: spec.measures.map((m) => m.name),
    groupBy: spec.groupBy.map((d) => d.name),
    filters: spec.filters.map(({ dimension, ...rest }) => ({ dimension: dimension.name, ...rest })),
    time: spec.time,
    timeZone: spec.timeZone,
    granularityMs: spec.granularityMs ?? null,
    window: spec.window?.name ?? null,
    orderBy: spec.orderBy,
    limit: spec.limit,
    topN: spec.topN === undefined ? null : { n: spec.topN.n, by: spec.topN.by.name, desc: spec.topN.desc },
    fill: spec.fill,
  });
}
