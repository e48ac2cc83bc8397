import { describe, expect, it } from 'vitest';
import { createHll, HLL_PRECISION, HLL_REGISTERS, hllAdd, hllAddPosition, hllEstimate, hllMerge, hllPosition } from '../../../../services/aggregator/sketches/hll.ts';
import { seededRandom } from '../../../harness/seeded-random.ts';

/** A sketch of n distinct ids, numbers from..from+n-1 behind a prefix drawn from the seed. */
function sketchOfIds(n: number, seed: number, from = 0) {
  const prefix = Math.floor(seededRandom(seed)() * 2 ** 32).toString(36);
  const hll = createHll();
  for (let i = from; i < from + n; i++) hllAdd(hll, `${prefix}-${i}`);
  return hll;
}

describe('HyperLogLog', () => {
  it.each([
    [1_000, 11],
    [100_000, 12],
    [1_000_000, 13],
  ])('estimates %i distinct values within 2 percent (seed %i)', (n, seed) => {
    const estimate = hllEstimate(sketchOfIds(n, seed));
    const error = Math.abs(estimate - n) / n;
    console.info(`HLL p=${HLL_PRECISION}: ${n} distinct -> ${estimate} (error ${(error * 100).toFixed(3)} %)`);
    expect(error).toBeLessThanOrEqual(0.02);
  });

  it('stays within 2 percent at every cardinality from 1 to 200k, with no small-range correction to switch to', () => {
    const hll = createHll();
    const misses: string[] = [];
    let added = 0;
    for (const target of [1, 2, 10, 100, 500, 5_000, 12_000, 20_000, 40_000, 60_000, 80_000, 120_000, 200_000]) {
      while (added < target) hllAdd(hll, `id-${added++}`);
      const estimate = hllEstimate(hll);
      if (Math.abs(estimate - target) > 0.02 * target) misses.push(`${target} -> ${estimate}`);
    }
    expect(misses).toEqual([]);
  });

  it('counts a value once however often it is added', () => {
    const hll = createHll();
    for (let round = 0; round < 5; round++) for (let i = 0; i < 1000; i++) hllAdd(hll, i);
    expect(hll).toEqual(sketchOfNumbers(1000));
  });

  it('merges parts into exactly the sketch of the whole, in any order and with overlap', () => {
    const whole = sketchOfIds(50_000, 3);
    const parts = [sketchOfIds(20_000, 3), sketchOfIds(25_000, 3, 15_000), sketchOfIds(10_000, 3, 40_000)];
    const forward = createHll();
    for (const part of parts) hllMerge(forward, part);
    const backward = createHll();
    for (const part of parts.toReversed()) hllMerge(backward, part);
    hllMerge(backward, parts[0] as Uint8Array);
    expect(forward).toEqual(whole);
    expect(backward).toEqual(whole);
  });

  it('places a value by its text (7 and "7" alike), and a position computed once applies like the value', () => {
    expect(hllPosition(7)).toBe(hllPosition('7'));
    expect(hllPosition(true)).toBe(hllPosition('true'));
    const a = createHll();
    hllAddPosition(a, hllPosition('x'));
    const b = createHll();
    hllAdd(b, 'x');
    expect(a).toEqual(b);
  });

  it('estimates 0 for an empty sketch and keeps 2^14 one-byte registers', () => {
    expect(hllEstimate(createHll())).toBe(0);
    expect(HLL_REGISTERS).toBe(16_384);
    expect(createHll()).toBeInstanceOf(Uint8Array);
  });
});

function sketchOfNumbers(n: number) {
  const hll = createHll();
  for (let i = 0; i < n; i++) hllAdd(hll, i);
  return hll;
}
