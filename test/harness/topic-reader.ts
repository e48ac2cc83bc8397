/**
 * Reading what is on topics, as a downstream consumer would: read_committed, from the beginning,
 * to the end. "The end" is known, not guessed: the reader's group has committed the high
 * watermark of every partition (transaction markers included), so nothing more can come.
 */
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { registerCleanup } from './cleanup.ts';
import { testKafka, uniqueGroupId } from './kafka.ts';
import { waitFor } from './wait-for.ts';

export interface TopicRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header values as text (the first value of a repeated header). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

export interface ReadToEndOptions {
  readonly timeoutMs?: number;
  readonly kafka?: Kafka;
}

/** Every record on `topics` a read_committed consumer of a fresh group sees, read to their end. */
export async function readTopicsToEnd(admin: Admin, topics: readonly string[], options: ReadToEndOptions = {}): Promise<TopicRecord[]> {
  const groupId = uniqueGroupId('read-to-end');
  const consumer = (options.kafka ?? testKafka('weir-test-reader')).consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  registerCleanup(() => consumer.disconnect());
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  const records: TopicRecord[] = [];
  await consumer.run({
    autoCommit: true,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        records.push({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, headers: headerTexts(m.headers), timestamp: m.timestamp });
      }
    },
  });
  await waitFor(`a read_committed reader at the end of ${topics.join(', ')}`, () => caughtUp(admin, groupId, topics), { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 250 });
  await consumer.disconnect();
  return records;
}

/**
 * True when the group's committed offset is the end of every partition of every topic. An empty
 * partition has nothing to commit: its committed offset stays -1.
 */
export async function caughtUp(admin: Admin, groupId: string, topics: readonly string[]): Promise<boolean> {
  for (const topic of topics) {
    const high = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ok = high.every((h) => h.high === '0' || committed?.partitions.find((p) => p.partition === h.partition)?.offset === h.high);
    if (!ok) return false;
  }
  return true;
}

function headerTexts(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
