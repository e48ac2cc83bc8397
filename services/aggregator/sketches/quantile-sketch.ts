/**
 * Quantiles of a numeric field: a DDSketch-style histogram with fixed logarithmic buckets, kept as
 * one fixed-length array of counts.
 *
 * Mergeable by design: every sketch has the same buckets at the same positions, so two merge by
 * element-wise sum, which is associative and commutative, and ClickHouse can merge stored partial
 * states with `sumForEach` on an `Array(UInt64)` column. Merging parts gives exactly the sketch of
 * the whole; counts are integers held exactly in doubles up to 2^53.
 *
 * Guarantee (relative value error, not rank error): for q in [0, 1], `sketchQuantile(s, q)`
 * returns a value within 1 % (alpha) of x, the exact q-quantile of the values added, taken as the
 * value at 0-based rank floor(q * (n - 1)) in sorted order, whenever MIN_MAGNITUDE <= |x| <=
 * MAX_MAGNITUDE. Values with |v| < MIN_MAGNITUDE (0 among them) share one bucket and read back as
 * 0, an absolute error below MIN_MAGNITUDE. Values beyond MAX_MAGNITUDE are clamped into the
 * outermost bucket and read back as about +-MAX_MAGNITUDE: counted, never dropped, but without the
 * bound. NaN is not added (the caller skips it, like null).
 *
 * Buckets: positive bucket k holds (gamma^(k-1), gamma^k] with gamma = (1 + alpha) / (1 - alpha),
 * and reads back as 2 gamma^k / (gamma + 1), which is within alpha of every value in it. Negative
 * values mirror the positive ones. The array is in value order: the most negative bucket first,
 * then the zero bucket, then the positive ones, so a quantile is one cumulative walk.
 */

export const SKETCH_RELATIVE_ACCURACY = 0.01;
/** Smallest magnitude with the relative bound; 1e-3 keeps microseconds of a millisecond latency. */
export const SKETCH_MIN_MAGNITUDE = 1e-3;
/** Largest magnitude with the relative bound; 1e12 holds amounts in minor units of any currency. */
export const SKETCH_MAX_MAGNITUDE = 1e12;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const INV_LN_GAMMA = 1 / Math.log(GAMMA);
const K_MIN = Math.ceil(Math.log(SKETCH_MIN_MAGNITUDE) * INV_LN_GAMMA);
const K_MAX = Math.ceil(Math.log(SKETCH_MAX_MAGNITUDE) * INV_LN_GAMMA);
/** Buckets per sign. */
const SIDE = K_MAX - K_MIN + 1;
/** Position of the bucket of |v| < SKETCH_MIN_MAGNITUDE. */
const ZERO = SIDE;
/** 2 * 1728 + 1 = 3457 counts, 27 KiB as doubles. */
export const SKETCH_BUCKETS = 2 * SIDE + 1;

export type QuantileSketch = Float64Array;

export function createSketch(): QuantileSketch {
  return new Float64Array(SKETCH_BUCKETS);
}

/**
 * The bucket a value falls in, or -1 for NaN. Computed once per event, so that an event in
 * several windows pays for one logarithm.
 */
export function sketchBucket(value: number): number {
  const magnitude = Math.abs(value);
  if (!(magnitude >= SKETCH_MIN_MAGNITUDE)) return Number.isNaN(value) ? -1 : ZERO;
  const k = Math.min(Math.max(Math.ceil(Math.log(magnitude) * INV_LN_GAMMA), K_MIN), K_MAX);
  return value > 0 ? ZERO + 1 + (k - K_MIN) : ZERO - 1 - (k - K_MIN);
}

export function sketchAddBucket(sketch: QuantileSketch, bucket: number): void {
  if (bucket >= 0) sketch[bucket]! += 1;
}

export function sketchAdd(sketch: QuantileSketch, value: number): void {
  sketchAddBucket(sketch, sketchBucket(value));
}

/** Folds `from` into `into` (element-wise sum). */
export function sketchMerge(into: QuantileSketch, from: QuantileSketch): void {
  for (let i = 0; i < SKETCH_BUCKETS; i++) into[i]! += from[i] as number;
}

export function sketchCount(sketch: QuantileSketch): number {
  let n = 0;
  for (let i = 0; i < SKETCH_BUCKETS; i++) n += sketch[i] as number;
  return n;
}

/** The q-quantile (0 <= q <= 1) of the values added, within the bound above; null when empty. */
export function sketchQuantile(sketch: QuantileSketch, q: number): number | null {
  const n = sketchCount(sketch);
  if (n === 0) return null;
  const rank = Math.floor(Math.min(Math.max(q, 0), 1) * (n - 1));
  let seen = 0;
  for (let i = 0; i < SKETCH_BUCKETS; i++) {
    seen += sketch[i] as number;
    if (seen > rank) return bucketValue(i);
  }
  return bucketValue(SKETCH_BUCKETS - 1);
}

/**
 * The q-quantile of a sketch given as its non-empty buckets and their counts (as ClickHouse's
 * `sumMap` of the stored `__qb`/`__qc` columns returns it, buckets ascending); null when empty.
 */
export function sketchQuantileOfBuckets(buckets: ArrayLike<number>, counts: ArrayLike<number>, q: number): number | null {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += Number(counts[i]);
  if (n === 0) return null;
  const rank = Math.floor(Math.min(Math.max(q, 0), 1) * (n - 1));
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += Number(counts[i]);
    if (seen > rank) return bucketValue(Number(buckets[i]));
  }
  return bucketValue(Number(buckets[buckets.length - 1]));
}

function bucketValue(bucket: number): number {
  if (bucket === ZERO) return 0;
  const k = (bucket > ZERO ? bucket - ZERO - 1 : ZERO - 1 - bucket) + K_MIN;
  const magnitude = (2 * GAMMA ** k) / (GAMMA + 1);
  return bucket > ZERO ? magnitude : -magnitude;
}
