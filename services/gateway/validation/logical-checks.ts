/**
 * Logical types, on top of the primitive checks. The output is always the underlying Avro value
 * (epoch number, day number, string, two's-complement bytes), because the gateway encodes with
 * avsc's default types, which ignore logicalType. As the Avro spec requires, a logical type on the
 * wrong underlying type, or a decimal with an invalid precision or scale, is ignored and the
 * underlying type applies. Other logical types (time-*, local-timestamp-*, duration) take only
 * their underlying form.
 */
import { type Check, checkStringLimits, type Compiled, fail, INVALID, type Limits } from './check.ts';
import { encodeDecimal } from './decimal.ts';
import { describeValue, quote } from './field-error.ts';
import { isAvroLong } from './primitive-checks.ts';
import { DATE_EXAMPLE, parseDate, parseTimestamp, TIMESTAMP_EXAMPLE, type TimeUnit } from './time-format.ts';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface Underlying {
  readonly typeName: string;
  /** Size of a fixed. */
  readonly size?: number;
  readonly compiled: Compiled;
}

/** The check for `logicalType` on `underlying`, or the underlying check when the logical type does not apply. */
export function compileLogical(
  logicalType: unknown,
  attrs: Readonly<Record<string, unknown>>,
  underlying: Underlying,
  limits: Limits,
): Compiled {
  const { typeName, compiled } = underlying;
  switch (logicalType) {
    case 'uuid':
      if (typeName === 'string') return { check: uuidCheck(limits, false), native: ['string'], lenient: [], label: 'uuid' };
      if (typeName === 'fixed' && underlying.size === 16) {
        return { check: uuidCheck(limits, true), native: ['string'], lenient: [], label: 'uuid' };
      }
      return compiled;
    case 'timestamp-millis':
    case 'timestamp-micros':
      if (typeName !== 'long') return compiled;
      return {
        check: timestampCheck(logicalType === 'timestamp-millis' ? 'millis' : 'micros', compiled.check),
        native: ['number'],
        lenient: ['string'],
        label: logicalType,
      };
    case 'date':
      return typeName === 'int' ? { check: dateCheck(compiled.check), native: ['number'], lenient: ['string'], label: 'date' } : compiled;
    case 'decimal':
      return compileDecimal(attrs, underlying) ?? compiled;
    default:
      return compiled;
  }
}

/** UUIDs are case-insensitive (RFC 9562); they are stored lowercase so one id has one spelling. */
function uuidCheck(limits: Limits, asFixed: boolean): Check {
  return (v, run) => {
    if (typeof v !== 'string') return fail(run, 'wrong_type', `expected a UUID string, got ${describeValue(v)}`);
    if (!checkStringLimits(v, run, limits, 'a UUID')) return INVALID;
    if (!UUID.test(v)) {
      return fail(run, 'invalid_format', `expected a UUID like "0192e3a4-5b6c-7d8e-9f01-23456789abcd", got ${quote(v)}`);
    }
    const lower = v.toLowerCase();
    return asFixed ? Buffer.from(lower.replaceAll('-', ''), 'hex') : lower;
  };
}

function timestampCheck(unit: TimeUnit, epochCheck: Check): Check {
  const expected = `expected epoch ${unit === 'millis' ? 'milliseconds' : 'microseconds'} or ${TIMESTAMP_EXAMPLE}`;
  return (v, run, depth) => {
    if (typeof v !== 'string') return typeof v === 'number' ? epochCheck(v, run, depth) : fail(run, 'wrong_type', `${expected}, got ${describeValue(v)}`);
    const parsed = parseTimestamp(v, unit);
    if (parsed === undefined) {
      // A digit string is a long in text form (see primitive-checks); anything else was meant as a date.
      return /^-?\d+$/.test(v) ? epochCheck(v, run, depth) : fail(run, 'invalid_format', `${expected}, got ${quote(v)}`);
    }
    if (!isAvroLong(parsed)) return fail(run, 'out_of_range', `${expected} that fits a long exactly, got ${quote(v)}`);
    return parsed;
  };
}

function dateCheck(daysCheck: Check): Check {
  const expected = `expected days since 1970-01-01 or ${DATE_EXAMPLE}`;
  return (v, run, depth) => {
    if (typeof v === 'number') return daysCheck(v, run, depth);
    if (typeof v !== 'string') return fail(run, 'wrong_type', `${expected}, got ${describeValue(v)}`);
    const days = parseDate(v);
    return days === undefined ? fail(run, 'invalid_format', `${expected}, got ${quote(v)}`) : days;
  };
}

function compileDecimal(attrs: Readonly<Record<string, unknown>>, underlying: Underlying): Compiled | undefined {
  const { typeName, size } = underlying;
  const precision = attrs['precision'];
  const scale = attrs['scale'] ?? 0;
  if (typeName !== 'bytes' && typeName !== 'fixed') return undefined;
  if (!Number.isSafeInteger(precision) || !Number.isSafeInteger(scale)) return undefined;
  const p = precision as number;
  const s = scale as number;
  if (p < 1 || s < 0 || s > p) return undefined;
  const spec = { precision: p, scale: s, fixedSize: typeName === 'fixed' ? size : undefined };
  const check: Check = (v, run) => {
    const outcome = encodeDecimal(v, spec);
    return outcome.ok ? outcome.bytes : fail(run, outcome.reason, outcome.message);
  };
  return { check, native: ['number', 'string'], lenient: [], label: `decimal(${p},${s})` };
}
