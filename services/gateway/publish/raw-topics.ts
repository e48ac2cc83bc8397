/**
 * Raw topics, one per event type, named `weir.raw.<type>`. The gateway makes a type's topic the
 * first time it publishes that type, so registering a schema is all it takes to start sending.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../../shared/logger.ts';
import { ensureTopics } from '../../shared/kafka/topic-metadata.ts';

export const RAW_TOPIC_PREFIX = 'weir.raw.';

export function rawTopic(type: string): string {
  return `${RAW_TOPIC_PREFIX}${type}`;
}

export interface RawTopicsOptions {
  admin: Admin;
  partitions: number;
  logger: Logger;
}

export class RawTopics {
  readonly #options: RawTopicsOptions;
  readonly #ready = new Map<string, Promise<void>>();

  constructor(options: RawTopicsOptions) {
    this.#options = options;
  }

  /** Resolves once `topic` exists; concurrent calls share one creation. A failure is retried by the next call. */
  ensure(topic: string): Promise<void> {
    let ready = this.#ready.get(topic);
    if (ready === undefined) {
      ready = this.#create(topic).catch((error: unknown) => {
        this.#ready.delete(topic);
        throw error;
      });
      this.#ready.set(topic, ready);
    }
    return ready;
  }

  async #create(topic: string): Promise<void> {
    const { admin, partitions, logger } = this.#options;
    const { created, replicationFactor } = await ensureTopics(admin, [{ topic, partitions }]);
    if (created.length > 0) logger.info({ topic, partitions, replicationFactor }, 'created raw topic');
  }
}
