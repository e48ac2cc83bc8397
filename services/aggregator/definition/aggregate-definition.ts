/**
 * An aggregate definition as read from `schemas/aggregates/<type>.json`: which windows the
 * aggregator folds an event type's clean records into, grouped by which dimensions, computing
 * which measures, and how it treats late events. Every part keeps `at`, its JSON Pointer in the
 * file, for the checks against the clean schema. The format is documented in
 * schemas/aggregates/README.md; the bounds below are explained there.
 */
import type { FieldShape } from '../../processor/pipeline/field-shape.ts';
import type { LatePolicy } from '../windows/lateness.ts';
import type { WindowSpec } from '../windows/window.ts';

export const MEASURE_KINDS = ['count', 'sum', 'min', 'max', 'avg', 'distinct', 'quantile'] as const;
export type MeasureKind = (typeof MEASURE_KINDS)[number];

export const LATE_POLICIES = ['dlq', 'correct'] as const satisfies readonly LatePolicy[];

/** Measure names are column names: lower case SQL identifiers. */
export const MEASURE_NAME = /^[a-z][a-z0-9_]*$/;
export const MEASURE_NAME_HINT = 'a measure name is a SQL column name: lower case letters, digits and _, starting with a letter';
export const MAX_MEASURE_NAME_LENGTH = 64;
/** Column names the aggregate tables keep for themselves. */
export const RESERVED_PREFIX = 'window_';

export const WINDOW_UNIT_MS = 1_000; // window sizes, advances and gaps are whole seconds
export const MAX_WINDOW_MS = 86_400_000; // 1 day: state of a window lives at least this long
export const MAX_HOPS = 60; // windows per event of one hopping spec (size / advance)
export const MAX_WINDOW_SPECS = 8;
export const MAX_DIMENSIONS = 8;
export const MAX_MEASURES = 32;

export const DEFAULT_TIME_FIELD = 'event_time';
export const DEFAULT_ALLOWED_OUT_OF_ORDERNESS_MS = 5_000; // 5 s
export const MAX_ALLOWED_OUT_OF_ORDERNESS_MS = 3_600_000; // 1 h
export const DEFAULT_GRACE_MS = 60_000; // 1 min
export const MAX_GRACE_MS = 86_400_000; // 1 day
export const MIN_IDLE_TIMEOUT_MS = 1_000; // 1 s
export const MAX_IDLE_TIMEOUT_MS = 3_600_000; // 1 h
export const DEFAULT_LATE_POLICY: LatePolicy = 'dlq';

interface Located {
  /** JSON Pointer of this item in the definition file. */
  readonly at: string;
}

export type MeasureDef = Located &
  (
    | { readonly kind: 'count'; readonly name: string }
    | { readonly kind: 'sum' | 'min' | 'max' | 'avg' | 'distinct'; readonly name: string; readonly field: string }
    /** `q` in (0, 1): 0.5 is the median, 0.99 the 99th percentile. */
    | { readonly kind: 'quantile'; readonly name: string; readonly field: string; readonly q: number }
  );

export type WindowDef = Located & WindowSpec;

export interface DimensionDef extends Located {
  readonly field: string;
}

export interface AggregateDefinition {
  /** The event type: the file's name, the clean topic weir.clean.<source>. */
  readonly source: string;
  /** The clean record's event-time field (epoch ms). */
  readonly timeField: string;
  readonly timeFieldAt: string;
  readonly dimensions: readonly DimensionDef[];
  /**
   * Dimensions the table is sorted by before window start (a subset of `dimensions`, in this
   * order): a query filtered on them reads only their rows. Empty: sorted by time first.
   */
  readonly indexBy: readonly DimensionDef[];
  readonly measures: readonly MeasureDef[];
  readonly windows: readonly WindowDef[];
  readonly allowedOutOfOrdernessMs: number;
  readonly graceMs: number;
  readonly idleTimeoutMs: number;
  readonly lateEvents: LatePolicy;
}

/** A definition checked against the clean schema of its type. */
export interface Aggregate extends AggregateDefinition {
  /** The definition file, as named in problems. */
  readonly file: string;
  /** The clean schema's shape of each dimension, in order: what its column holds. */
  readonly dimensionShapes: readonly FieldShape[];
}
