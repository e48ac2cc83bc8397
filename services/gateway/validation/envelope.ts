/**
 * Splits a sent event into its envelope (type, id, event time) and the type's own fields.
 *
 *   {"type": "page_view", "id": "...", "timestamp": "2026-11-24T10:00:00Z", "url": ..., ...}
 *
 * - `type`: required, a name matching ^[a-z][a-z0-9_]*$ of at most 100 characters.
 * - `id`: the sender's idempotency key, a non-empty string of at most 128 characters; when absent
 *   (or null) the gateway makes one (`newId`, a UUIDv7). The schema then decides what it must
 *   look like (weir's schemas declare event_id a uuid).
 * - `timestamp`: event time, epoch milliseconds (an integer) or an RFC 3339 string; when absent
 *   (or null), the time the gateway received the event. It must lie within
 *   [receivedAt - maxPastSkewMs, receivedAt + maxFutureSkewMs].
 * - `event_id` / `event_time`, the record's own names, are accepted as aliases of `id` /
 *   `timestamp` only when those are absent, so a record copied from Kafka can be sent back as it
 *   is. Sending both spellings is a `duplicate_field` error on the alias.
 *
 * All envelope errors are reported together; the fields are checked later against the schema.
 */
import { describeValue, type FieldError, isPlainObject, quote } from './field-error.ts';
import { formatMillis, parseTimestamp, TIMESTAMP_EXAMPLE } from './time-format.ts';

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;
export const MAX_EVENT_TYPE_CHARS = 100;
export const MAX_EVENT_ID_CHARS = 128;

export interface EnvelopeContext {
  /** When the gateway received the request, epoch ms: the default event time and the centre of the bounds. */
  readonly receivedAt: number;
  readonly maxPastSkewMs: number;
  readonly maxFutureSkewMs: number;
  /** Makes an id for an event sent without one. */
  readonly newId: () => string;
}

export interface Envelope {
  readonly type: string;
  readonly id: string;
  /** True when the sender gave no id and `id` was made by the gateway. */
  readonly idGenerated: boolean;
  /** Event time, epoch ms. */
  readonly eventTime: number;
  /** Which names the sender used, so that record errors can point at what was sent. */
  readonly idField: 'id' | 'event_id';
  readonly timeField: 'timestamp' | 'event_time';
  /** The other fields as sent, as own data properties (a sent "__proto__" stays a plain key). */
  readonly fields: Readonly<Record<string, unknown>>;
}

export type EnvelopeResult =
  | { readonly ok: true; readonly envelope: Envelope }
  /** `type` and `id` are given when they were valid, for per-event answers and metrics. */
  | { readonly ok: false; readonly errors: FieldError[]; readonly type: string | undefined; readonly id: string | undefined };

/** Own, present value of `key`; null counts as absent (many serializers write absent optionals as null). */
function sent(event: Readonly<Record<string, unknown>>, key: string): unknown {
  const value = Object.hasOwn(event, key) ? event[key] : undefined;
  return value === null ? undefined : value;
}

export function readEnvelope(raw: unknown, context: EnvelopeContext): EnvelopeResult {
  if (!isPlainObject(raw)) {
    return { ok: false, errors: [{ path: '', reason: 'wrong_type', message: `expected an event object, got ${describeValue(raw)}` }], type: undefined, id: undefined };
  }
  const errors: FieldError[] = [];
  const type = readType(sent(raw, 'type'), errors);

  const givenId = sent(raw, 'id');
  const aliasId = sent(raw, 'event_id');
  const idField = givenId === undefined && aliasId !== undefined ? 'event_id' : 'id';
  if (givenId !== undefined && aliasId !== undefined) {
    errors.push({ path: '/event_id', reason: 'duplicate_field', message: 'expected event_id only as an alias when id is absent, got both; send one of them' });
  }
  const sentId = givenId ?? aliasId;
  const id = sentId === undefined ? undefined : readId(sentId, `/${idField}`, errors);

  const givenTime = sent(raw, 'timestamp');
  const aliasTime = sent(raw, 'event_time');
  const timeField = givenTime === undefined && aliasTime !== undefined ? 'event_time' : 'timestamp';
  if (givenTime !== undefined && aliasTime !== undefined) {
    errors.push({ path: '/event_time', reason: 'duplicate_field', message: 'expected event_time only as an alias when timestamp is absent, got both; send one of them' });
  }
  const sentTime = givenTime ?? aliasTime;
  const eventTime = sentTime === undefined ? context.receivedAt : readTime(sentTime, `/${timeField}`, context, errors);

  if (errors.length > 0 || type === undefined || eventTime === undefined) {
    return { ok: false, errors, type, id };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!ENVELOPE_KEYS.has(key)) setOwn(fields, key, raw[key]);
  }
  return {
    ok: true,
    envelope: { type, id: id ?? context.newId(), idGenerated: id === undefined, eventTime, idField, timeField, fields },
  };
}

/** The record the schema validates: the fields plus event_id and event_time from the envelope. */
export function toRecordFields(envelope: Envelope): Record<string, unknown> {
  const record: Record<string, unknown> = { event_id: envelope.id, event_time: envelope.eventTime };
  for (const key of Object.keys(envelope.fields)) {
    if (key !== 'event_id' && key !== 'event_time') setOwn(record, key, envelope.fields[key]);
  }
  return record;
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['type', 'id', 'timestamp', 'event_id', 'event_time']);

/**
 * Copies a sent key as an own data property. A plain assignment of "__proto__" would set the
 * object's prototype instead (and lose the key); objects without a prototype would avoid that but
 * are slow dictionaries in V8, so only that one key takes the slow path.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function readType(value: unknown, errors: FieldError[]): string | undefined {
  const expected = `expected an event type name matching ${EVENT_TYPE_PATTERN.source}`;
  if (value === undefined) {
    errors.push({ path: '/type', reason: 'missing_field', message: `${expected}, got nothing` });
  } else if (typeof value !== 'string') {
    errors.push({ path: '/type', reason: 'wrong_type', message: `${expected}, got ${describeValue(value)}` });
  } else if (value.length > MAX_EVENT_TYPE_CHARS) {
    errors.push({ path: '/type', reason: 'too_long', message: `${expected} of at most ${MAX_EVENT_TYPE_CHARS} characters, got ${value.length}` });
  } else if (!EVENT_TYPE_PATTERN.test(value)) {
    errors.push({ path: '/type', reason: 'invalid_format', message: `${expected}, got ${quote(value)}` });
  } else {
    return value;
  }
  return undefined;
}

function readId(value: unknown, path: string, errors: FieldError[]): string | undefined {
  const expected = `expected a non-empty string of at most ${MAX_EVENT_ID_CHARS} characters`;
  if (typeof value !== 'string') {
    errors.push({ path, reason: 'wrong_type', message: `${expected}, got ${describeValue(value)}` });
  } else if (value.length > MAX_EVENT_ID_CHARS) {
    errors.push({ path, reason: 'too_long', message: `${expected}, got ${value.length}` });
  } else if (value.length === 0 || !value.isWellFormed()) {
    errors.push({ path, reason: 'invalid_format', message: `${expected} of valid Unicode, got ${quote(value)}` });
  } else {
    return value;
  }
  return undefined;
}

function readTime(value: unknown, path: string, context: EnvelopeContext, errors: FieldError[]): number | undefined {
  const expected = `expected epoch milliseconds (an integer) or ${TIMESTAMP_EXAMPLE}`;
  let time: number | undefined;
  if (typeof value === 'number') {
    time = Number.isSafeInteger(value) ? value : undefined;
  } else if (typeof value === 'string') {
    time = parseTimestamp(value, 'millis');
  } else {
    errors.push({ path, reason: 'wrong_type', message: `${expected}, got ${describeValue(value)}` });
    return undefined;
  }
  if (time === undefined) {
    errors.push({ path, reason: 'invalid_format', message: `${expected}, got ${describeValue(value)}` });
    return undefined;
  }
  const earliest = context.receivedAt - context.maxPastSkewMs;
  const latest = context.receivedAt + context.maxFutureSkewMs;
  if (time >= earliest && time <= latest) return time;
  // Epoch seconds are the usual mistake: they land in January 1970.
  const hint = typeof value === 'number' && Math.abs(value) < 1e11 ? ' (epoch seconds? send milliseconds)' : '';
  const bound = time < earliest
    ? `the earliest accepted, ${formatMillis(earliest)} (received at minus ${context.maxPastSkewMs} ms)`
    : `the latest accepted, ${formatMillis(latest)} (received at plus ${context.maxFutureSkewMs} ms)`;
  errors.push({
    path,
    reason: 'event_time_out_of_bounds',
    message: `expected an event time within the accepted skew, got ${formatMillis(time)}${hint}, ${time < earliest ? 'before' : 'after'} ${bound}`,
  });
  return undefined;
}
