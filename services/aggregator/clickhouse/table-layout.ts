/**
 * One ClickHouse table per event type, `agg_<type>`, holding the partial aggregates every
 * aggregator instance writes: one row per (window, window start, dimension values, source
 * partition, correction), ReplacingMergeTree with the source offset folded in last as version.
 *
 * - A flush rewrites the rows of the windows that changed with their totals so far; a replay after
 *   a crash rewrites the same keys with the same totals at the same offsets, so nothing counts
 *   twice. Queries read `FINAL` and merge across partitions: sum the counts and sums, min/max the
 *   extremes, union the HLL positions (`groupUniqArrayArray`), add the sketches (`sumMap`).
 * - Every flush of a partition also writes its progress row (`window = ''`): the last offset folded
 *   and the partition's watermark, in the same INSERT as the aggregates, so that one insert into
 *   one table makes a flush atomic. A restart reads the progress row and the open windows back.
 * - Every flush of a partition also writes a change row (`window = '~changes'`, CHANGES_WINDOW):
 *   which window starts the flush wrote, so that a reader of the table can tell whether an answer
 *   it keeps over some time range is still what the table holds.
 * - Late events under the `correct` policy add a correction row each (`window_correction` = the
 *   event's offset + 1), never rewriting the final row, so a replay writes the same rows again.
 * - A session window absorbed by a merge is rewritten with `window_superseded = 1`; queries skip it.
 * - `window_expires` (window end plus the retention of its size) drives the table's TTL.
 *
 * Column names: the fixed ones start with `window_`; dimensions are named after their fields;
 * the state of a numeric field f is `f__n`, `f__sum`, `f__min`, `f__max`; of a distinct field
 * `f__hll` (HLL positions: register * 64 + rank, non-zero registers only); of a quantile field
 * `f__qb` and `f__qc` (sketch buckets and their counts, non-empty buckets only).
 */
import type { Aggregate } from '../definition/aggregate-definition.ts';
import type { Folding } from '../state/window-state.ts';

export const PROGRESS_WINDOW = '';

/**
 * The change rows, one per flush of a partition, in the flush's INSERT like the progress row:
 * `window_start` is the time of the flush, `window_version` its offset (and `window_correction` is
 * that offset + 1, so that flushes never share a key) and `window_watermark` the earliest start
 * (ms) among the window rows it wrote, CHANGED_NOTHING when it wrote none. `window_count` is 0, so
 * that a sum of counts over every row of the table stays the count of events. `window_final` is 1.
 * They expire after CHANGES_RETENTION_MS where the server has TTL. The query API reads the ones
 * newer than what it has seen (services/query/query/change-log.ts).
 */
export const CHANGES_WINDOW = '~changes';
/** `window_watermark` of a change row whose flush wrote no window row: the largest Int64 (a string: beyond a double's integers). */
export const CHANGED_NOTHING = '9223372036854775807';
export const CHANGES_RETENTION_MS = 86_400_000;

export interface Column {
  readonly name: string;
  readonly type: string;
}

export interface TableLayout {
  readonly type: string;
  readonly table: string;
  readonly columns: readonly Column[];
  readonly dimensions: readonly string[];
  readonly orderBy: readonly string[];
}

/** What the server can do, by version: the SQL differs for ClickHouse 18.16 and current ones. */
export interface ServerFeatures {
  readonly lowCardinality: boolean;
  readonly ttl: boolean;
  /** Nullable columns in ORDER BY need `allow_nullable_key` (20.x and later). */
  readonly nullableKeySetting: boolean;
  /** `{name:Type}` placeholders bound from `param_name` (HTTP query parameters came in 19.11.3). */
  readonly queryParameters: boolean;
}

export function serverFeatures(version: string): ServerFeatures {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const atLeast = (ma: number, mi: number) => major > ma || (major === ma && minor >= mi);
  return { lowCardinality: atLeast(19, 0), ttl: atLeast(19, 6), nullableKeySetting: atLeast(20, 9), queryParameters: atLeast(19, 12) };
}

export function tableName(type: string): string {
  return `agg_${type}`;
}

export function tableLayout(aggregate: Aggregate, folding: Folding, features: ServerFeatures): TableLayout {
  const text = (nullable: boolean) => {
    const base = nullable ? 'Nullable(String)' : 'String';
    return features.lowCardinality ? `LowCardinality(${base})` : base;
  };
  const dimensionColumns = aggregate.dimensions.map((d, i): Column => {
    const shape = aggregate.dimensionShapes[i];
    const kind = shape?.kind ?? 'string';
    const nullable = shape?.nullable === true;
    if (kind === 'string' || kind === 'enum') return { name: d.field, type: text(nullable) };
    const base = kind === 'boolean' ? 'UInt8' : kind === 'int' ? 'Int32' : 'Int64';
    return { name: d.field, type: nullable ? `Nullable(${base})` : base };
  });
  const columns: Column[] = [
    { name: 'window', type: text(false) },
    { name: 'window_start', type: "DateTime('UTC')" },
    { name: 'window_end', type: "DateTime('UTC')" },
    ...dimensionColumns,
    { name: 'window_partition', type: 'UInt16' },
    { name: 'window_correction', type: 'UInt64' },
    { name: 'window_version', type: 'UInt64' },
    { name: 'window_final', type: 'UInt8' },
    { name: 'window_superseded', type: 'UInt8' },
    { name: 'window_watermark', type: 'Int64' },
    { name: 'window_expires', type: "DateTime('UTC')" },
    { name: 'window_count', type: 'UInt64' },
    ...folding.numericFields.flatMap((f) => [
      { name: `${f}__n`, type: 'UInt64' },
      { name: `${f}__sum`, type: 'Float64' },
      { name: `${f}__min`, type: 'Nullable(Float64)' },
      { name: `${f}__max`, type: 'Nullable(Float64)' },
    ]),
    ...folding.distinctFields.map((f) => ({ name: `${f}__hll`, type: 'Array(UInt32)' })),
    ...folding.quantileFields.flatMap((f) => [
      { name: `${f}__qb`, type: 'Array(UInt16)' },
      { name: `${f}__qc`, type: 'Array(UInt64)' },
    ]),
  ];
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new Error(`${aggregate.file}: two columns of agg_${aggregate.source} would be named ${c.name}: rename a dimension or field`);
    seen.add(c.name);
  }
  const dimensions = aggregate.dimensions.map((d) => d.field);
  return {
    type: aggregate.source,
    table: tableName(aggregate.source),
    columns,
    dimensions,
    orderBy: sortingKey(aggregate),
  };
}

/**
 * The table's sorting key: window name, the `indexBy` dimensions, window start, the other
 * dimensions, source partition, correction. Every order of these columns identifies the same rows,
 * so `indexBy` changes only what a query's filter can skip.
 */
export function sortingKey(aggregate: Pick<Aggregate, 'dimensions' | 'indexBy'>): string[] {
  const leading = aggregate.indexBy.map((d) => d.field);
  const rest = aggregate.dimensions.map((d) => d.field).filter((f) => !leading.includes(f));
  return ['window', ...leading, 'window_start', ...rest, 'window_partition', 'window_correction'];
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/**
 * Rows per primary-index mark: a query reads whole marks. Aggregate rows are wide (sketch arrays),
 * and a query filtered on an `indexBy` dimension wants a few hundred of them, so marks are an
 * eighth of ClickHouse's default (8192).
 */
export const INDEX_GRANULARITY = 1024;

export function createTableSql(layout: TableLayout, database: string, features: ServerFeatures): string {
  const q = quoteIdentifier;
  const nullableKey = layout.columns.some((c) => layout.orderBy.includes(c.name) && c.type.includes('Nullable'));
  const settings = `\nSETTINGS ${[...(nullableKey && features.nullableKeySetting ? ['allow_nullable_key = 1'] : []), `index_granularity = ${INDEX_GRANULARITY}`].join(', ')}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${q(database)}.${q(layout.table)} (`,
    layout.columns.map((c) => `  ${q(c.name)} ${c.type}`).join(',\n'),
    `) ENGINE = ReplacingMergeTree(window_version)`,
    `ORDER BY (${layout.orderBy.map(q).join(', ')})`,
    features.ttl ? 'TTL window_expires' : '',
  ].filter((line) => line !== '').join('\n') + settings;
}

/** How long the rows of a window size are kept: a day of 10 s windows, a year of daily ones. */
export function retentionMs(windowSizeMs: number): number {
  const DAY = 86_400_000;
  if (windowSizeMs < 60_000) return 7 * DAY;
  if (windowSizeMs < 3_600_000) return 35 * DAY;
  if (windowSizeMs < DAY) return 400 * DAY;
  return 5 * 366 * DAY;
}
