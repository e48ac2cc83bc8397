/**
 * Window states to rows of `agg_<type>` and back (table-layout.ts describes the columns). Times go
 * as 'YYYY-MM-DD hh:mm:ss' in UTC, which every ClickHouse version parses into DateTime('UTC');
 * 64-bit integers may come back quoted, so reading converts with Number().
 */
import type { FieldShape } from '../../processor/pipeline/field-shape.ts';
import type { DimensionValue, Folding, WindowState } from '../state/window-state.ts';
import type { Window } from '../windows/window.ts';
import { CHANGED_NOTHING, CHANGES_RETENTION_MS, CHANGES_WINDOW, PROGRESS_WINDOW, type TableLayout } from './table-layout.ts';

export type Row = Record<string, unknown>;

export interface RowKey {
  /** windowName() of the spec, e.g. "tumbling_1m". */
  readonly window: string;
  readonly bounds: Window;
  readonly dimensions: readonly DimensionValue[];
  readonly partition: number;
  /** 0 for the window's own row; the late event's offset + 1 for a correction. */
  readonly correction: number;
}

export interface RowMeta {
  readonly version: bigint;
  readonly final: boolean;
  readonly superseded: boolean;
  readonly expires: number;
}

export function dateTimeText(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export function parseDateTime(text: unknown): number {
  return Date.parse(`${String(text).replace(' ', 'T')}Z`);
}

export function stateRow(layout: TableLayout, folding: Folding, key: RowKey, state: WindowState, meta: RowMeta): Row {
  const row: Row = {
    window: key.window,
    window_start: dateTimeText(key.bounds.start),
    window_end: dateTimeText(key.bounds.end),
    window_partition: key.partition,
    window_correction: key.correction,
    window_version: meta.version.toString(),
    window_final: meta.final ? 1 : 0,
    window_superseded: meta.superseded ? 1 : 0,
    window_watermark: 0,
    window_expires: dateTimeText(meta.expires),
    window_count: state.count,
  };
  layout.dimensions.forEach((name, i) => {
    const value = key.dimensions[i] ?? null;
    row[name] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  });
  folding.numericFields.forEach((f, i) => {
    const n = state.stats[4 * i] as number;
    row[`${f}__n`] = n;
    row[`${f}__sum`] = state.stats[4 * i + 1];
    row[`${f}__min`] = n === 0 ? null : state.stats[4 * i + 2];
    row[`${f}__max`] = n === 0 ? null : state.stats[4 * i + 3];
  });
  folding.distinctFields.forEach((f, i) => {
    const registers = state.hlls[i]!;
    const positions: number[] = [];
    for (let r = 0; r < registers.length; r++) if (registers[r] !== 0) positions.push(r * 64 + (registers[r] as number));
    row[`${f}__hll`] = positions;
  });
  folding.quantileFields.forEach((f, i) => {
    const sketch = state.sketches[i]!;
    const buckets: number[] = [];
    const counts: number[] = [];
    for (let b = 0; b < sketch.length; b++) {
      if (sketch[b] !== 0) {
        buckets.push(b);
        counts.push(sketch[b] as number);
      }
    }
    row[`${f}__qb`] = buckets;
    row[`${f}__qc`] = counts;
  });
  return row;
}

/** What a flush of a partition wrote, for its progress and change rows. */
export interface FlushFacts {
  /** Every record up to this offset is in the flush. */
  readonly version: bigint;
  readonly watermarkMs: number;
  /** The earliest start among the window rows written (new windows, updates, corrections, supersessions); Infinity when none was. */
  readonly changedFromMs: number;
}

/** A row of a fixed window (progress or changes) with the dimensions at their neutral values. */
function bookkeepingRow(layout: TableLayout, shapes: readonly FieldShape[], fields: Row): Row {
  const row: Row = { window_correction: 0, window_final: 0, window_superseded: 0, window_watermark: 0, window_count: 0, ...fields };
  layout.dimensions.forEach((name, i) => {
    const shape = shapes[i];
    row[name] = shape?.nullable === true ? null : shape?.kind === 'string' || shape?.kind === 'enum' ? '' : 0;
  });
  return row;
}

/** The partition's progress: every offset up to `version` is folded into the rows written with it. */
export function progressRow(layout: TableLayout, partition: number, version: bigint, watermarkMs: number, shapes: readonly FieldShape[]): Row {
  return bookkeepingRow(layout, shapes, {
    window: PROGRESS_WINDOW,
    window_start: dateTimeText(0),
    window_end: dateTimeText(0),
    window_partition: partition,
    window_version: version.toString(),
    window_watermark: Number.isFinite(watermarkMs) ? Math.trunc(watermarkMs) : 0,
    window_expires: dateTimeText(Date.UTC(2100, 0, 1)),
  });
}

/** The change row of a flush at `atMs` (table-layout.ts, CHANGES_WINDOW). */
export function changeRow(layout: TableLayout, partition: number, flush: FlushFacts, atMs: number, shapes: readonly FieldShape[]): Row {
  return bookkeepingRow(layout, shapes, {
    window: CHANGES_WINDOW,
    window_start: dateTimeText(atMs),
    window_end: dateTimeText(atMs),
    window_partition: partition,
    window_correction: (flush.version + 1n).toString(),
    window_version: flush.version.toString(),
    window_final: 1,
    window_watermark: Number.isFinite(flush.changedFromMs) ? Math.trunc(flush.changedFromMs) : CHANGED_NOTHING,
    window_expires: dateTimeText(atMs + CHANGES_RETENTION_MS),
  });
}

/** The progress and change rows of a partition's flush at `atMs`. */
export function flushRows(layout: TableLayout, partition: number, flush: FlushFacts, atMs: number, shapes: readonly FieldShape[]): Row[] {
  return [progressRow(layout, partition, flush.version, flush.watermarkMs, shapes), changeRow(layout, partition, flush, atMs, shapes)];
}

export interface StoredWindow {
  readonly key: RowKey;
  readonly state: WindowState;
  readonly final: boolean;
  readonly version: bigint;
}

/** A row read back (JSONEachRow) into its key and state. */
export function storedWindow(layout: TableLayout, folding: Folding, shapes: readonly FieldShape[], row: Row): StoredWindow {
  const state = folding.empty();
  state.count = Number(row['window_count']);
  folding.numericFields.forEach((f, i) => {
    const n = Number(row[`${f}__n`]);
    state.stats[4 * i] = n;
    state.stats[4 * i + 1] = Number(row[`${f}__sum`]);
    if (n > 0) {
      state.stats[4 * i + 2] = Number(row[`${f}__min`]);
      state.stats[4 * i + 3] = Number(row[`${f}__max`]);
    }
  });
  folding.distinctFields.forEach((f, i) => {
    const registers = state.hlls[i]!;
    for (const position of row[`${f}__hll`] as readonly (number | string)[]) {
      const p = Number(position);
      const at = p >>> 6;
      registers[at] = Math.max(registers[at] as number, p & 63);
    }
  });
  folding.quantileFields.forEach((f, i) => {
    const sketch = state.sketches[i]!;
    const counts = row[`${f}__qc`] as readonly (number | string)[];
    (row[`${f}__qb`] as readonly (number | string)[]).forEach((b, j) => (sketch[Number(b)] = Number(counts[j])));
  });
  const dimensions = layout.dimensions.map((name, i): DimensionValue => {
    const value = row[name];
    if (value === null || value === undefined) return null;
    const kind = shapes[i]?.kind;
    if (kind === 'boolean') return Number(value) === 1;
    if (kind === 'int' || kind === 'long') return Number(value);
    return String(value);
  });
  return {
    key: {
      window: String(row['window']),
      bounds: { start: parseDateTime(row['window_start']), end: parseDateTime(row['window_end']) },
      dimensions,
      partition: Number(row['window_partition']),
      correction: Number(row['window_correction']),
    },
    state,
    final: Number(row['window_final']) === 1,
    version: BigInt(String(row['window_version'])),
  };
}
