import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProcessorMetrics {
  consumed(type: string, n: number): void;
  published(type: string, n: number): void;
  deadLettered(type: string, reason: string): void;
  dropped(type: string, reason: string): void;
  /** Seconds from the batch's fetch to its commit. */
  batchCommitted(type: string, seconds: number): void;
  /** Partition high watermark minus the offset just committed. */
  lag(topic: string, partition: number, offsets: number): void;
  forgetPartition(topic: string, partition: number): void;
}

/** The processor's metrics on the given registry. */
export function createProcessorMetrics(registry: Registry): ProcessorMetrics {
  const consumed = new Counter({ name: 'weir_processor_consumed_total', help: 'Raw records read, by type', labelNames: ['type'], registers: [registry] });
  const published = new Counter({ name: 'weir_processor_published_total', help: 'Clean records committed to weir.clean.<type>, by type', labelNames: ['type'], registers: [registry] });
  const deadLettered = new Counter({
    name: 'weir_processor_dead_lettered_total',
    help: 'Records committed to weir.dlq.<type>, by type and reason code',
    labelNames: ['type', 'reason'],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'weir_processor_dropped_total',
    help: 'Records counted and dropped (duplicates, and failures the pipeline says to drop), by type and reason code',
    labelNames: ['type', 'reason'],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'weir_processor_batch_duration_seconds',
    help: 'Time to process one fetched batch of one partition, transaction commit included',
    labelNames: ['type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'weir_processor_lag_offsets',
    help: 'Records of a raw partition not yet committed by this group (high watermark minus committed offset, at the last batch)',
    labelNames: ['topic', 'partition'],
    registers: [registry],
  });
  return {
    consumed: (type, n) => consumed.inc({ type }, n),
    published: (type, n) => published.inc({ type }, n),
    deadLettered: (type, reason) => deadLettered.inc({ type, reason }),
    dropped: (type, reason) => dropped.inc({ type, reason }),
    batchCommitted: (type, seconds) => batchSeconds.observe({ type }, seconds),
    lag: (topic, partition, offsets) => lag.set({ topic, partition: String(partition) }, Math.max(0, offsets)),
    forgetPartition: (topic, partition) => lag.remove({ topic, partition: String(partition) }),
  };
}
