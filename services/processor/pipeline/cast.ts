/**
 * Conversions of the `cast` transform between strings, numbers and booleans. None loses
 * information silently: a string that is not exactly a number, a fraction cast to an integer, or a
 * long outside int's range fails the record instead of being truncated.
 *
 * Strings: integers are `[+-]digits`, doubles are decimal or exponent notation (not hex, not
 * "Infinity"), booleans are "true"/"false" in any case, or "1"/"0". Numbers become booleans only
 * from 0 and 1. Enums cast to string only (their symbol).
 */
import type { CastTarget } from './definition.ts';
import type { Kind } from './field-shape.ts';

/** What a conversion returns when the value does not convert. */
export const NOT_CONVERTIBLE: unique symbol = Symbol('not convertible');

export type Conversion = (value: unknown) => unknown;

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

const toInt = (n: number) => (Number.isInteger(n) && n >= INT_MIN && n <= INT_MAX ? n : NOT_CONVERTIBLE);
/**
 * The longs avsc writes exactly when given as JS numbers: it refuses beyond +-(2^53 - 2), and its
 * zig-zag step (-2n - 1) silently loses the last bit of negatives below -2^52 (checked on 5.7.9:
 * -2^52 - 1 reads back as 2^52). A cast must not make a value that comes back changed.
 */
export const AVRO_LONG_MIN = -4_503_599_627_370_496; // -2^52
export const AVRO_LONG_MAX = 9_007_199_254_740_990; // 2^53 - 2

export const isAvroLong = (n: number) => Number.isInteger(n) && n >= AVRO_LONG_MIN && n <= AVRO_LONG_MAX;

const toLong = (n: number) => (isAvroLong(n) ? n : NOT_CONVERTIBLE);
const toDouble = (n: number) => n;
const fromNumber: Record<Exclude<CastTarget, 'string' | 'boolean'>, (n: number) => number | typeof NOT_CONVERTIBLE> = {
  int: toInt,
  long: toLong,
  double: toDouble,
};

function parseNumber(text: string, target: 'int' | 'long' | 'double'): number | typeof NOT_CONVERTIBLE {
  if (!(target === 'double' ? DECIMAL_TEXT : INTEGER_TEXT).test(text)) return NOT_CONVERTIBLE;
  const n = Number(text);
  return Number.isFinite(n) ? fromNumber[target](n) : NOT_CONVERTIBLE;
}

function parseBoolean(text: string): boolean | typeof NOT_CONVERTIBLE {
  const lower = text.toLowerCase();
  if (lower === 'true' || text === '1') return true;
  if (lower === 'false' || text === '0') return false;
  return NOT_CONVERTIBLE;
}

/** The conversion from `from` to `to`, or undefined when the cast is not supported. */
export function conversionFor(from: Kind, to: CastTarget): Conversion | undefined {
  if (from === to) return undefined;
  switch (from) {
    case 'string':
      if (to === 'boolean') return (v) => parseBoolean(v as string);
      if (to === 'string') return undefined;
      return (v) => parseNumber(v as string, to);
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      if (to === 'string') return (v) => String(v);
      if (to === 'boolean') return (v) => (v === 1 ? true : v === 0 ? false : NOT_CONVERTIBLE);
      return (v) => fromNumber[to](v as number);
    case 'boolean':
      if (to === 'string') return (v) => String(v);
      if (to === 'boolean') return undefined;
      return (v) => (v === true ? 1 : 0);
    case 'enum':
      return to === 'string' ? (v) => v : undefined;
    default:
      return undefined;
  }
}

/** The kinds a field may be cast from, for messages. */
export const CASTABLE = 'a string, int, long, float, double or boolean (or an enum, to string)';
