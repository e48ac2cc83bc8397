/**
 * Avro `decimal` from JSON: senders give a JSON number or a decimal string ("12.34", "-1e3"); the
 * record carries the unscaled integer (value x 10^scale) as big-endian two's-complement bytes,
 * the shortest form for `bytes` (what Java's BigInteger.toByteArray writes) and sign-extended to
 * the size for `fixed`.
 *
 * Nothing is rounded: a value with more decimal places than the scale is refused unless the extra
 * digits are zeros, so what is stored is exactly what was sent. A JSON number is exact only up to
 * 15 significant digits (beyond that, JSON.parse may already have changed it), so longer ones must
 * come as strings.
 */
import { describeValue, quote } from './field-error.ts';

export type DecimalOutcome =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly reason: 'wrong_type' | 'invalid_format' | 'out_of_range'; readonly message: string };

/** Significant digits any double round-trips through decimal text without change. */
const EXACT_NUMBER_DIGITS = 15;
const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export interface DecimalSpec {
  readonly precision: number;
  readonly scale: number;
  /** The fixed size in bytes, or undefined for `bytes`. */
  readonly fixedSize: number | undefined;
}

/** Converts one sent value; never throws. */
export function encodeDecimal(value: unknown, spec: DecimalSpec): DecimalOutcome {
  const shape = `a decimal (precision ${spec.precision}, scale ${spec.scale}) as a number or a string like "12.34"`;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: 'out_of_range', message: `expected ${shape}, got ${String(value)}` };
    text = String(value);
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return { ok: false, reason: 'wrong_type', message: `expected ${shape}, got ${describeValue(value)}` };
  }
  const m = DECIMAL.exec(text);
  if (m === null) return { ok: false, reason: 'invalid_format', message: `expected ${shape}, got ${quote(text)}` };

  // digits x 10^exponent, with leading and trailing zeros moved out of `digits`.
  let digits = `${m[2] ?? ''}${m[3] ?? ''}`.replace(/^0+/, '');
  let exponent = Number(m[4] ?? '0') - (m[3]?.length ?? 0);
  const significant = digits.replace(/0+$/, '');
  exponent += digits.length - significant.length;
  digits = significant;

  if (typeof value === 'number' && digits.length > EXACT_NUMBER_DIGITS) {
    return {
      ok: false,
      reason: 'invalid_format',
      message: `expected ${shape}; a JSON number with more than ${EXACT_NUMBER_DIGITS} significant digits may have lost precision, send it as a string`,
    };
  }
  if (digits === '') return finish(0n, spec);

  const shift = exponent + spec.scale;
  if (shift < 0) {
    return {
      ok: false,
      reason: 'invalid_format',
      message: `expected at most ${spec.scale} decimal place(s), got ${quote(text)}; round it before sending`,
    };
  }
  if (digits.length + shift > spec.precision) {
    return {
      ok: false,
      reason: 'out_of_range',
      message: `expected at most ${spec.precision} digit(s) with ${spec.scale} after the point, got ${quote(text)}`,
    };
  }
  const unscaled = BigInt(`${m[1] === '-' ? '-' : ''}${digits}${'0'.repeat(shift)}`);
  return finish(unscaled, spec);
}

function finish(unscaled: bigint, spec: DecimalSpec): DecimalOutcome {
  const bytes = toTwosComplement(unscaled, spec.fixedSize);
  if (bytes === undefined) {
    return {
      ok: false,
      reason: 'out_of_range',
      message: `expected a decimal that fits the schema's ${spec.fixedSize ?? 0}-byte fixed, got one that needs more`,
    };
  }
  return { ok: true, bytes };
}

/** Big-endian two's complement: shortest form, or exactly `size` bytes (undefined if it does not fit). */
export function toTwosComplement(n: bigint, size?: number): Buffer | undefined {
  // -n - 1 for negatives: n fits in k bits of two's complement exactly when that does in k - 1.
  const magnitude = n < 0n ? -n - 1n : n;
  const bits = magnitude === 0n ? 0 : magnitude.toString(2).length;
  const needed = Math.floor(bits / 8) + 1;
  if (size !== undefined && needed > size) return undefined;
  const length = size ?? needed;
  const out = Buffer.alloc(length);
  let rest = BigInt.asUintN(length * 8, n);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** Reads two's-complement bytes back (tests, and decoding for people). */
export function fromTwosComplement(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, n);
}
