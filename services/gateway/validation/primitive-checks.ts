/**
 * Checks for Avro's primitive types and for enum and fixed, from plain JSON to the values avsc's
 * default types encode. Design choices:
 * - int is int32; long is a JS integer from -2^52 to 2^53 - 2: the range avsc 5.7's default long
 *   writes exactly. Its zigzag step computes -2n - 1 in floating point, which rounds for negatives
 *   below -2^52 (-9007199254740990 comes back as +9007199254740990), so those are refused.
 * - A long may also come as a canonical decimal string ("-42"), because many int64-aware
 *   serializers (protobuf's JSON mapping, for one) write int64 that way. Outside the range above
 *   it is refused like a number, never rounded.
 * - float and double must be finite; a float beyond float32's range is refused, not made Infinity.
 * - bytes and fixed come as standard base64 with padding (RFC 4648 section 4).
 */
import { type Check, checkStringLimits, type Compiled, fail, INVALID, type Limits, type Run } from './check.ts';
import { describeValue, listNames, quote } from './field-error.ts';

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
const FLOAT_MAX = 3.4028234663852886e38;
const LONG_STRING = /^-?(?:0|[1-9]\d{0,18})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const checkNull: Check = (v, run) => (v === null ? null : fail(run, 'wrong_type', `expected null, got ${describeValue(v)}`));

const checkBoolean: Check = (v, run) =>
  typeof v === 'boolean' ? v : fail(run, 'wrong_type', `expected a boolean, got ${describeValue(v)}`);

const checkInt: Check = (v, run) => {
  if (typeof v !== 'number' || !Number.isInteger(v)) return notInteger(v, run, 'an int (32-bit integer)');
  if (v < INT_MIN || v > INT_MAX) return fail(run, 'out_of_range', `expected an int from ${INT_MIN} to ${INT_MAX}, got number ${v}`);
  return v;
};

export const LONG_MIN = -(2 ** 52);
export const LONG_MAX = 2 ** 53 - 2;
const LONG_RANGE = `from ${LONG_MIN} to ${LONG_MAX}`;

/** An integer avsc's default long type encodes and decodes unchanged. */
export function isAvroLong(n: number): boolean {
  return Number.isInteger(n) && n >= LONG_MIN && n <= LONG_MAX;
}

const checkLong: Check = (v, run) => {
  if (typeof v === 'string' && LONG_STRING.test(v)) {
    const n = Number(v);
    if (isAvroLong(n)) return n;
    return fail(run, 'out_of_range', `expected a long ${LONG_RANGE} (the range kept exact), got ${quote(v)}`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) return notInteger(v, run, 'a long (integer)');
  if (!isAvroLong(v)) return fail(run, 'out_of_range', `expected a long ${LONG_RANGE} (the range kept exact), got number ${v}`);
  return v;
};

function notInteger(v: unknown, run: Run, expected: string): unknown {
  if (typeof v === 'number' && (v === Infinity || v === -Infinity)) return fail(run, 'out_of_range', `expected ${expected}, got ${v}`);
  return fail(run, 'wrong_type', `expected ${expected}, got ${describeValue(v)}`);
}

const checkFloat: Check = (v, run) => {
  if (typeof v !== 'number' || Number.isNaN(v)) return fail(run, 'wrong_type', `expected a float (number), got ${describeValue(v)}`);
  if (!(Math.abs(v) <= FLOAT_MAX)) return fail(run, 'out_of_range', `expected a float within +-${FLOAT_MAX}, got number ${v}`);
  return v;
};

const checkDouble: Check = (v, run) => {
  if (typeof v !== 'number' || Number.isNaN(v)) return fail(run, 'wrong_type', `expected a double (number), got ${describeValue(v)}`);
  // JSON.parse turns 1e400 into Infinity, which Avro could store but no JSON reader could get back.
  if (!Number.isFinite(v)) return fail(run, 'out_of_range', `expected a finite double, got number ${v}`);
  return v;
};

function stringCheck(limits: Limits): Check {
  return (v, run) => {
    if (typeof v !== 'string') return fail(run, 'wrong_type', `expected a string, got ${describeValue(v)}`);
    return checkStringLimits(v, run, limits, 'a string') ? v : INVALID;
  };
}

/** Decodes strict base64; `size` is the exact byte count a fixed requires. */
function base64Check(limits: Limits, what: string, size?: number): Check {
  return (v, run) => {
    if (typeof v !== 'string') return fail(run, 'wrong_type', `expected ${what} as a base64 string, got ${describeValue(v)}`);
    if (!checkStringLimits(v, run, limits, `${what} in base64`)) return INVALID;
    if (!BASE64.test(v)) return fail(run, 'invalid_format', `expected ${what} as standard base64 with padding, got ${quote(v)}`);
    const bytes = Buffer.from(v, 'base64');
    if (size !== undefined && bytes.length !== size) {
      return fail(run, 'invalid_format', `expected ${what} of exactly ${size} bytes, got ${bytes.length}`);
    }
    return bytes;
  };
}

export function compilePrimitive(typeName: string, limits: Limits): Compiled {
  switch (typeName) {
    case 'null':
      return { check: checkNull, native: ['null'], lenient: [], label: 'null' };
    case 'boolean':
      return { check: checkBoolean, native: ['boolean'], lenient: [], label: 'boolean' };
    case 'int':
      return { check: checkInt, native: ['number'], lenient: [], label: 'int' };
    case 'long':
      return { check: checkLong, native: ['number'], lenient: ['string'], label: 'long' };
    case 'float':
      return { check: checkFloat, native: ['number'], lenient: [], label: 'float' };
    case 'double':
      return { check: checkDouble, native: ['number'], lenient: [], label: 'double' };
    case 'string':
      return { check: stringCheck(limits), native: ['string'], lenient: [], label: 'string' };
    case 'bytes':
      return { check: base64Check(limits, 'bytes'), native: ['string'], lenient: [], label: 'bytes' };
    default:
      throw new Error(`internal: ${typeName} is not a primitive type`);
  }
}

export function compileFixed(name: string, size: number, limits: Limits): Compiled {
  return { check: base64Check(limits, `fixed ${name}`, size), native: ['string'], lenient: [], label: name };
}

export function compileEnum(name: string, symbols: readonly string[]): Compiled {
  const known = new Set(symbols);
  const expected = `expected one of ${listNames(symbols)}`;
  const check: Check = (v, run) => {
    if (typeof v !== 'string') return fail(run, 'wrong_type', `${expected} (enum ${name}), got ${describeValue(v)}`);
    return known.has(v) ? v : fail(run, 'not_in_enum', `${expected}, got ${quote(v)}`);
  };
  return { check, native: ['string'], lenient: [], label: name };
}
