import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AggregatorMetrics {
  /** Starts the per-type counters at 0, so dashboards and alerts see 0 rather than no series. */
  knownTypes(types: readonly string[]): void;
  aggregated(type: string, n: number): void;
  late(type: string, action: 'dead_letter' | 'corrected'): void;
  undecodable(type: string): void;
  windowsClosed(type: string, n: number): void;
  /** Open windows in memory and the bytes of their state (typed arrays, an estimate from below). */
  openWindows(type: string, n: number, bytes: number): void;
  flushed(type: string, rows: number, seconds: number): void;
  insertFailed(type: string): void;
  /** Open windows dropped from memory past the cap (ClickHouse has them), and read back when needed. */
  evicted(type: string, n: number): void;
  readBack(type: string, n: number): void;
  /** Now minus the newest event time the last successful flush of the type wrote. */
  freshness(type: string, seconds: number): void;
}

/** The aggregator's metrics on the given registry. */
export function createAggregatorMetrics(registry: Registry): AggregatorMetrics {
  const counter = (name: string, help: string, labelNames: string[] = ['type']) => new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['type'], registers: [registry] });
  // Every clean record read is counted once, in exactly one of these three: clean = events + late + undecodable.
  const aggregated = counter('weir_aggregator_events_total', 'Clean records folded into open windows on time, by type (late ones are in weir_aggregator_late_events_total)');
  const late = counter('weir_aggregator_late_events_total', 'Events after their window closed (watermark past end plus grace), by type and what was done: dead_letter (to weir.aggregator-dlq.<type>) or corrected (folded as a correction row)', ['type', 'action']);
  const undecodable = counter('weir_aggregator_undecodable_total', 'Clean records that did not decode with their writer schema, sent to weir.aggregator-dlq.<type>, by type');
  const closed = counter('weir_aggregator_windows_closed_total', 'Windows closed (final rows written), by type');
  const open = gauge('weir_aggregator_open_windows', 'Open (window, dimensions) states held in memory, by type: the state size');
  const bytes = gauge('weir_aggregator_state_bytes', 'Bytes of the open windows\' state in memory (counts, sums, dense HLLs and sketches), by type');
  const rows = counter('weir_aggregator_flush_rows_total', 'Rows written to ClickHouse, by type');
  const errors = counter('weir_aggregator_insert_errors_total', 'Flushes ClickHouse refused or did not answer (retried at the next flush), by type');
  const evicted = counter('weir_aggregator_evicted_windows_total', 'Open windows dropped from memory over WEIR_AGGREGATOR_MAX_OPEN_WINDOWS after ClickHouse had them, by type');
  const readBack = counter('weir_aggregator_read_back_windows_total', 'Evicted windows read back from ClickHouse for a new event or to close them, by type');
  const freshness = gauge('weir_aggregator_freshness_seconds', 'Now minus the newest event time in the last successful flush, by type');
  const flushSeconds = new Histogram({
    name: 'weir_aggregator_flush_duration_seconds',
    help: 'Time of one flush of a type: building the rows and the INSERT',
    labelNames: ['type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    knownTypes(types) {
      for (const type of types) {
        for (const c of [aggregated, undecodable, closed, rows, errors, evicted, readBack]) c.inc({ type }, 0);
        for (const action of ['dead_letter', 'corrected']) late.inc({ type, action }, 0);
      }
    },
    aggregated: (type, n) => aggregated.inc({ type }, n),
    late: (type, action) => late.inc({ type, action }),
    undecodable: (type) => undecodable.inc({ type }),
    windowsClosed: (type, n) => closed.inc({ type }, n),
    openWindows(type, n, stateBytes) {
      open.set({ type }, n);
      bytes.set({ type }, stateBytes);
    },
    flushed(type, n, seconds) {
      rows.inc({ type }, n);
      flushSeconds.observe({ type }, seconds);
    },
    insertFailed: (type) => errors.inc({ type }),
    evicted: (type, n) => evicted.inc({ type }, n),
    readBack: (type, n) => readBack.inc({ type }, n),
    freshness: (type, seconds) => freshness.set({ type }, seconds),
  };
}
