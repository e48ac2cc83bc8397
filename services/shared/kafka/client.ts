import { Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import type { Logger } from '../logger.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs log lines as pino lines, with the client's fields (broker, group, topic) kept as fields. */
export function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _ts, logger: _name, ...fields } = log;
      logger[LEVELS[level] ?? 'info']({ namespace, ...fields }, message);
    };
}

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  logger?: Logger;
  /** kafkajs level; its INFO lines are chatty, so WARN by default. */
  level?: logLevel;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retry?: KafkaConfig['retry'];
}

export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    brokers: [...options.brokers],
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: options.logger === undefined ? logLevel.NOTHING : (options.level ?? logLevel.WARN),
    ...(options.logger === undefined ? {} : { logCreator: pinoLogCreator(options.logger.child({ component: 'kafkajs' })) }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
}
