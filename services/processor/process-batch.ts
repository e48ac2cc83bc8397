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
 */
import type { EachBatchPayload, Message, Producer } from 'kafkajs';
import type { Logger } from '../shared/logger.ts';
import type { DuplicateCache } from './dedup/duplicate-cache.ts';
import type { ProcessorMetrics } from './metrics.ts';
import type { PartitionProducers } from './partition-producers.ts';
import type { Pipeline } from './pipeline/pipeline.ts';
import { processRecord, type ResolverCache } from './process-record.ts';
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
  readonly logger: Logger;
  readonly now: () => number;
}

export async function processBatch(payload: EachBatchPayload, deps: BatchDeps): Promise<void> {
  const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
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
  const deadReasons: string[] = [];
  const dropReasons: string[] = [];
  let next: bigint | undefined;
  let consumed = 0;
  try {
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const offset = BigInt(message.offset);
      next = offset + 1n;
      if (committed !== undefined && offset < committed) continue;
      consumed++;
      const outcome = await processRecord(
        { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp },
        { pipeline, outputSchemaId: runtime.outputSchemaId, writerSchemas: deps.writerSchemas, resolvers: runtime.resolvers, dedup: pipeline.dedup === undefined ? undefined : deps.dedup, secrets: deps.secrets, now: deps.now() },
      );
      if (outcome.kind === 'clean') clean.push({ ...outcome.message, partition });
      else if (outcome.kind === 'dlq') {
        dlq.push({ ...outcome.message, partition });
        deadReasons.push(outcome.reason);
      } else dropReasons.push(outcome.reason);
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
    deps.logger.warn({ err: error, topic, partition, firstOffset: batch.firstOffset() }, 'batch failed: aborted, it will be fetched again');
    throw error;
  }
  resolveOffset((next - 1n).toString());
  deps.metrics.consumed(pipeline.type, consumed);
  deps.metrics.published(pipeline.type, clean.length);
  for (const reason of deadReasons) deps.metrics.deadLettered(pipeline.type, reason);
  for (const reason of dropReasons) deps.metrics.dropped(pipeline.type, reason);
  deps.metrics.batchCommitted(pipeline.type, Number(process.hrtime.bigint() - started) / 1e9);
  deps.metrics.lag(topic, partition, Number(BigInt(batch.highWatermark) - next));
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
