/**
 * Sends the publisher's batches with @platformatic/kafka's idempotent producer (acks=all). The
 * gateway's hot path is dominated by the Kafka client's record encoding; measured on this project's
 * machines, this client takes about half the CPU per message of kafkajs (see README, design notes).
 * Keys are partitioned with murmur2 exactly as the Java client does, so every producer of a key
 * agrees on its partition.
 */
import { compatibilityPartitioner, Producer, stringSerializers, type CompressionAlgorithmValue } from '@platformatic/kafka';
import type { OutgoingMessage } from './publisher.ts';

export type Compression = 'none' | 'gzip' | 'lz4' | 'snappy' | 'zstd';

export interface TopicBatch {
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
}

export interface KafkaSender {
  /** Connects and reads cluster metadata; rejects when no broker answers. */
  connect(): Promise<void>;
  send(batches: readonly TopicBatch[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaSenderOptions {
  brokers: readonly string[];
  clientId: string;
  compression: Compression;
  /** Per request to a broker, ms. */
  requestTimeoutMs: number;
  /** Attempts after the first, and the wait between them (ms), before a send fails. */
  retries: number;
  retryDelayMs: number;
}

export function createKafkaSender(options: KafkaSenderOptions): KafkaSender {
  const producer = new Producer<string, Buffer, string, string>({
    clientId: options.clientId,
    bootstrapBrokers: [...options.brokers],
    idempotent: true,
    acks: -1,
    compression: options.compression as CompressionAlgorithmValue,
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
    timeout: options.requestTimeoutMs,
    retries: options.retries,
    retryDelay: options.retryDelayMs,
    serializers: { ...stringSerializers, value: (value?: Buffer) => value },
  });
  return {
    async connect() {
      await producer.metadata({ topics: [] });
    },
    async send(batches) {
      const messages = batches.flatMap(({ topic, messages: list }) =>
        list.map((m) => ({ topic, key: m.key, value: m.value, headers: m.headers as Record<string, string>, timestamp: m.timestamp })),
      );
      await producer.send({ messages });
    },
    async close() {
      await producer.close();
    },
  };
}
