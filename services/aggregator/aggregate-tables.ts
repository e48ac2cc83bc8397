/**
 * The aggregate definitions as the aggregator loads them at start: every `<dir>/<type>.json`
 * checked against the latest clean schema registered under weir.clean.<type>-value, and for each
 * its folding, its table layout on this server, and the clean schema's compiled reader type.
 * The aggregator, `weir migrate` and `weir verify` all start here, so they see the same tables.
 */
import avro from 'avsc';
import { isRefusal } from '../shared/registry/registry-client-error.ts';
import { createRegistryClient, ERROR_CODES } from '../shared/registry/registry-client.ts';
import { serverFeatures, tableLayout, type ServerFeatures, type TableLayout } from './clickhouse/table-layout.ts';
import type { Aggregate } from './definition/aggregate-definition.ts';
import { loadAggregates } from './definition/load-aggregates.ts';
import { createFolding, type Folding } from './state/window-state.ts';

export interface AggregateTable {
  readonly aggregate: Aggregate;
  readonly folding: Folding;
  readonly layout: TableLayout;
  /** The clean schema the definition was checked against: what the clean records decode to. */
  readonly reader: avro.Type;
}

export interface LoadedDefinitions {
  readonly dir: string;
  /** By event type. */
  readonly tables: ReadonlyMap<string, AggregateTable>;
}

/** Throws AggregateError listing every problem, or a RegistryClientError when the registry cannot be asked. `version`: the ClickHouse server's. */
export async function loadAggregateTables(dir: string, registryUrl: string, version: string): Promise<LoadedDefinitions> {
  const registry = createRegistryClient({ baseUrl: registryUrl, timeoutMs: 5_000 });
  const cleanSchemas = new Map<string, string>();
  const aggregates = await loadAggregates(dir, {
    cleanSchema: async (type) => {
      const subject = `weir.clean.${type}-value`;
      try {
        const latest = await registry.latest(subject);
        cleanSchemas.set(type, latest.schema);
        return { text: latest.schema, origin: `${registry.baseUrl} ${subject} version ${latest.version}` };
      } catch (error) {
        if (isRefusal(error, ERROR_CODES.SUBJECT_NOT_FOUND)) return { problem: `nothing is registered under ${subject}: the processor registers it when it starts with a pipeline for ${type}` };
        throw error;
      }
    },
  });
  const features: ServerFeatures = serverFeatures(version);
  const tables = new Map<string, AggregateTable>();
  for (const [type, aggregate] of aggregates) {
    const folding = createFolding(aggregate);
    const reader = avro.Type.forSchema(JSON.parse(cleanSchemas.get(type)!) as avro.Schema);
    tables.set(type, { aggregate, folding, layout: tableLayout(aggregate, folding, features), reader });
  }
  return { dir, tables };
}
