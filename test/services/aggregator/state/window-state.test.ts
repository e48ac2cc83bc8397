import { describe, expect, it } from 'vitest';
import type { MeasureDef } from '../../../../services/aggregator/definition/aggregate-definition.ts';
import { createHll, hllAdd, hllEstimate } from '../../../../services/aggregator/sketches/hll.ts';
import { createSketch, sketchAdd, sketchQuantile } from '../../../../services/aggregator/sketches/quantile-sketch.ts';
import { type CleanRecord, createFolding } from '../../../../services/aggregator/state/window-state.ts';
import { seededRandom } from '../../../harness/seeded-random.ts';

type Unlocated<T> = T extends unknown ? Omit<T, 'at'> : never;
const measure = (m: Unlocated<MeasureDef>) => ({ at: '', ...m }) as MeasureDef;

const folding = createFolding({
  dimensions: [{ field: 'service' }, { field: 'status' }],
  measures: [
    measure({ kind: 'count', name: 'requests' }),
    measure({ kind: 'sum', name: 'bytes', field: 'bytes' }),
    measure({ kind: 'avg', name: 'bytes_avg', field: 'bytes' }),
    measure({ kind: 'min', name: 'latency_min', field: 'latency' }),
    measure({ kind: 'max', name: 'latency_max', field: 'latency' }),
    measure({ kind: 'quantile', name: 'latency_p50', field: 'latency', q: 0.5 }),
    measure({ kind: 'quantile', name: 'latency_p99', field: 'latency', q: 0.99 }),
    measure({ kind: 'distinct', name: 'users', field: 'user' }),
  ],
});

/** n seeded records of one key; bytes is sometimes null. */
function records(n: number, seed: number): CleanRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => ({
    service: 'checkout',
    status: 200,
    bytes: random() < 0.1 ? null : Math.floor(random() * 10_000),
    latency: Math.exp(2 + random() * 3),
    user: `u${Math.floor(random() * 500)}`,
  }));
}

function foldAll(items: readonly CleanRecord[]) {
  const state = folding.empty();
  for (const record of items) folding.fold(state, folding.prepare(record));
  return state;
}

describe('window state', () => {
  it('keeps one stats block per numeric field, one HLL per distinct field, one sketch per quantile field', () => {
    expect([folding.numericFields, folding.distinctFields, folding.quantileFields]).toEqual([['bytes', 'latency'], ['user'], ['latency']]);
    const state = folding.empty();
    expect([state.stats.length, state.hlls.length, state.sketches.length]).toEqual([8, 1, 1]);
  });

  it('computes every measure as the definition says, nulls skipped by all but count', () => {
    const items = records(5_000, 1);
    const m = folding.measures(foldAll(items));
    const bytes = items.map((r) => r['bytes']).filter((b): b is number => b !== null);
    const latencies = items.map((r) => r['latency'] as number);
    const hll = createHll();
    const sketch = createSketch();
    for (const r of items) {
      hllAdd(hll, r['user'] as string);
      sketchAdd(sketch, r['latency'] as number);
    }
    expect(m).toEqual({
      requests: 5_000,
      bytes: bytes.reduce((a, b) => a + b, 0),
      bytes_avg: bytes.reduce((a, b) => a + b, 0) / bytes.length,
      latency_min: Math.min(...latencies),
      latency_max: Math.max(...latencies),
      latency_p50: sketchQuantile(sketch, 0.5),
      latency_p99: sketchQuantile(sketch, 0.99),
      users: hllEstimate(hll),
    });
    expect(Math.abs((m['users'] as number) - 500)).toBeLessThanOrEqual(10); // 500 users drawn; HLL within 2 %
  });

  it('merges states of parts into exactly the state of the whole', () => {
    const items = records(3_000, 2);
    const whole = foldAll(items);
    const merged = folding.empty();
    for (const part of [items.slice(0, 1_000), items.slice(1_000, 1_001), items.slice(1_001)].toReversed()) folding.merge(merged, foldAll(part));
    expect(merged.count).toBe(whole.count);
    expect(merged.hlls).toEqual(whole.hlls);
    expect(merged.sketches).toEqual(whole.sketches);
    // Integer sums, counts, mins and maxes are exact; only the float sum (latency, not a measure here) may round differently.
    expect([0, 2, 3, 6, 7].map((i) => merged.stats[i])).toEqual([0, 2, 3, 6, 7].map((i) => whole.stats[i]));
    expect(merged.stats[1]).toBe(whole.stats[1]);
    expect(folding.measures(merged)).toEqual(folding.measures(whole));
  });

  it('gives null for min, max, avg and quantiles of no values, 0 for their sum and count', () => {
    const state = folding.empty();
    folding.fold(state, folding.prepare({ service: 'x', status: 500, bytes: null, latency: null, user: null }));
    expect(folding.measures(state)).toEqual({ requests: 1, bytes: 0, bytes_avg: null, latency_min: null, latency_max: null, latency_p50: null, latency_p99: null, users: 0 });
  });

  it('skips NaN as it skips null', () => {
    const state = folding.empty();
    folding.fold(state, folding.prepare({ bytes: Number.NaN, latency: Number.NaN }));
    expect(folding.measures(state)).toMatchObject({ requests: 1, bytes: 0, latency_max: null, latency_p50: null });
  });

  it('prepares an event once for all its windows', () => {
    const event = folding.prepare(records(1, 3)[0] as CleanRecord);
    const minute = folding.empty();
    const hour = folding.empty();
    folding.fold(minute, event);
    folding.fold(hour, event);
    expect(minute).toEqual(hour);
  });

  it('keys records by their dimension values, null included, and nothing else', () => {
    const a = { service: 'checkout', status: 200, bytes: 1 };
    expect(folding.dimensionValues(a)).toEqual(['checkout', 200]);
    expect(folding.keyOf(a)).toBe(folding.keyOf({ ...a, bytes: 2 }));
    expect(folding.keyOf(a)).not.toBe(folding.keyOf({ ...a, status: '200' }));
    expect(folding.dimensionValues({ service: null })).toEqual([null, null]);
  });
});
