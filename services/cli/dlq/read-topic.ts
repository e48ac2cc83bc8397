/**
 * Reads a topic once, read_committed, from each partition's start up to the end it had when the
 * read began, and returns: a bounded read for commands, not a subscription. kafkajs consumes only
 * in a group, so the read uses a throwaway group that commits nothing and is deleted afterwards.
 *
 * The end of a partition is its high watermark at the start. Batches that hold only transaction
 * markers or aborted records never reach eachBatch, so progress is taken from kafkajs's
 * end-of-batch event, which every fetched batch emits.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { WeirError } from '../../shared/errors.ts';

export interface OffsetRange {
  /** First offset to read. */
  readonly from: bigint;
  /** One past the last offset to read. */
  readonly to: bigint;
}

export interface ReadTopicOptions {
  /** Partitions to read and where; by default every partition from its low to its high watermark. */
  readonly ranges?: ReadonlyMap<number, OffsetRange>;
  /** Called with each fetched batch's records within range, in offset order per partition. */
  readonly onRecords: (partition: number, records: readonly KafkaMessage[]) => Promise<void> | void;
  /** Called once, with the number of offsets to read, before the first record. */
  readonly onStart?: (offsets: bigint) => void;
  /** Gives up when no partition moves for this long (an open transaction holding the stable offset). */
  readonly stallTimeoutMs?: number;
}

/** Every partition's [low, high) at this moment. */
export async function topicRanges(kafka: Kafka, topic: string): Promise<Map<number, OffsetRange>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { from: BigInt(o.low), to: BigInt(o.high) }]));
  } finally {
    await admin.disconnect();
  }
}

export async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

export async function readTopic(kafka: Kafka, topic: string, options: ReadTopicOptions): Promise<void> {
  const ranges = options.ranges ?? (await topicRanges(kafka, topic));
  const pending = new Map([...ranges].filter(([, r]) => r.to > r.from));
  options.onStart?.([...pending.values()].reduce((sum, r) => sum + (r.to - r.from), 0n));
  if (pending.size === 0) return;

  const groupId = `weir-cli-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 500 });
  let settle!: (error?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  let movedAt = Date.now();
  let closed = false;
  const reached = (partition: number, lastOffset: string) => {
    movedAt = Date.now();
    const range = pending.get(partition);
    if (range !== undefined && BigInt(lastOffset) + 1n >= range.to) pending.delete(partition);
    if (pending.size === 0) settle();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === topic) reached(payload.partition, payload.lastOffset);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => settle(payload.error));
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  const watchdog = setInterval(() => {
    if (Date.now() - movedAt < stallTimeoutMs) return;
    const where = [...pending].map(([p, r]) => `partition ${p} (to offset ${r.to})`).join(', ');
    settle(new WeirError('KAFKA_UNAVAILABLE', `reading ${topic} made no progress for ${stallTimeoutMs} ms; still to read: ${where}. A transaction left open holds read_committed readers back until the broker aborts it`));
  }, 1_000);

  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = ranges.get(batch.partition);
        if (closed || range === undefined) return;
        const records = batch.messages.filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= range.from && offset < range.to;
        });
        if (records.length > 0) await options.onRecords(batch.partition, records);
      },
    });
    for (const [partition, range] of ranges) consumer.seek({ topic, partition, offset: range.from.toString() });
    await finished;
  } finally {
    closed = true;
    clearInterval(watchdog);
    await consumer.disconnect().catch(() => undefined);
    await deleteGroup(kafka, groupId);
  }
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // An empty group without offsets expires on its own; nothing is lost by leaving it.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
