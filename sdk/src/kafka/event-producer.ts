/**
 * Produces events straight to Kafka, for services that sit next to the broker: each event is
 * encoded with the latest schema registered under `weir.raw.<type>-value`, framed in the
 * Confluent wire format (byte 0, the 4-byte schema id, the Avro body), and written with acks=-1 to
 * `weir.raw.<type>` with the headers the gateway writes. The result is what the gateway would
 * have published for the same event over HTTP, minus its validation: an event that does not fit
 * the schema fails to encode here (ENCODE_FAILED) instead of getting a per-field answer.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Message, Producer } from 'kafkajs';
import { WeirError } from '../errors.ts';
import type { EventMap, EventOf, UntypedEvents } from '../types.ts';
import { createUuidV7 } from '../uuid-v7.ts';
import { toAvroEvent } from './avro-record.ts';
import { createSchemaIdCache } from './schema-id-cache.ts';

/** The headers the gateway writes, less `weir-key-id` (there is no write key here). */
export const HEADERS = { eventId: 'weir-event-id', eventType: 'weir-event-type', schemaId: 'weir-schema-id', receivedAt: 'weir-received-at' } as const;
export const DEFAULT_SCHEMA_CACHE_MS = 60_000; // 1 min

export const rawTopicOf = (type: string): string => `weir.raw.${type}`;
export const subjectOf = (type: string): string => `${rawTopicOf(type)}-value`;

export interface KafkaEventProducerOptions {
  /** A connected kafkajs producer (idempotent is best: `kafka.producer({ idempotent: true })`). */
  producer: Pick<Producer, 'send'>;
  /** A @kafkajs/confluent-schema-registry client of weir's registry. */
  registry: Pick<SchemaRegistry, 'getLatestSchemaId' | 'encode'>;
  /** The topic of a type. Default `weir.raw.<type>`. The schema subject stays `weir.raw.<type>-value`. */
  topicFor?: (type: string) => string;
  /** How long the latest schema id of a subject is reused before asking the registry again, in ms. Default 60_000 (1 min). */
  schemaCacheMs?: number;
  /** Unix milliseconds, for ids, default event times and `weir-received-at`. Default Date.now. */
  now?: () => number;
}

/** An event for send(): its fields and optional `id` and `timestamp`; a `type`, if given, is ignored. */
export type KafkaEventOf<Events extends EventMap, K extends keyof Events & string> = Omit<EventOf<Events, K>, 'type'> & { type?: K };

export interface ProducedEvent {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly schemaId: number;
}

export interface KafkaEventProducer<Events extends EventMap = UntypedEvents> {
  /** Encodes and produces one event; resolves once the brokers have it (acks=-1). */
  send<K extends keyof Events & string>(type: K, event: KafkaEventOf<Events, K>): Promise<ProducedEvent>;
  /** The same for several events of one type, in one produce request. */
  sendBatch<K extends keyof Events & string>(type: K, events: readonly KafkaEventOf<Events, K>[]): Promise<ProducedEvent[]>;
}

export function createKafkaEventProducer<Events extends EventMap = UntypedEvents>(options: KafkaEventProducerOptions): KafkaEventProducer<Events> {
  const { producer, registry } = options;
  if (typeof producer?.send !== 'function') throw invalid('producer must be a connected kafkajs Producer');
  if (typeof registry?.encode !== 'function' || typeof registry.getLatestSchemaId !== 'function') {
    throw invalid('registry must be a SchemaRegistry from @kafkajs/confluent-schema-registry');
  }
  const cacheMs = options.schemaCacheMs ?? DEFAULT_SCHEMA_CACHE_MS;
  if (!Number.isSafeInteger(cacheMs) || cacheMs < 0) throw invalid(`schemaCacheMs must be a whole number of ms, 0 or more, got ${String(cacheMs)}`);
  const topicFor = options.topicFor ?? rawTopicOf;
  const now = options.now ?? Date.now;
  const newId = createUuidV7(now);
  const schemaIds = createSchemaIdCache(registry, cacheMs, now);

  async function sendBatch(type: string, events: readonly unknown[]): Promise<ProducedEvent[]> {
    if (events.length === 0) return [];
    const subject = subjectOf(type);
    let schemaId: number;
    try {
      schemaId = await schemaIds.latest(subject);
    } catch (cause) {
      throw new WeirError('SCHEMA_LOOKUP_FAILED', `no latest schema for ${subject} from the registry: is it registered (npx weir schemas register)? ${describe(cause)}`, { cause });
    }
    const topic = topicFor(type);
    const receivedAt = String(now());
    const produced: ProducedEvent[] = [];
    const messages: Message[] = [];
    for (const [index, event] of events.entries()) {
      const avro = toAvroEvent(event, now(), newId);
      let value: Buffer;
      try {
        value = await registry.encode(schemaId, avro.record);
      } catch (cause) {
        const where = events.length > 1 ? ` (event ${index} of ${events.length})` : '';
        throw new WeirError('ENCODE_FAILED', `event ${avro.id}${where} does not fit schema ${schemaId} of ${subject}: ${describe(cause)}`, { cause });
      }
      const headers = { [HEADERS.eventId]: avro.id, [HEADERS.eventType]: type, [HEADERS.schemaId]: String(schemaId), [HEADERS.receivedAt]: receivedAt };
      messages.push({ key: avro.key, value, headers });
      produced.push({ id: avro.id, topic, key: avro.key, schemaId });
    }
    try {
      await producer.send({ topic, acks: -1, messages });
    } catch (cause) {
      const retriable = typeof cause === 'object' && cause !== null && 'retriable' in cause ? cause.retriable === true : true;
      throw new WeirError('PRODUCE_FAILED', `producing ${messages.length} event(s) to ${topic} failed: ${describe(cause)}`, { cause, retriable });
    }
    return produced;
  }

  return {
    async send(type, event) {
      const [produced] = await sendBatch(type, [event]);
      if (produced === undefined) throw new Error('unreachable: one event in, one out');
      return produced;
    },
    sendBatch,
  };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // The registry client's validation error lists the paths that do not fit the schema.
  const paths = typeof error === 'object' && error !== null && 'paths' in error && Array.isArray(error.paths) ? error.paths : [];
  return paths.length === 0 ? message : `${message} (at ${paths.map((p: unknown) => (Array.isArray(p) ? p.join('.') : String(p))).join(', ')})`;
}

function invalid(message: string): WeirError {
  return new WeirError('INVALID_OPTIONS', `weir kafka producer: ${message}`);
}
