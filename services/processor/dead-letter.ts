/**
 * The dead-letter record: the original key, value bytes, headers and timestamp, untouched, so that
 * it can be fixed and replayed, plus headers saying why and where from:
 *
 *   weir-dlq-reason            reason code (pipeline codes, or `undecodable`, `unknown_schema_id`)
 *   weir-dlq-message           for people; never quotes a string value of the record
 *   weir-dlq-field             field path concerned ("" for the record as a whole)
 *   weir-dlq-stage             decode | rule | transform | hook | encode (aggregate: the aggregator's)
 *   weir-dlq-source-topic      the raw topic
 *   weir-dlq-source-partition  decimal
 *   weir-dlq-source-offset     decimal
 *   weir-dlq-attempts          how many times the record was processed, this time included
 *   weir-dlq-time              when it was dead-lettered, epoch ms, decimal
 *
 * A raw record that already carries weir-dlq-* headers (a replay) has them replaced.
 */
import type { IHeaders, Message } from 'kafkajs';

export const DLQ_HEADER_PREFIX = 'weir-dlq-';

/** Reasons the processor itself gives, before a pipeline sees the record. */
export const DECODE_REASONS = ['undecodable', 'unknown_schema_id'] as const;
export type DecodeReason = (typeof DECODE_REASONS)[number];

export type DeadLetterStage = 'decode' | 'rule' | 'transform' | 'hook' | 'encode' | 'aggregate';

export interface DeadLetterCause {
  readonly reason: string;
  readonly message: string;
  readonly fieldPath: string;
  readonly stage: DeadLetterStage;
}

export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
  readonly timestamp: string;
}

/** Headers are bounded: a message is cut to this many characters. */
const MAX_MESSAGE_CHARS = 1_000;

export function deadLetterMessage(source: SourceRecord, cause: DeadLetterCause, now: number): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(source.headers ?? {})) {
    if (value !== undefined && !name.startsWith(DLQ_HEADER_PREFIX)) headers[name] = value;
  }
  const previous = Number(headerText(source.headers?.[`${DLQ_HEADER_PREFIX}attempts`]) ?? 0);
  const attempts = Number.isSafeInteger(previous) && previous > 0 ? previous + 1 : 1;
  Object.assign(headers, {
    [`${DLQ_HEADER_PREFIX}reason`]: cause.reason,
    [`${DLQ_HEADER_PREFIX}message`]: cause.message.slice(0, MAX_MESSAGE_CHARS),
    [`${DLQ_HEADER_PREFIX}field`]: cause.fieldPath,
    [`${DLQ_HEADER_PREFIX}stage`]: cause.stage,
    [`${DLQ_HEADER_PREFIX}source-topic`]: source.topic,
    [`${DLQ_HEADER_PREFIX}source-partition`]: String(source.partition),
    [`${DLQ_HEADER_PREFIX}source-offset`]: source.offset,
    [`${DLQ_HEADER_PREFIX}attempts`]: String(attempts),
    [`${DLQ_HEADER_PREFIX}time`]: String(now),
  });
  return { key: source.key, value: source.value, headers, timestamp: source.timestamp };
}

function headerText(value: IHeaders[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
