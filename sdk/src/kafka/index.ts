/**
 * @weir/sdk/kafka: produce Avro-framed events straight to Kafka. Needs the optional peer
 * dependencies kafkajs and @kafkajs/confluent-schema-registry (and avsc, which the latter uses).
 */
export {
  createKafkaEventProducer,
  DEFAULT_SCHEMA_CACHE_MS,
  HEADERS,
  rawTopicOf,
  subjectOf,
  type KafkaEventOf,
  type KafkaEventProducer,
  type KafkaEventProducerOptions,
  type ProducedEvent,
} from './event-producer.ts';
export { epochMillis, toAvroEvent, type AvroEvent } from './avro-record.ts';
