/** Kafka for integration tests: the run's broker (from global setup), unique topics and groups. */
import { inject } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { registerCleanup } from './cleanup.ts';
import { uniqueName } from './unique.ts';
import { createTopicsAndWait } from '../../services/shared/kafka/topic-metadata.ts';

export function testBrokers(): string[] {
  return inject('kafkaBrokers');
}

export function testKafka(clientId = 'weir-test', brokers: readonly string[] = testBrokers()): Kafka {
  return createKafka({ brokers, clientId });
}

/** An admin client, disconnected by cleanup. */
export async function connectedAdmin(kafka: Kafka = testKafka()): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  registerCleanup(() => admin.disconnect());
  return admin;
}

export interface TestTopicOptions {
  partitions?: number;
  replicationFactor?: number;
  prefix?: string;
  configEntries?: { name: string; value: string }[];
  kafka?: Kafka;
}

/** Creates a uniquely named topic, waits for its leaders, and deletes it on cleanup. */
export async function createTestTopic(options: TestTopicOptions = {}): Promise<string> {
  const topic = uniqueName(options.prefix ?? 'topic');
  const admin = (options.kafka ?? testKafka()).admin();
  await admin.connect();
  try {
    await createTopicsAndWait(admin, [
        {
          topic,
          numPartitions: options.partitions ?? 1,
          replicationFactor: options.replicationFactor ?? 1,
          ...(options.configEntries === undefined ? {} : { configEntries: options.configEntries }),
        },
      ]);
  } finally {
    await admin.disconnect();
  }
  registerCleanup(async () => {
    const cleanupAdmin = (options.kafka ?? testKafka()).admin();
    await cleanupAdmin.connect();
    try {
      await cleanupAdmin.deleteTopics({ topics: [topic] });
    } finally {
      await cleanupAdmin.disconnect();
    }
  });
  return topic;
}

export function uniqueGroupId(prefix = 'group'): string {
  return uniqueName(prefix);
}
