/**
 * One transactional producer per input partition, with the transactional id
 * `<group>.<topic>.<partition>`: the same on every instance, so the instance that gets a partition
 * after a rebalance fences the previous owner when it connects (initProducerId bumps the epoch and
 * ends the previous owner's open transaction). kafkajs's sendOffsets carries only the group id,
 * not the member's generation (KIP-447), so this per-partition id is what makes a zombie's commit
 * fail instead of duplicating output.
 *
 * A producer is made on the partition's first batch (`fresh` is then true: the caller must re-read
 * the committed offset, which the fencing may just have moved) and kept while the partition stays
 * assigned. `retain` closes the producers of partitions this member no longer owns; `release`
 * closes one after a failed transaction, so the next batch starts over from a fresh producer.
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from '../shared/logger.ts';

export interface PartitionProducersOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly transactionTimeoutMs: number;
  readonly logger: Logger;
}

export function transactionalIdOf(groupId: string, topic: string, partition: number): string {
  return `${groupId}.${topic}.${partition}`;
}

export class PartitionProducers {
  readonly #options: PartitionProducersOptions;
  readonly #producers = new Map<string, Promise<Producer>>();

  constructor(options: PartitionProducersOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#producers.size;
  }

  async get(topic: string, partition: number): Promise<{ producer: Producer; fresh: boolean }> {
    const key = `${topic}\u0000${partition}`;
    const existing = this.#producers.get(key);
    if (existing !== undefined) return { producer: await existing, fresh: false };
    const made = this.#connect(topic, partition);
    this.#producers.set(key, made);
    made.catch(() => this.#producers.delete(key));
    return { producer: await made, fresh: true };
  }

  async release(topic: string, partition: number): Promise<void> {
    const key = `${topic}\u0000${partition}`;
    const producer = this.#producers.get(key);
    this.#producers.delete(key);
    await disconnect(producer);
  }

  /** Closes the producers of partitions not in `assigned` (topic -> partitions). */
  async retain(assigned: Readonly<Record<string, readonly number[]>>): Promise<void> {
    const keep = new Set(Object.entries(assigned).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}\u0000${p}`)));
    const gone = [...this.#producers.keys()].filter((key) => !keep.has(key));
    await Promise.all(gone.map((key) => {
      const producer = this.#producers.get(key);
      this.#producers.delete(key);
      return disconnect(producer);
    }));
  }

  async closeAll(): Promise<void> {
    await this.retain({});
  }

  async #connect(topic: string, partition: number): Promise<Producer> {
    const { kafka, groupId, transactionTimeoutMs, logger } = this.#options;
    const transactionalId = transactionalIdOf(groupId, topic, partition);
    const producer = kafka.producer({
      transactionalId,
      transactionTimeout: transactionTimeoutMs,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    logger.debug({ topic, partition, transactionalId }, 'transactional producer ready');
    return producer;
  }
}

async function disconnect(producer: Promise<Producer> | undefined): Promise<void> {
  if (producer === undefined) return;
  try {
    await (await producer).disconnect();
  } catch {
    // A producer that never connected, or whose broker is gone, has nothing left to close.
  }
}
