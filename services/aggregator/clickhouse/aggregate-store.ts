/** Reading a partition's state back, and writing a flush: the aggregator's only queries. */
import type { ClickHouseStore } from '../../shared/clickhouse/store.ts';
import type { Row } from './state-rows.ts';
import { PROGRESS_WINDOW, quoteIdentifier as q, type TableLayout } from './table-layout.ts';

export interface PartitionRows {
  /** The progress row's offset and watermark; undefined when the partition was never flushed. */
  readonly progress: { readonly version: bigint; readonly watermarkMs: number } | undefined;
  /** The newest row of every window still open, corrections and superseded sessions left out. */
  readonly open: readonly Row[];
}

export async function readPartitionRows(store: ClickHouseStore, database: string, layout: TableLayout, partition: number): Promise<PartitionRows> {
  if (!Number.isSafeInteger(partition) || partition < 0) throw new RangeError(`partition must be a whole number, got ${partition}`);
  const rows = await store.query<Row>(
    `SELECT * FROM ${q(database)}.${q(layout.table)} FINAL
     WHERE window_partition = ${partition} AND window_correction = 0 AND window_superseded = 0 AND (window = '' OR window_final = 0)`,
  );
  const progress = rows.find((r) => r['window'] === PROGRESS_WINDOW);
  return {
    progress: progress === undefined ? undefined : { version: BigInt(String(progress['window_version'])), watermarkMs: Number(progress['window_watermark']) },
    open: rows.filter((r) => r['window'] !== PROGRESS_WINDOW),
  };
}

/** The newest rows of these open windows of one partition (all dimension values; the caller picks). */
export async function readWindows(store: ClickHouseStore, database: string, layout: TableLayout, partition: number, windows: ReadonlyArray<{ window: string; bounds: { start: number } }>): Promise<Row[]> {
  if (windows.length === 0) return [];
  // Window names are made by windowName() ([a-z0-9_]) and starts are numbers: nothing to escape.
  const pairs = [...new Set(windows.map((w) => `(window = '${w.window}' AND window_start = toDateTime(${Math.floor(w.bounds.start / 1000)}, 'UTC'))`))];
  return store.query<Row>(
    `SELECT * FROM ${q(database)}.${q(layout.table)} FINAL
     WHERE window_partition = ${partition} AND window_correction = 0 AND window_superseded = 0 AND window_final = 0 AND (${pairs.join(' OR ')})`,
  );
}

/** One INSERT into one table: a flush of every partition of a type lands whole or not at all. */
export async function writeRows(store: ClickHouseStore, database: string, layout: TableLayout, rows: readonly Row[]): Promise<void> {
  await store.insert(`${database}.${layout.table}`, rows);
}
