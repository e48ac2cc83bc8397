/**
 * The topics a pipeline reads and writes. The raw topic is made when no gateway has made it yet
 * (the processor may start first); the clean and dead-letter topics get as many partitions as the
 * raw one, because a record goes to the partition number it came from: per-key order is kept and
 * the aggregator sees the same keys together as the processor did.
 */
import type { Admin } from 'kafkajs';
import { WeirError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { PipelineTopics } from './pipeline/pipeline.ts';
import { ensureTopics, partitionCount } from '../shared/kafka/topic-metadata.ts';

export interface EnsureTopicsOptions {
  readonly admin: Admin;
  readonly rawPartitions: number;
  readonly logger: Logger;
}

/** Makes missing topics; returns the raw topic's partition count. */
export async function ensurePipelineTopics(topics: PipelineTopics, options: EnsureTopicsOptions): Promise<number> {
  const { admin, logger } = options;
  const create = async (topic: string, partitions: number): Promise<void> => {
    const { created, replicationFactor } = await ensureTopics(admin, [{ topic, partitions }]);
    if (created.length > 0) logger.info({ topic, partitions, replicationFactor }, 'created topic');
  };
  await create(topics.raw, options.rawPartitions);
  const partitions = await partitionCount(admin, topics.raw);
  for (const topic of [topics.clean, topics.deadLetter]) {
    await create(topic, partitions);
    const count = await partitionCount(admin, topic);
    if (count < partitions) {
      throw new WeirError('CONFIG_INVALID', `${topic} has ${count} partition(s) but ${topics.raw} has ${partitions}: add partitions to ${topic} (kafka-topics --alter --partitions ${partitions})`, {
        details: { topic, partitions: count, rawPartitions: partitions },
      });
    }
  }
  return partitions;
}
