/**
 * A record of a dead-letter topic as the commands see it: where it is, the reason headers the
 * processor wrote (services/processor/dead-letter.ts documents them), and the original key, value
 * and headers. A record whose weir-dlq-* headers are missing or odd is still shown, with blanks:
 * someone may have produced to the topic by hand.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { DLQ_HEADER_PREFIX } from '../../processor/dead-letter.ts';

export interface DeadLetterRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** `<topic>/<partition>/<offset>`: the record's name in the replay ledger and in `show --at`. */
  readonly coordinates: string;
  readonly reason: string;
  readonly message: string;
  readonly field: string;
  readonly stage: string;
  readonly sourceTopic: string;
  readonly sourcePartition: string;
  readonly sourceOffset: string;
  readonly attempts: number;
  /** When it was dead-lettered, epoch ms; undefined when the header is missing or not a number. */
  readonly deadLetteredAt: number | undefined;
  readonly eventId: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Every header, as text. */
  readonly headers: Readonly<Record<string, string>>;
  /** The original headers, without weir-dlq-*. */
  readonly originalHeaders: IHeaders;
  /** The Kafka record timestamp: the original record's, kept by the processor. */
  readonly timestamp: string;
}

export function coordinatesOf(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

export function toDeadLetterRecord(topic: string, partition: number, message: KafkaMessage): DeadLetterRecord {
  const headers: Record<string, string> = {};
  const originalHeaders: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = (Array.isArray(value) ? value.map(String) : [String(value)]).join(',');
    if (!name.startsWith(DLQ_HEADER_PREFIX)) originalHeaders[name] = value;
  }
  const dlq = (name: string) => headers[`${DLQ_HEADER_PREFIX}${name}`] ?? '';
  const time = Number(dlq('time'));
  const attempts = Number(dlq('attempts'));
  return {
    topic,
    partition,
    offset: message.offset,
    coordinates: coordinatesOf(topic, partition, message.offset),
    reason: dlq('reason'),
    message: dlq('message'),
    field: dlq('field'),
    stage: dlq('stage'),
    sourceTopic: dlq('source-topic'),
    sourcePartition: dlq('source-partition'),
    sourceOffset: dlq('source-offset'),
    attempts: Number.isSafeInteger(attempts) && attempts > 0 ? attempts : 1,
    deadLetteredAt: dlq('time') !== '' && Number.isFinite(time) ? time : undefined,
    eventId: headers['weir-event-id'] ?? '',
    key: message.key,
    value: message.value,
    headers,
    originalHeaders,
    timestamp: message.timestamp,
  };
}
