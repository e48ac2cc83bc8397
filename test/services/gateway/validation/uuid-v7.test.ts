import { describe, expect, it } from 'vitest';
import { COUNTER_LIMIT, createUuidV7Generator, nextUuidV7State, uuidV7 } from '../../../../services/gateway/validation/uuid-v7.ts';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const timeOf = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
const counterOf = (id: string): bigint => {
  const hex = id.replaceAll('-', '');
  const randA = BigInt(`0x${hex.slice(13, 16)}`); // 12 bits after the version nibble
  const randB30 = BigInt(`0x${hex.slice(16, 24)}`) & 0x3fff_ffffn; // 30 bits after the variant
  return (randA << 30n) | randB30;
};

describe('uuidV7', () => {
  it('has the RFC 9562 layout: version 7, variant 10, the time in the first 48 bits', () => {
    const now = Date.UTC(2026, 10, 24, 10, 0, 0, 123);
    const id = createUuidV7Generator()(now);
    expect(id).toMatch(FORMAT);
    expect(timeOf(id)).toBe(now);
    expect(uuidV7()).toMatch(FORMAT);
  });

  it('encodes the largest 48-bit time and refuses times it cannot encode', () => {
    const next = createUuidV7Generator();
    expect(timeOf(next(2 ** 48 - 1))).toBe(2 ** 48 - 1);
    for (const bad of [-1, 2 ** 48, 1.5, Number.NaN]) expect(() => createUuidV7Generator()(bad)).toThrow(RangeError);
  });

  it('sorts in creation order within one millisecond, and across a clock going back', () => {
    const next = createUuidV7Generator();
    const ids = [...Array.from({ length: 5000 }, () => next(1000)), next(999), next(1001), next(1001)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(timeOf(ids[5000] ?? '')).toBe(1000); // the clock went back: the last time is kept
  });

  it('increments the counter by one within a millisecond and reseeds it with the top bit clear', () => {
    const next = createUuidV7Generator();
    const a = next(5);
    const b = next(5);
    expect(counterOf(b) - counterOf(a)).toBe(1n);
    for (let ms = 10; ms < 200; ms++) expect(counterOf(next(ms)) < 2n ** 41n).toBe(true);
  });

  it('advances the time when the counter runs out, and never goes back', () => {
    const seed = () => 7;
    expect(nextUuidV7State({ ms: 50, counter: COUNTER_LIMIT - 2 }, 50, seed)).toEqual({ ms: 50, counter: COUNTER_LIMIT - 1 });
    expect(nextUuidV7State({ ms: 50, counter: COUNTER_LIMIT - 1 }, 50, seed)).toEqual({ ms: 51, counter: 7 });
    expect(nextUuidV7State({ ms: 51, counter: 7 }, 50, seed)).toEqual({ ms: 51, counter: 8 });
    expect(nextUuidV7State({ ms: 51, counter: 8 }, 52, seed)).toEqual({ ms: 52, counter: 7 });
  });

  it('uses the random source for the seed and the last 32 bits', () => {
    const zeros = createUuidV7Generator((bytes) => bytes.fill(0));
    expect(zeros(0)).toBe('00000000-0000-7000-8000-000000000000');
    const ones = createUuidV7Generator((bytes) => bytes.fill(0xff));
    // Counter seed 2^41 - 1: its top bit clear, then 41 ones.
    expect(ones(0)).toBe('00000000-0000-77ff-bfff-ffffffffffff');
  });
});
