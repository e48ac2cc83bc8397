/**
 * What the aggregator keeps per (window, dimension values), and how events fold into it.
 *
 * The state holds only mergeable parts: the event count; per numeric field the count of values,
 * their sum, min and max (avg is sum / count, computed when read); per distinct-count field an
 * HLL; per quantile field one quantile sketch, shared by every quantile of that field. Merging two
 * states of the same window and key is exact for everything but the sums of float and double
 * fields, whose rounding depends on the order of additions (sums of ints and longs are exact up
 * to 2^53). That is what lets instances fold disjoint partitions on their own, and ClickHouse
 * merge what they write.
 *
 * An event falls in several windows (several sizes, hopping windows), so it is first `prepare`d
 * once (hashes, buckets and numbers taken out of the record), then `fold`ed into each window's
 * state cheaply. Null values are skipped by every measure but `count`, as SQL aggregates skip
 * them; so is NaN.
 */
import type { MeasureDef } from '../definition/aggregate-definition.ts';
import { createHll, type HllRegisters, hllAddPosition, hllEstimate, hllMerge, hllPosition } from '../sketches/hll.ts';
import { createSketch, type QuantileSketch, sketchAddBucket, sketchBucket, sketchMerge, sketchQuantile } from '../sketches/quantile-sketch.ts';

export type CleanRecord = Readonly<Record<string, unknown>>;
export type DimensionValue = string | number | boolean | null;

export interface WindowState {
  count: number;
  /** Per numeric field i: values counted at 4i, sum at 4i + 1, min at 4i + 2, max at 4i + 3. */
  readonly stats: Float64Array;
  /** Per distinct field, in `distinctFields` order. */
  readonly hlls: readonly HllRegisters[];
  /** Per quantile field, in `quantileFields` order. */
  readonly sketches: readonly QuantileSketch[];
}

/** An event reduced to what folding needs; -1 / NaN where the field is null. */
export interface PreparedEvent {
  readonly numbers: Float64Array;
  readonly hllPositions: Int32Array;
  readonly sketchBuckets: Int32Array;
}

export interface Folding {
  /** Fields with count, sum, min and max (those of sum, min, max and avg measures). */
  readonly numericFields: readonly string[];
  readonly distinctFields: readonly string[];
  readonly quantileFields: readonly string[];
  /** The record's dimension values, in the definition's order. */
  dimensionValues(record: CleanRecord): DimensionValue[];
  /** A string that is equal for two records exactly when their dimension values are. */
  keyOf(record: CleanRecord): string;
  empty(): WindowState;
  prepare(record: CleanRecord): PreparedEvent;
  fold(state: WindowState, event: PreparedEvent): void;
  /** Folds `from` into `into`; both of the same window and key. */
  merge(into: WindowState, from: WindowState): void;
  /** The value of every measure, by name; null where the measure has no value (min of no values). */
  measures(state: WindowState): Record<string, number | null>;
}

export function createFolding(definition: { readonly dimensions: readonly { readonly field: string }[]; readonly measures: readonly MeasureDef[] }): Folding {
  const dimensions = definition.dimensions.map((d) => d.field);
  const fieldsOf = (kinds: readonly MeasureDef['kind'][]) => [...new Set(definition.measures.flatMap((m) => (kinds.includes(m.kind) && 'field' in m ? [m.field] : [])))];
  const numericFields = fieldsOf(['sum', 'min', 'max', 'avg']);
  const distinctFields = fieldsOf(['distinct']);
  const quantileFields = fieldsOf(['quantile']);
  const readers = definition.measures.map((m) => measureReader(m, numericFields, distinctFields, quantileFields));

  function dimensionValues(record: CleanRecord): DimensionValue[] {
    return dimensions.map((field) => {
      const value = record[field];
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
    });
  }

  return {
    numericFields,
    distinctFields,
    quantileFields,
    dimensionValues,
    keyOf: (record) => JSON.stringify(dimensionValues(record)),
    empty() {
      const stats = new Float64Array(numericFields.length * 4);
      for (let i = 0; i < numericFields.length; i++) {
        stats[4 * i + 2] = Infinity;
        stats[4 * i + 3] = -Infinity;
      }
      return { count: 0, stats, hlls: distinctFields.map(createHll), sketches: quantileFields.map(createSketch) };
    },
    prepare(record) {
      const numbers = Float64Array.from(numericFields, (field) => numberOf(record[field]));
      const hllPositions = Int32Array.from(distinctFields, (field) => {
        const value = record[field];
        return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? hllPosition(value) : -1;
      });
      const sketchBuckets = Int32Array.from(quantileFields, (field) => sketchBucket(numberOf(record[field])));
      return { numbers, hllPositions, sketchBuckets };
    },
    fold(state, event) {
      state.count += 1;
      const { stats } = state;
      for (let i = 0; i < event.numbers.length; i++) {
        const value = event.numbers[i] as number;
        if (Number.isNaN(value)) continue;
        stats[4 * i]! += 1;
        stats[4 * i + 1]! += value;
        if (value < (stats[4 * i + 2] as number)) stats[4 * i + 2] = value;
        if (value > (stats[4 * i + 3] as number)) stats[4 * i + 3] = value;
      }
      for (let i = 0; i < event.hllPositions.length; i++) {
        const position = event.hllPositions[i] as number;
        if (position >= 0) hllAddPosition(state.hlls[i] as HllRegisters, position);
      }
      for (let i = 0; i < event.sketchBuckets.length; i++) sketchAddBucket(state.sketches[i] as QuantileSketch, event.sketchBuckets[i] as number);
    },
    merge(into, from) {
      into.count += from.count;
      const a = into.stats;
      const b = from.stats;
      for (let i = 0; i < a.length; i += 4) {
        a[i]! += b[i] as number;
        a[i + 1]! += b[i + 1] as number;
        a[i + 2] = Math.min(a[i + 2] as number, b[i + 2] as number);
        a[i + 3] = Math.max(a[i + 3] as number, b[i + 3] as number);
      }
      into.hlls.forEach((hll, i) => hllMerge(hll, from.hlls[i] as HllRegisters));
      into.sketches.forEach((sketch, i) => sketchMerge(sketch, from.sketches[i] as QuantileSketch));
    },
    measures(state) {
      const out: Record<string, number | null> = {};
      for (const [name, read] of readers) out[name] = read(state);
      return out;
    },
  };
}

/** A number to fold, or NaN for null (and anything that is not a number). */
function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function measureReader(m: MeasureDef, numeric: readonly string[], distinct: readonly string[], quantile: readonly string[]): [string, (s: WindowState) => number | null] {
  if (m.kind === 'count') return [m.name, (s) => s.count];
  if (m.kind === 'distinct') {
    const i = distinct.indexOf(m.field);
    return [m.name, (s) => hllEstimate(s.hlls[i] as HllRegisters)];
  }
  if (m.kind === 'quantile') {
    const i = quantile.indexOf(m.field);
    return [m.name, (s) => sketchQuantile(s.sketches[i] as QuantileSketch, m.q)];
  }
  const at = 4 * numeric.indexOf(m.field);
  const kind = m.kind;
  return [
    m.name,
    (s) => {
      const n = s.stats[at] as number;
      if (kind === 'sum') return s.stats[at + 1] as number;
      if (n === 0) return null;
      if (kind === 'avg') return (s.stats[at + 1] as number) / n;
      return s.stats[kind === 'min' ? at + 2 : at + 3] as number;
    },
  ];
}
