import { describe, expect, it } from 'vitest';
import { lagOffsets, lagSeconds, positionOf } from '../../../services/lag-exporter/lag-arithmetic.ts';

const offsets = { low: 100n, high: 250n };

describe('lag arithmetic', () => {
  it('counts from the committed offset to the end', () => {
    expect(positionOf(200n, offsets)).toBe(200n);
    expect(lagOffsets(200n, offsets)).toBe(50);
  });

  it('counts from the earliest offset when nothing is committed', () => {
    expect(positionOf(undefined, offsets)).toBe(100n);
    expect(lagOffsets(positionOf(undefined, offsets), offsets)).toBe(150);
  });

  it('counts from the earliest offset when the committed one was deleted by retention', () => {
    expect(positionOf(40n, offsets)).toBe(100n);
  });

  it('is 0 when caught up, and never negative when a commit is ahead of a stale end offset', () => {
    expect(lagOffsets(250n, offsets)).toBe(0);
    expect(lagOffsets(260n, offsets)).toBe(0);
  });

  it('gives the age of the oldest unconsumed record in seconds', () => {
    expect(lagSeconds(5, 1_000_000, 1_012_500)).toBe(12.5);
  });

  it('gives 0 seconds when caught up or when nothing is readable yet', () => {
    expect(lagSeconds(0, 1_000_000, 1_012_500)).toBe(0);
    expect(lagSeconds(3, undefined, 1_012_500)).toBe(0);
  });

  it('clamps a broker clock ahead of the exporter at 0', () => {
    expect(lagSeconds(3, 2_000, 1_000)).toBe(0);
  });
});
