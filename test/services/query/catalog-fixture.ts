/**
 * Catalogs for the query unit tests, built by hand (no definition files, no schema registry): an
 * aggregate with the dimensions, measures and windows a test names, folded and laid out as the
 * aggregator would for a ClickHouse 26.7 server, its clean schema a plain string.
 */
import avro from 'avsc';
import type { AggregateTable } from '../../../services/aggregator/aggregate-tables.ts';
import { serverFeatures, tableLayout } from '../../../services/aggregator/clickhouse/table-layout.ts';
import type { Aggregate, MeasureDef } from '../../../services/aggregator/definition/aggregate-definition.ts';
import { createFolding } from '../../../services/aggregator/state/window-state.ts';
import type { WindowSpec } from '../../../services/aggregator/windows/window.ts';
import { buildCatalog, type Catalog, type DimensionKind } from '../../../services/query/catalog.ts';
import type { ParseOptions } from '../../../services/query/query/parse-query.ts';

/** A dimension of a test type: `nullable` false unless said, `symbols` (of an enum) undefined unless given. */
export interface TestDimension {
  readonly field: string;
  readonly kind: DimensionKind;
  readonly nullable?: boolean;
  readonly symbols?: readonly string[];
}

/** The usual kind of each dimension the tests ask for. */
const DIMENSION_KINDS = { country: 'string', plan: 'enum', mobile: 'boolean', status: 'int', user_num: 'long', region: 'string' } as const satisfies Record<string, DimensionKind>;
export type DimensionField = keyof typeof DIMENSION_KINDS;

/** The named dimensions, each of its usual kind, in the order given; a name ending in `?` is nullable ('region?'). */
export function dimensions(...names: Array<DimensionField | `${DimensionField}?`>): TestDimension[] {
  return names.map((name) => {
    const field = name.replace(/\?$/, '') as DimensionField;
    return { field, kind: DIMENSION_KINDS[field], nullable: name.endsWith('?') };
  });
}

/** Every measure the tests ask for, by name: the same definition wherever it is used. */
const MEASURES = {
  events: { kind: 'count', name: 'events', at: '' },
  revenue: { kind: 'sum', name: 'revenue', field: 'amount', at: '' },
  amount_min: { kind: 'min', name: 'amount_min', field: 'amount', at: '' },
  amount_max: { kind: 'max', name: 'amount_max', field: 'amount', at: '' },
  amount_avg: { kind: 'avg', name: 'amount_avg', field: 'amount', at: '' },
  buyers: { kind: 'distinct', name: 'buyers', field: 'user_id', at: '' },
  amount_p90: { kind: 'quantile', name: 'amount_p90', field: 'amount', q: 0.9, at: '' },
  amount_p50: { kind: 'quantile', name: 'amount_p50', field: 'amount', q: 0.5, at: '' },
} as const satisfies Record<string, MeasureDef>;
export type MeasureName = keyof typeof MEASURES;

/** The named measures, in the order given. */
export function measures(...names: MeasureName[]): MeasureDef[] {
  return names.map((name) => MEASURES[name]);
}

export interface TestTableOptions {
  /** The aggregate's source (and `<source>.json` its file): 'shop' unless said. */
  readonly source?: string;
  /** One string dimension `country` unless given. */
  readonly dimensions?: readonly TestDimension[];
  /** `events` (a count) unless given. */
  readonly measures?: readonly MeasureDef[];
  readonly windows: readonly WindowSpec[];
}

/** The aggregate table of a test type: out-of-orderness 5 s, grace 60 s, idle timeout 60 s, late events to the DLQ. */
export function testTable(options: TestTableOptions): AggregateTable {
  const { source = 'shop', dimensions = [{ field: 'country', kind: 'string' }], windows } = options;
  const aggregate = {
    source,
    file: `${source}.json`,
    timeField: 'event_time',
    timeFieldAt: '',
    dimensions: dimensions.map((d) => ({ field: d.field, at: '' })),
    indexBy: [],
    dimensionShapes: dimensions.map((d) => ({ kind: d.kind, nullable: d.nullable ?? false, nullFirst: true, type: avro.Type.forSchema('string'), symbols: d.symbols, logicalType: undefined })),
    measures: options.measures ?? measures('events'),
    windows: windows.map((w) => ({ ...w, at: '' })),
    allowedOutOfOrdernessMs: 5_000,
    graceMs: 60_000,
    idleTimeoutMs: 60_000,
    lateEvents: 'dlq',
  } satisfies Aggregate;
  const folding = createFolding(aggregate);
  return { aggregate, folding, layout: tableLayout(aggregate, folding, serverFeatures('26.7')), reader: avro.Type.forSchema('string') };
}

/** A catalog of the given tables, each under its key (in the order given). */
export function testCatalog(tables: Readonly<Record<string, AggregateTable>>): Catalog {
  return buildCatalog(new Map(Object.entries(tables)));
}

/** Parse options for a key that may read every type. */
export function readAll(maxRows = 10_000): ParseOptions {
  return { maxRows, mayRead: () => true };
}
