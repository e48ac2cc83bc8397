/**
 * What ClickHouse holds for a type: the progress of each source partition (the last offset folded
 * into the rows, from the progress rows), and every window merged as a query merges it, read
 * `FINAL` without progress or change rows and superseded sessions: counts and sums added, min and max
 * taken, HLL positions united (`groupUniqArrayArray`), sketches added (`sumMap`). The SQL is what
 * ClickHouse 18.16 accepts (no query parameters), like the aggregator's own.
 */
import { quoteString } from '../../shared/clickhouse/sql-literal.ts';
import type { Row } from '../../aggregator/clickhouse/state-rows.ts';
import { CHANGES_WINDOW, PROGRESS_WINDOW, quoteIdentifier as q } from '../../aggregator/clickhouse/table-layout.ts';
import type { ClickHouseStore } from '../../shared/clickhouse/store.ts';
import type { AggregateTable } from './aggregate-tables.ts';
import { mergeRow, type MergedWindows, type WindowRange } from './merged-windows.ts';

export async function tableExists(store: ClickHouseStore, database: string, table: string): Promise<boolean> {
  const rows = await store.query<{ n: string | number }>(`SELECT count() AS n FROM system.tables WHERE database = ${quoteString(database)} AND name = ${quoteString(table)}`);
  return Number(rows[0]?.n ?? 0) > 0;
}

/** Per source partition, the last offset the aggregator has written the windows of. */
export async function readProgress(store: ClickHouseStore, database: string, table: AggregateTable): Promise<Map<number, bigint>> {
  const rows = await store.query<{ p: string | number; v: string | number }>(
    `SELECT window_partition AS p, window_version AS v FROM ${q(database)}.${q(table.layout.table)} FINAL WHERE window = ''`,
  );
  return new Map(rows.map((r) => [Number(r.p), BigInt(String(r.v))]));
}

interface Selected {
  readonly expr: string;
  /** Puts the selected value into the row under the table's column names. */
  readonly put: (row: Row, value: unknown) => void;
}

function selections(table: AggregateTable): Selected[] {
  const { folding } = table;
  const column = (name: string, aggregate: string): Selected => ({ expr: `${aggregate}(${q(name)})`, put: (row, value) => (row[name] = value) });
  return [
    column('window_count', 'sum'),
    ...folding.numericFields.flatMap((f) => [column(`${f}__n`, 'sum'), column(`${f}__sum`, 'sum'), column(`${f}__min`, 'min'), column(`${f}__max`, 'max')]),
    ...folding.distinctFields.map((f) => column(`${f}__hll`, 'groupUniqArrayArray')),
    ...folding.quantileFields.map((f): Selected => ({
      expr: `sumMap(${q(`${f}__qb`)}, ${q(`${f}__qc`)})`,
      put: (row, value) => {
        const [buckets, counts] = value as [unknown[], unknown[]];
        row[`${f}__qb`] = buckets;
        row[`${f}__qc`] = counts;
      },
    })),
  ];
}

/** The windows of the type in `range`, merged across partitions and corrections. */
export async function readStoredWindows(store: ClickHouseStore, database: string, table: AggregateTable, range: WindowRange): Promise<MergedWindows> {
  const keys = ['window', 'window_start', ...table.layout.dimensions];
  const selected = selections(table);
  const where = [`window NOT IN (${quoteString(PROGRESS_WINDOW)}, ${quoteString(CHANGES_WINDOW)})`, 'window_superseded = 0'];
  // Starts are whole seconds: start * 1000 >= since exactly when start >= ceil(since / 1000).
  if (range.sinceMs !== undefined) where.push(`toInt64(toUInt32(window_start)) >= ${Math.ceil(range.sinceMs / 1000)}`);
  if (range.untilMs !== undefined) where.push(`toInt64(toUInt32(window_start)) < ${Math.ceil(range.untilMs / 1000)}`);
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${[...keys.map((k, i) => `${q(k)} AS k${i}`), ...selected.map((s, i) => `${s.expr} AS v${i}`)].join(', ')}
     FROM ${q(database)}.${q(table.layout.table)} FINAL
     WHERE ${where.join(' AND ')}
     GROUP BY ${keys.map((_, i) => `k${i}`).join(', ')}`,
  );
  const merged: MergedWindows = new Map();
  for (const r of rows) {
    const row: Row = { window_end: r['k1'], window_partition: 0, window_correction: 0, window_version: '0', window_final: 0 };
    keys.forEach((k, i) => (row[k] = r[`k${i}`]));
    selected.forEach((s, i) => s.put(row, r[`v${i}`]));
    mergeRow(merged, table, row);
  }
  return merged;
}
