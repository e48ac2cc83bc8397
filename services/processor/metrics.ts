import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DUPLICATE } from './pipeline/process-result.ts';
import type { RecordOutcome } from './process-record.ts';

/** What one committed batch of one partition did: its outcomes, counted once the transaction committed. */
export interface BatchTally {
  readonly type: string;
  readonly topic: string;
  readonly partition: number;
  readonly outcomes: readonly RecordOutcome[];
  readonly seconds: number;
  /** High watermark minus the offset committed. */
  readonly lagOffsets: number;
  /** Now minus the broker timestamp of the last record committed; 0 when caught up. */
  readonly lagSeconds: number;
}

export interface ProcessorMetrics {
  /** Starts the per-type counters at 0, so dashboards and alerts see 0 rather than no series. */
  knownTypes(types: readonly string[]): void;
  batchCommitted(tally: BatchTally): void;
  /** A batch failed on something transient (registry, broker): the partition pauses for `delayMs`. */
  batchRetried(type: string): void;
  pausedPartitions(count: number): void;
  forgetPartition(topic: string, partition: number): void;
}

/** The processor's metrics on the given registry. */
export function createProcessorMetrics(registry: Registry): ProcessorMetrics {
  const counter = (name: string, help: string, labelNames: string[] = ['type']) => new Counter({ name, help, labelNames, registers: [registry] });
  const consumed = counter('weir_processor_consumed_total', 'Raw records read and committed, by type');
  const valid = counter('weir_processor_valid_total', 'Records that decoded, were not duplicates and passed every rule, by type');
  const invalid = counter('weir_processor_invalid_total', 'Records that did not decode or failed a rule, by type and reason code (wherever the policy sent them)', ['type', 'reason']);
  const transformed = counter('weir_processor_transformed_total', 'Valid records through every transform and the hook, encoded with the output schema, by type');
  const published = counter('weir_processor_published_total', 'Clean records committed to weir.clean.<type>, by type');
  const deadLettered = counter('weir_processor_dead_lettered_total', 'Records committed to weir.dlq.<type>, by type and reason code', ['type', 'reason']);
  const dropped = counter('weir_processor_dropped_total', 'Records counted and dropped (duplicates, and failures the pipeline says to drop), by type and reason code', ['type', 'reason']);
  const retried = counter('weir_processor_batch_retries_total', 'Batches aborted on a transient failure (registry or broker) and retried after a pause, by type');
  const batchSeconds = new Histogram({
    name: 'weir_processor_batch_duration_seconds',
    help: 'Time to process one fetched batch of one partition, transaction commit included',
    labelNames: ['type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const lagOffsets = new Gauge({
    name: 'weir_processor_lag_offsets',
    help: 'Records of a raw partition not yet committed by this group (high watermark minus committed offset, at the last batch)',
    labelNames: ['topic', 'partition'],
    registers: [registry],
  });
  const lagSeconds = new Gauge({
    name: 'weir_processor_lag_seconds',
    help: 'How far behind a raw partition this group is, in time: now minus the broker timestamp of the last record committed, at the last batch; 0 when caught up',
    labelNames: ['topic', 'partition'],
    registers: [registry],
  });
  const paused = new Gauge({ name: 'weir_processor_paused_partitions', help: 'Partitions paused after a transient failure, waiting to retry', registers: [registry] });

  return {
    knownTypes(types) {
      for (const type of types) for (const c of [consumed, valid, transformed, published, retried]) c.inc({ type }, 0);
    },
    batchCommitted({ type, topic, partition, outcomes, seconds, lagOffsets: offsets, lagSeconds: behind }) {
      let clean = 0;
      let invalidCount = 0;
      for (const outcome of outcomes) {
        if (outcome.kind === 'clean') {
          clean++;
          continue;
        }
        (outcome.kind === 'dlq' ? deadLettered : dropped).inc({ type, reason: outcome.reason });
        if (outcome.reason !== DUPLICATE && (outcome.stage === 'decode' || outcome.stage === 'rule')) {
          invalid.inc({ type, reason: outcome.reason });
          invalidCount++;
        }
      }
      const duplicates = outcomes.filter((o) => o.kind !== 'clean' && o.reason === DUPLICATE).length;
      consumed.inc({ type }, outcomes.length);
      valid.inc({ type }, outcomes.length - invalidCount - duplicates);
      transformed.inc({ type }, clean);
      published.inc({ type }, clean);
      batchSeconds.observe({ type }, seconds);
      const labels = { topic, partition: String(partition) };
      lagOffsets.set(labels, Math.max(0, offsets));
      lagSeconds.set(labels, Math.max(0, behind));
    },
    batchRetried: (type) => retried.inc({ type }),
    pausedPartitions: (count) => paused.set(count),
    forgetPartition(topic, partition) {
      lagOffsets.remove({ topic, partition: String(partition) });
      lagSeconds.remove({ topic, partition: String(partition) });
    },
  };
}
