/**
 * What the gateway tells a sender about a bad event: one FieldError per problem, each pointing
 * at the offending value with a JSON Pointer (RFC 6901) into the event as sent. Callers (HTTP
 * answers, metrics labels) branch on `reason`, never on `message`, which is for people.
 */

export const FIELD_ERROR_REASONS = [
  /** A required field is absent and the schema has no default for it. */
  'missing_field',
  /** The JSON type does not fit the schema (a string where a number belongs, 1.5 for an int, ...). */
  'wrong_type',
  /** A string that is not one of the enum's symbols. */
  'not_in_enum',
  /** A field the schema does not declare (including `__proto__`). */
  'unknown_field',
  /** A number outside what the Avro type holds (int32, safe-integer long, finite double, decimal precision). */
  'out_of_range',
  /** A string that should follow a format and does not: uuid, ISO-8601 time or date, base64, decimal, Unicode. */
  'invalid_format',
  /** A string (or map key) longer than the configured limit. */
  'too_long',
  /** Containers nested deeper than the configured limit. */
  'too_deep',
  /** The same field sent twice, e.g. both `id` and its alias `event_id`. */
  'duplicate_field',
  /** The event time lies outside the accepted skew around the time the gateway received it. */
  'event_time_out_of_bounds',
  /** `type` names no registered event type. */
  'unknown_event_type',
  /** The event is not JSON at all (one bad line of an NDJSON body). */
  'invalid_json',
] as const;

export type FieldErrorReason = (typeof FIELD_ERROR_REASONS)[number];

export interface FieldError {
  /** JSON Pointer into the event as sent: "" for the event itself, "/properties/plan", "/items/3/sku". */
  path: string;
  reason: FieldErrorReason;
  /** What was expected and what came, for people. Never echoes more than a short prefix of a value. */
  message: string;
}

/** One segment of a JSON Pointer, escaped as RFC 6901 requires ("~" -> "~0", "/" -> "~1"). */
export function pointerSegment(key: string | number): string {
  if (typeof key === 'number') return `/${key}`;
  if (!key.includes('~') && !key.includes('/')) return `/${key}`;
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Longest part of a sent string echoed back in a message: a huge bad value must not make a huge answer. */
const ECHO_CHARS = 64;

/** A string as JSON, cut to a short prefix. */
export function quote(text: string): string {
  if (text.length <= ECHO_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, ECHO_CHARS))}... (${text.length} chars)`;
}

/** A value described for a "got ..." clause. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return `number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'nothing';
    case 'object':
      if (Array.isArray(value)) return `an array of ${value.length}`;
      return isPlainObject(value) ? 'an object' : 'a non-JSON object';
    default:
      return `a ${typeof value}`;
  }
}

/**
 * An object as JSON.parse makes it. Anything else (class instances, Buffers, Dates) did not come
 * from a JSON body and is refused rather than guessed at.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** "a, b, c" for a list of names, cut after `max` so that a 300-symbol enum does not flood a message. */
export function listNames(names: readonly string[], max = 50): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')}, ... (${names.length - max} more)`;
}
