/**
 * What can be asked of the query API, from the aggregate definitions: per event type its
 * dimensions, measures and stored windows. Every name in a query is checked against this, and
 * only names from here ever reach SQL (as quoted identifiers).
 */
import type { AggregateTable } from '../aggregator/aggregate-tables.ts';
import type { MeasureDef } from '../aggregator/definition/aggregate-definition.ts';
import { windowName, type WindowSpec } from '../aggregator/windows/window.ts';
import { formatDuration } from './time/durations.ts';

export type DimensionKind = 'string' | 'enum' | 'boolean' | 'int' | 'long';

export interface CatalogDimension {
  readonly name: string;
  readonly kind: DimensionKind;
  readonly nullable: boolean;
  /** Enum symbols, for UIs that offer a choice. */
  readonly symbols?: readonly string[];
}

export interface CatalogWindow {
  /** As stored, e.g. "tumbling_1m", "hopping_1h_5m", "session_30m". */
  readonly name: string;
  readonly kind: WindowSpec['kind'];
  readonly size?: string;
  readonly advance?: string;
  readonly gap?: string;
  readonly spec: WindowSpec;
}

export interface CatalogType {
  readonly type: string;
  readonly dimensions: readonly CatalogDimension[];
  readonly measures: readonly MeasureDef[];
  readonly windows: readonly CatalogWindow[];
  /** Sizes of the tumbling windows, ascending (ms): granularities are multiples of these. */
  readonly tumblingSizesMs: readonly number[];
  /** How long after its end a window can still change: out-of-orderness plus grace. */
  readonly settleMs: number;
  readonly table: AggregateTable;
}

export type Catalog = ReadonlyMap<string, CatalogType>;

function dimensionKind(kind: string): DimensionKind {
  return kind === 'enum' || kind === 'boolean' || kind === 'int' || kind === 'long' ? kind : 'string';
}

function catalogWindow(spec: WindowSpec): CatalogWindow {
  const name = windowName(spec);
  switch (spec.kind) {
    case 'tumbling':
      return { name, kind: spec.kind, size: formatDuration(spec.sizeMs), spec };
    case 'hopping':
      return { name, kind: spec.kind, size: formatDuration(spec.sizeMs), advance: formatDuration(spec.advanceMs), spec };
    case 'session':
      return { name, kind: spec.kind, gap: formatDuration(spec.gapMs), spec };
  }
}

export function buildCatalog(tables: ReadonlyMap<string, AggregateTable>): Catalog {
  const catalog = new Map<string, CatalogType>();
  for (const [type, table] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
    const { aggregate } = table;
    const windows = aggregate.windows.map(catalogWindow);
    catalog.set(type, {
      type,
      dimensions: aggregate.dimensions.map((d, i) => {
        const shape = aggregate.dimensionShapes[i];
        const kind = dimensionKind(shape?.kind ?? 'string');
        return { name: d.field, kind, nullable: shape?.nullable === true, ...(kind === 'enum' && shape?.symbols ? { symbols: shape.symbols } : {}) };
      }),
      measures: aggregate.measures,
      windows,
      tumblingSizesMs: windows.flatMap((w) => (w.spec.kind === 'tumbling' ? [w.spec.sizeMs] : [])).sort((a, b) => a - b),
      settleMs: aggregate.allowedOutOfOrdernessMs + aggregate.graceMs,
      table,
    });
  }
  return catalog;
}

/** The catalog as `GET /v1/catalog` answers it. */
export function catalogJson(catalog: Catalog, allowed: (type: string) => boolean) {
  return {
    types: [...catalog.values()]
      .filter((t) => allowed(t.type))
      .map((t) => ({
        type: t.type,
        dimensions: t.dimensions,
        measures: t.measures.map(({ at: _at, ...m }) => m),
        windows: t.windows.map(({ spec: _spec, ...w }) => w),
        granularities: t.tumblingSizesMs.map(formatDuration),
        granularityRule: 'any multiple of a tumbling window size; buckets align to the time zone\'s wall clock',
        lateEvents: t.table.aggregate.lateEvents,
        settleSeconds: t.settleMs / 1000,
      })),
  };
}
