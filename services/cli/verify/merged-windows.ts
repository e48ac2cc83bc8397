/**
 * Windows as a query sees them: the rows of `agg_<type>` (partial states per source partition and
 * correction) merged per (window, window start, dimension values), as the README's queries merge
 * them: counts and sums added, min and max taken, HLLs and sketches merged. Both sides of
 * `weir verify` end up here, so they are compared in the same shape.
 */
import { parseDateTime, storedWindow, type Row } from '../../aggregator/clickhouse/state-rows.ts';
import type { DimensionValue, WindowState } from '../../aggregator/state/window-state.ts';
import type { AggregateTable } from './aggregate-tables.ts';

export interface MergedWindow {
  /** windowName() of the spec, e.g. "tumbling_1m". */
  readonly window: string;
  /** Whole seconds, as the table keeps them. */
  readonly startMs: number;
  readonly dimensions: readonly DimensionValue[];
  readonly state: WindowState;
}

/** By windowKey(). */
export type MergedWindows = Map<string, MergedWindow>;

/** Which windows to compare: those starting at or after `sinceMs` and before `untilMs`. */
export interface WindowRange {
  readonly sinceMs?: number | undefined;
  readonly untilMs?: number | undefined;
}

export function inRange(range: WindowRange, startMs: number): boolean {
  return (range.sinceMs === undefined || startMs >= range.sinceMs) && (range.untilMs === undefined || startMs < range.untilMs);
}

/** The start of a row, from its `window_start` text. */
export function rowStartMs(row: Row): number {
  return parseDateTime(row['window_start']);
}

export function windowKey(window: string, startMs: number, dimensions: readonly DimensionValue[]): string {
  return JSON.stringify([window, startMs, ...dimensions]);
}

/** Folds one row (a partition's state, a correction, or an already merged group) into `into`. */
export function mergeRow(into: MergedWindows, table: AggregateTable, row: Row): void {
  const { key, state } = storedWindow(table.layout, table.folding, table.aggregate.dimensionShapes, row);
  const k = windowKey(key.window, key.bounds.start, key.dimensions);
  const existing = into.get(k);
  if (existing === undefined) into.set(k, { window: key.window, startMs: key.bounds.start, dimensions: key.dimensions, state });
  else table.folding.merge(existing.state, state);
}
