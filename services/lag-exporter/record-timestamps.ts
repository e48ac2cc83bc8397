/**
 * The broker timestamp of the first readable record at or after an offset, read without joining a
 * consumer group: kafkajs consumers always join one, so this uses @platformatic/kafka's
 * `Consumer.fetch`, a plain Fetch request to the partition leader (the consumer's group id is
 * never used: it never joins, commits or shows up in the group list).
 *
 * Records do not change once written, so a found timestamp is cached by (topic, partition,
 * offset): a collection where a group has not moved fetches nothing. So is the finding that only
 * transaction markers or aborted records lie between the offset and the end, for as long as the
 * end has not moved. `retain` drops the entries the last collection did not ask for, which bounds
 * the cache by the partitions watched.
 */
import { Consumer, FetchIsolationLevels, type RecordsBatch } from '@platformatic/kafka';
import { messageOf } from '../shared/errors.ts';

export interface RecordAt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The partition's end offset as last read: a cached `none` holds while the end is not past it. */
  readonly end: bigint;
}

/**
 * A timestamp in ms; `none` when nothing readable lies between the offset and the end (only
 * transaction markers or aborted records); undefined when the answer did not say (more aborted
 * bytes than one fetch returns); `failed` when the fetch failed.
 */
export type TimestampAnswer = number | 'none' | undefined | 'failed';

const CONTROL_BATCH = 1 << 5; // attributes bit 5: transaction markers, not records
const LOG_APPEND_TIME = 1 << 3; // attributes bit 3: the broker stamped every record with maxTimestamp

/** The timestamp of the first data record at or after `offset` in fetched batches (pure, for tests). */
export function firstTimestampAtOrAfter(batches: readonly RecordsBatch[], offset: bigint): number | undefined {
  for (const batch of batches) {
    if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
    for (const record of batch.records) {
      if (batch.firstOffset + BigInt(record.offsetDelta) < offset) continue; // a batch may start before the offset asked for
      return Number((batch.attributes & LOG_APPEND_TIME) !== 0 ? batch.maxTimestamp : batch.firstTimestamp + BigInt(record.timestampDelta));
    }
  }
  return undefined;
}

/** One past the last offset the fetched batches hold (0 when none). */
export function endOfBatches(batches: readonly RecordsBatch[]): bigint {
  let end = 0n;
  for (const batch of batches) end = end > batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n ? end : batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
  return end;
}

export const recordKey = (r: RecordAt): string => `${r.topic}\u0000${r.partition}\u0000${r.offset}`;

export interface RecordTimestampsOptions {
  readonly bootstrapBrokers: readonly string[];
  readonly clientId: string;
  /** Bytes fetched per partition; the broker still returns a whole first batch when it is larger. */
  readonly partitionMaxBytes?: number;
  readonly onError?: (error: unknown, where: { topic: string; partitions: number[] }) => void;
}

export class RecordTimestamps {
  readonly #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  readonly #cache = new Map<string, number | { readonly noneUpTo: bigint }>();
  readonly #options: RecordTimestampsOptions;
  #fetches = 0;

  constructor(options: RecordTimestampsOptions) {
    this.#options = options;
    this.#consumer = new Consumer({
      clientId: options.clientId,
      groupId: `${options.clientId}-never-joined`,
      bootstrapBrokers: [...options.bootstrapBrokers],
      autocreateTopics: false,
      retries: 2,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
  }

  /** Fetch requests sent so far (to see the cache at work). */
  get fetches(): number {
    return this.#fetches;
  }

  /** Answers for every record asked for; cached ones without a request. */
  async timestamps(wanted: readonly RecordAt[]): Promise<Map<string, TimestampAnswer>> {
    const answers = new Map<string, TimestampAnswer>();
    const missing: RecordAt[] = [];
    for (const r of wanted) {
      const key = recordKey(r);
      if (answers.has(key)) continue;
      const cached = this.#cache.get(key);
      if (typeof cached === 'number') answers.set(key, cached);
      else if (cached !== undefined && r.end <= cached.noneUpTo) answers.set(key, 'none');
      else {
        answers.set(key, undefined);
        missing.push(r);
      }
    }
    // One Fetch request holds a partition once: two groups at different offsets of it go in different rounds.
    for (const round of rounds(missing)) await this.#fetchRound(round, answers);
    return answers;
  }

  /** Forgets cached timestamps the last collection did not ask for. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.#cache.keys()) if (!keys.has(key)) this.#cache.delete(key);
  }

  async close(): Promise<void> {
    await this.#consumer.close();
  }

  async #fetchRound(round: readonly RecordAt[], answers: Map<string, TimestampAnswer>): Promise<void> {
    const byTopic = Map.groupBy(round, (r) => r.topic);
    let metadata;
    try {
      metadata = await this.#consumer.metadata({ topics: [...byTopic.keys()], forceUpdate: true });
    } catch (error) {
      for (const r of round) answers.set(recordKey(r), 'failed');
      this.#options.onError?.(error, { topic: [...byTopic.keys()].join(','), partitions: [] });
      return;
    }
    // One request per leader, every topic and partition it leads in it.
    const byLeader = new Map<number, RecordAt[]>();
    for (const r of round) {
      const leader = metadata.topics.get(r.topic)?.partitions[r.partition]?.leader;
      if (leader === undefined || leader < 0) {
        answers.set(recordKey(r), 'failed');
        this.#options.onError?.(new Error('no leader for the partition'), { topic: r.topic, partitions: [r.partition] });
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push(r);
      byLeader.set(leader, list);
    }
    for (const [node, records] of byLeader) {
      const topics = [...Map.groupBy(records, (r) => r.topic)].map(([topic, rs]) => ({
        topicId: metadata.topics.get(topic)!.id,
        partitions: rs.map((r) => ({ partition: r.partition, fetchOffset: r.offset, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: this.#options.partitionMaxBytes ?? 64 * 1024 })),
      }));
      const nameOf = new Map([...metadata.topics].map(([name, t]) => [t.id, name]));
      try {
        this.#fetches++;
        const response = await this.#consumer.fetch({ node, topics, maxWaitTime: 0, minBytes: 1, maxBytes: 8 * 1024 * 1024 });
        for (const topic of response.responses) {
          const name = nameOf.get(topic.topicId) ?? topic.topicId;
          for (const p of topic.partitions) {
            const asked = records.find((r) => r.topic === name && r.partition === p.partitionIndex);
            if (asked === undefined) continue;
            const timestamp = firstTimestampAtOrAfter(p.records ?? [], asked.offset);
            if (timestamp !== undefined) {
              this.#cache.set(recordKey(asked), timestamp);
              answers.set(recordKey(asked), timestamp);
              continue;
            }
            // Nothing readable in what came back: if it reached the end, there is nothing to read.
            const end = p.lastStableOffset >= 0n ? p.lastStableOffset : p.highWatermark;
            if (p.errorCode === 0 && endOfBatches(p.records ?? []) >= end) {
              this.#cache.set(recordKey(asked), { noneUpTo: end });
              answers.set(recordKey(asked), 'none');
            }
          }
        }
      } catch (error) {
        for (const r of records) answers.set(recordKey(r), 'failed');
        this.#options.onError?.(new Error(`fetching from broker ${node} failed: ${messageOf(error)}`, { cause: error }), { topic: [...new Set(records.map((r) => r.topic))].join(','), partitions: records.map((r) => r.partition) });
      }
    }
  }
}

/** Splits requests so that no partition appears twice in one round (pure, for tests). */
export function rounds(records: readonly RecordAt[]): RecordAt[][] {
  const out: { seen: Set<string>; records: RecordAt[] }[] = [];
  for (const r of records) {
    const tp = `${r.topic}\u0000${r.partition}`;
    let round = out.find((o) => !o.seen.has(tp));
    if (round === undefined) {
      round = { seen: new Set(), records: [] };
      out.push(round);
    }
    round.seen.add(tp);
    round.records.push(r);
  }
  return out.map((o) => o.records);
}
