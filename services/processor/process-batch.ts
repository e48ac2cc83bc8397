/**
 * One fetched batch of one raw partition, exactly once: every record is processed, and all the
 * clean and dead-letter records plus the next offset (sendOffsets) are committed in one Kafka
 * transaction of the partition's producer; only then are the offsets resolved. Any failure aborts
 * the transaction and rethrows, so kafkajs fetches the batch again from the last resolved offset.
 *
 * After a failure, and on the first batch of a newly owned partition, the producer is fresh: its
 * connection fenced any previous owner, so the offset committed now is final, and records below
 * it (done by the previous owner, or by a commit whose answer was lost) are skipped.
 *
 * The duplicate cache has no undo: a failed batch forgets its partition's ids, so a redelivered
 * record is never mistaken for its own duplicate (a retry of an id from before may then pass).
 *
 * Records only throw on transient failures (processRecord), so a failed batch pauses its partition
 * and is fetched again after a backoff (partition-pauses.ts) rather than crashing the consumer.
 */
import type { EachBatchPayload, Message, Producer } from 'kafkajs';
import type { Logger } from '../shared/logger.ts';
import type { DuplicateCache } from './dedup/duplicate-cache.ts';
import type { ProcessorMetrics } from './metrics.ts';
import type { PartitionPauses } from './partition-pauses.ts';
import type { PartitionProducers } from './partition-producers.ts';
import type { Pipeline } from './pipeline/pipeline.ts';
import { processRecord, type RecordOutcome, type ResolverCache } from './process-record.ts';
import type { WriterSchemas } from './writer-schemas.ts';

/** A loaded pipeline with what the processor made for it at start. */
export interface PipelineRuntime {
  readonly pipeline: Pipeline;
  readonly outputSchemaId: number;
  readonly resolvers: ResolverCache;
}

export interface BatchDeps {
  /** By raw topic. */
  readonly pipelines: ReadonlyMap<string, PipelineRuntime>;
  readonly producers: PartitionProducers;
  readonly writerSchemas: WriterSchemas;
  readonly dedup: DuplicateCache;
  readonly groupId: string;
  readonly secrets: (name: string) => string | undefined;
  /** The group's committed offset of a partition (undefined when none). */
  readonly committedOffset: (topic: string, partition: number) => Promise<bigint | undefined>;
  readonly metrics: ProcessorMetrics;
  readonly pauses: PartitionPauses;
  readonly logger: Logger;
  readonly now: () => number;
}

export async function processBatch(payload: EachBatchPayload, deps: BatchDeps): Promise<void> {
  const { batch, resolveOffset, heartbeat, isRunning, isStale, pause } = payload;
  const { topic, partition } = batch;
  const runtime = deps.pipelines.get(topic);
  if (runtime === undefined) throw new Error(`no pipeline reads ${topic}`);
  const { pipeline } = runtime;
  const started = process.hrtime.bigint();
  const dedupKey = `${topic}:${partition}`;
  const { producer, fresh } = await deps.producers.get(topic, partition);
  const committed = fresh ? await deps.committedOffset(topic, partition) : undefined;

  const clean: Message[] = [];
  const dlq: Message[] = [];
  const outcomes: RecordOutcome[] = [];
  let lastTimestamp: number | undefined;
  let next: bigint | undefined;
  try {
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const offset = BigInt(message.offset);
      next = offset + 1n;
      if (committed !== undefined && offset < committed) continue;
      lastTimestamp = Number(message.timestamp);
      const outcome = await processRecord(
        { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp },
        { pipeline, outputSchemaId: runtime.outputSchemaId, writerSchemas: deps.writerSchemas, resolvers: runtime.resolvers, dedup: pipeline.dedup === undefined ? undefined : deps.dedup, secrets: deps.secrets, now: deps.now() },
      );
      outcomes.push(outcome);
      if (outcome.kind === 'clean') clean.push({ ...outcome.message, partition });
      else if (outcome.kind === 'dlq') dlq.push({ ...outcome.message, partition });
      await heartbeat();
    }
    const last = batch.messages.at(-1);
    // All records read: also step over what the fetch filtered out (transaction markers).
    if (last !== undefined && next === BigInt(last.offset) + 1n && isRunning() && !isStale()) next = BigInt(batch.lastOffset()) + 1n;
    if (next === undefined || isStale()) {
      deps.dedup.dropPartition(dedupKey);
      return;
    }
    await commitBatch(producer, { topic, partition, next, clean, dlq, runtime, groupId: deps.groupId });
  } catch (error) {
    deps.dedup.dropPartition(dedupKey);
    await deps.producers.release(topic, partition);
    const retryInMs = deps.pauses.pause(dedupKey, () => pause());
    deps.metrics.batchRetried(pipeline.type);
    deps.logger.warn({ err: error, topic, partition, firstOffset: batch.firstOffset(), retryInMs }, 'batch failed: aborted, the partition is paused and fetched again after the delay');
    return;
  }
  deps.pauses.succeeded(dedupKey);
  resolveOffset((next - 1n).toString());
  const lagOffsets = Number(BigInt(batch.highWatermark) - next);
  deps.metrics.batchCommitted({
    type: pipeline.type,
    topic,
    partition,
    outcomes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    lagOffsets,
    lagSeconds: lagOffsets > 0 && lastTimestamp !== undefined ? (deps.now() - lastTimestamp) / 1000 : 0,
  });
}

interface CommitParts {
  readonly topic: string;
  readonly partition: number;
  readonly next: bigint;
  readonly clean: readonly Message[];
  readonly dlq: readonly Message[];
  readonly runtime: PipelineRuntime;
  readonly groupId: string;
}

async function commitBatch(producer: Producer, parts: CommitParts): Promise<void> {
  const { topics } = parts.runtime.pipeline;
  const transaction = await producer.transaction();
  try {
    if (parts.clean.length > 0) await transaction.send({ topic: topics.clean, messages: [...parts.clean], acks: -1 });
    if (parts.dlq.length > 0) await transaction.send({ topic: topics.deadLetter, messages: [...parts.dlq], acks: -1 });
    await transaction.sendOffsets({
      consumerGroupId: parts.groupId,
      topics: [{ topic: parts.topic, partitions: [{ partition: parts.partition, offset: parts.next.toString() }] }],
    });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
}
