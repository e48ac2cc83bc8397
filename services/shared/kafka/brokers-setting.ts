import { optionalHostPortList } from '../config/settings.ts';

export const DEFAULT_BROKERS = Object.freeze(['127.0.0.1:9092']);

/** KAFKA_BROKERS, read by every service run on its own (`node services/<name>/main.ts`). */
export const kafkaBrokersSetting = optionalHostPortList('KAFKA_BROKERS', { doc: 'Kafka brokers (host:port,...); default 127.0.0.1:9092' });
