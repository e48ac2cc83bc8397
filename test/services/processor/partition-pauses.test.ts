import { afterEach, describe, expect, it, vi } from 'vitest';
import { PartitionPauses } from '../../../services/processor/partition-pauses.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('PartitionPauses', () => {
  it('pauses a partition and resumes it after a backoff that doubles per failure up to the ceiling', () => {
    vi.useFakeTimers();
    const counts: number[] = [];
    const pauses = new PartitionPauses({ initialMs: 100, maxMs: 1_000, random: () => 1, onChange: (n) => counts.push(n) });
    const resumed: string[] = [];
    const delays = [1, 2, 3, 4, 5].map(() => pauses.pause('t:0', () => () => resumed.push('t:0')));
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
    expect(pauses.paused).toBe(1); // each pause replaces the previous timer
    vi.advanceTimersByTime(999);
    expect(resumed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(resumed).toEqual(['t:0']);
    expect(pauses.paused).toBe(0);
    expect(counts.at(-1)).toBe(0);

    pauses.succeeded('t:0');
    expect(pauses.pause('t:0', () => () => undefined)).toBe(100);
  });

  it('jitters the delay between half and all of the backoff, and keeps partitions apart', () => {
    vi.useFakeTimers();
    const pauses = new PartitionPauses({ initialMs: 1_000, random: () => 0 });
    expect(pauses.pause('a:0', () => () => undefined)).toBe(500);
    expect(pauses.pause('a:1', () => () => undefined)).toBe(500);
    expect(pauses.paused).toBe(2);
  });

  it('clears every timer on stop, so nothing resumes a stopped consumer', () => {
    vi.useFakeTimers();
    const pauses = new PartitionPauses();
    let resumed = 0;
    pauses.pause('a:0', () => () => resumed++);
    pauses.stop();
    vi.advanceTimersByTime(60_000);
    expect(resumed).toBe(0);
    expect(pauses.paused).toBe(0);
  });
});
