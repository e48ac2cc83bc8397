/**
 * Approximate distinct count: a HyperLogLog kept as a plain array of 2^14 one-byte registers.
 *
 * Mergeable by design: two sketches merge by element-wise max, which is associative, commutative
 * and idempotent, so the sketch of a window is the same whichever instance saw which events, in
 * whatever order partial sketches are merged, and ClickHouse can merge stored partial states with
 * `maxForEach` on an `Array(UInt8)` column. Merging parts gives exactly the sketch of the whole.
 *
 * Precision 14 (16,384 registers, 16 KiB a sketch): standard error 1.04 / sqrt(2^14) = 0.81 %,
 * so an estimate lies within 2 % of the truth with about 98.6 % probability (2.5 standard errors).
 * Precision 12 (1.6 %) would put 2 % at only 1.2 standard errors, wrong about one time in five.
 *
 * The hash is xxHash64 (seed 0) of the value's text (see `hllPosition`): the low 14 bits pick the
 * register, the register keeps the largest rank (trailing zeros of the other 50 bits, plus one).
 * The estimate is Ertl's improved raw estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017, as Redis uses it): unbiased from 0 to billions without the
 * empirical bias tables of HyperLogLog++, and exact-ish (linear counting) for small counts.
 */
import { xxhash64 } from './xxhash64.ts';

export const HLL_PRECISION = 14;
export const HLL_REGISTERS = 1 << HLL_PRECISION;
/** Bits of the hash left after the register index; a rank is 1..RANK_BITS + 1. */
const RANK_BITS = 64 - HLL_PRECISION;
const ALPHA_INFINITY = 1 / (2 * Math.LN2);

export type HllRegisters = Uint8Array;

/** A value counted by a distinct measure; null is never counted (as SQL's COUNT(DISTINCT)). */
export type DistinctValue = string | number | boolean;

export function createHll(): HllRegisters {
  return new Uint8Array(HLL_REGISTERS);
}

const hash = new Uint32Array(2);

/**
 * Where a value lands: register index * 64 + rank, one number so that an event that falls in
 * several windows is hashed once and applied to each window's sketch cheaply. The hashed text is
 * the value as a string: numbers in decimal, booleans as "true"/"false", so that ClickHouse's
 * `xxHash64(toString(x))` gives the same bits.
 */
export function hllPosition(value: DistinctValue): number {
  xxhash64(typeof value === 'string' ? value : String(value), hash);
  const low = hash[0] as number;
  const high = hash[1] as number;
  // Trailing zeros of hash >>> PRECISION, over RANK_BITS bits: the low word's upper 18 bits, then the high word.
  const rest = low >>> HLL_PRECISION;
  let rank: number;
  if (rest !== 0) rank = 32 - Math.clz32(rest & -rest);
  else if (high !== 0) rank = 32 - HLL_PRECISION + 32 - Math.clz32(high & -high);
  else rank = RANK_BITS + 1;
  return (low & (HLL_REGISTERS - 1)) * 64 + rank;
}

export function hllAddPosition(registers: HllRegisters, position: number): void {
  const index = position >>> 6;
  const rank = position & 63;
  if (rank > (registers[index] as number)) registers[index] = rank;
}

export function hllAdd(registers: HllRegisters, value: DistinctValue): void {
  hllAddPosition(registers, hllPosition(value));
}

/** Folds `from` into `into` (element-wise max). */
export function hllMerge(into: HllRegisters, from: HllRegisters): void {
  for (let i = 0; i < HLL_REGISTERS; i++) {
    if ((from[i] as number) > (into[i] as number)) into[i] = from[i] as number;
  }
}

/** Length of a register-value histogram: values 0 (empty) to RANK_BITS + 1. */
export const HLL_HISTOGRAM_SIZE = RANK_BITS + 2;

/** The estimated number of distinct values added, rounded to an integer. */
export function hllEstimate(registers: HllRegisters): number {
  const histogram = new Float64Array(HLL_HISTOGRAM_SIZE);
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i] as number]! += 1;
  return hllEstimateFromHistogram(histogram);
}

/**
 * The estimate from how many registers hold each value, which is all Ertl's estimator reads (the
 * query API gets it from ClickHouse, which reduces the merged positions to it). `histogram[0]`,
 * the empty registers, is taken as what the others leave of the 2^14.
 */
export function hllEstimateFromHistogram(histogram: ArrayLike<number>): number {
  const m = HLL_REGISTERS;
  let filled = 0;
  for (let k = 1; k < HLL_HISTOGRAM_SIZE; k++) filled += Number(histogram[k] ?? 0);
  const at = (k: number) => (k === 0 ? m - filled : Number(histogram[k] ?? 0));
  let z = m * tau(1 - at(RANK_BITS + 1) / m);
  for (let k = RANK_BITS; k >= 1; k--) z = 0.5 * (z + at(k));
  z += m * sigma(at(0) / m);
  return Math.round((ALPHA_INFINITY * m * m) / z);
}

/** Ertl's sigma: the contribution of empty registers (infinite when all are empty: estimate 0). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const before = z;
    z += x * y;
    y += y;
    if (z === before) return z;
  }
}

/** Ertl's tau: the contribution of saturated registers (none in practice below 2^50 values). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const before = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === before) return z / 3;
  }
}
