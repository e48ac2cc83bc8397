/**
 * An event as the SDK types it (`id`, `timestamp`, the type's fields) turned into the Avro record
 * its schema describes (`event_id`, `event_time` in epoch ms, the same fields). Pure; the gateway
 * does the same for events that come over HTTP.
 */
import { WeirError } from '../errors.ts';

export interface AvroEvent {
  readonly id: string;
  /** Epoch milliseconds. */
  readonly eventTime: number;
  /** What the schema's record type encodes. */
  readonly record: Record<string, unknown>;
  /** The message key: the `user_id` field, else `tenant_id`, else the event id. */
  readonly key: string;
}

// RFC 3339 as the gateway takes it: date, time with seconds, optional fraction, Z or an offset.
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export function toAvroEvent(event: unknown, nowMs: number, newId: () => string): AvroEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new WeirError('INVALID_EVENT', `an event must be an object, got ${event === null ? 'null' : typeof event}`);
  }
  const { type: _type, id: givenId, timestamp, ...fields } = event as Record<string, unknown>;
  const rawId = givenId ?? fields['event_id'] ?? newId();
  if (typeof rawId !== 'string' || rawId === '') throw new WeirError('INVALID_EVENT', `the event id must be a non-empty string, got ${JSON.stringify(rawId)}`);
  const eventTime = epochMillis(timestamp ?? fields['event_time'] ?? nowMs);
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) record[name] = datesToMillis(value);
  record['event_id'] = rawId;
  record['event_time'] = eventTime;
  return { id: rawId, eventTime, record, key: keyOf(fields['user_id']) ?? keyOf(fields['tenant_id']) ?? rawId };
}

/** Epoch ms from a number, a Date or an RFC 3339 string; throws INVALID_EVENT for anything else. */
export function epochMillis(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  if (typeof value === 'string' && RFC_3339.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new WeirError('INVALID_EVENT', `timestamp must be epoch milliseconds (an integer), a Date or an RFC 3339 string such as "2026-11-24T10:00:00Z", got ${JSON.stringify(value)}`);
}

/** As the gateway keys: a non-empty string, or a number as its text. */
function keyOf(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Dates anywhere in a value as epoch ms: what a timestamp-millis field holds in avsc. */
function datesToMillis(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map(datesToMillis);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, datesToMillis(v)]));
  }
  return value;
}
