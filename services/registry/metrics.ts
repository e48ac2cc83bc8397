import { Counter, Gauge, type Registry } from 'prom-client';
import { createRequestMetrics, type RequestMetrics } from '../shared/http/request-metrics.ts';
import type { RegistryState } from './registry-state.ts';

export interface RegistryMetrics {
  readonly http: RequestMetrics;
  readonly ignoredRecords: Counter;
}

/** The registry's metrics, on the given registry. `state` is read at scrape time for the gauges. */
export function createRegistryMetrics(registry: Registry, state: () => RegistryState, appliedOffset: () => bigint): RegistryMetrics {
  new Gauge({
    name: 'weir_registry_subjects',
    help: 'Subjects with at least one live version',
    registers: [registry],
    collect() {
      this.set(state().subjects().length);
    },
  });
  new Gauge({
    name: 'weir_registry_max_schema_id',
    help: 'Highest schema id ever given out',
    registers: [registry],
    collect() {
      this.set(state().maxId);
    },
  });
  new Gauge({
    name: 'weir_registry_log_applied_offset',
    help: 'Offset of the last registry-log record this instance applied',
    registers: [registry],
    collect() {
      this.set(Number(appliedOffset()));
    },
  });
  return {
    http: createRequestMetrics(registry, 'weir_registry'),
    ignoredRecords: new Counter({
      name: 'weir_registry_log_ignored_records_total',
      help: 'Registry-log records that could not be applied (malformed, or reusing an id for another schema)',
      registers: [registry],
    }),
  };
}
