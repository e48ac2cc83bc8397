import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_TIMEOUT_MS, Watermarks } from '../../../../services/aggregator/windows/watermarks.ts';

/** Watermarks on a wall clock the test moves, with `feed` to deliver records as [partition, event time]. */
function watermarks(allowedOutOfOrdernessMs = 1_000, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS) {
  const clock = { now: 0 };
  const w = new Watermarks({ allowedOutOfOrdernessMs, idleTimeoutMs, now: () => clock.now });
  const feed = (...records: [partition: number, eventTimeMs: number][]) => {
    for (const [partition, eventTimeMs] of records) w.observe(partition, eventTimeMs);
    return w.current();
  };
  return { clock, w, feed };
}

describe('watermarks', () => {
  it('are the highest event time seen minus the allowed out-of-orderness, per partition', () => {
    const { w, feed } = watermarks(1_000);
    expect(feed([0, 10_000], [0, 7_000])).toBe(9_000);
    expect(w.partitionWatermark(0)).toBe(9_000);
  });

  it('are held back by the slowest partition', () => {
    const { feed } = watermarks(0);
    expect(feed([0, 50_000], [1, 20_000])).toBe(20_000);
    expect(feed([1, 60_000])).toBe(50_000);
  });

  it('are unknown until every assigned partition delivered a record', () => {
    const { w, feed } = watermarks(0);
    w.assign(0);
    w.assign(1);
    expect(feed([0, 50_000])).toBe(-Infinity);
  });

  it('stop waiting for a partition idle for the idle timeout, by the wall clock', () => {
    const { clock, w, feed } = watermarks(0, 30_000);
    w.assign(1);
    feed([0, 50_000]);
    clock.now = 29_999;
    expect(feed([0, 51_000])).toBe(-Infinity);
    clock.now = 30_000;
    expect(w.isIdle(1)).toBe(true);
    expect(w.current()).toBe(51_000);
  });

  it('take the highest partition when all are idle, so quiet topics still close windows', () => {
    const { clock, feed } = watermarks(0, 10_000);
    expect(feed([0, 50_000], [1, 20_000])).toBe(20_000);
    clock.now = 10_000;
    expect(feed()).toBe(50_000);
  });

  it('never go back, not even when an idle partition wakes up behind', () => {
    const { clock, w, feed } = watermarks(0, 10_000);
    feed([0, 50_000], [1, 20_000]);
    clock.now = 10_000;
    expect(feed([0, 60_000])).toBe(60_000);
    expect(feed([1, 25_000])).toBe(60_000);
    expect(w.isIdle(1)).toBe(false);
  });

  it('start a restored partition from the event time it had reached, and forget revoked ones', () => {
    const { w, feed } = watermarks(1_000);
    w.assign(3, 40_000);
    expect(feed([4, 90_000])).toBe(39_000);
    w.revoke(3);
    expect(w.current()).toBe(89_000);
    expect(w.partitionWatermark(3)).toBe(-Infinity);
  });

  it('refuse settings that make no sense, saying which and how', () => {
    expect(() => new Watermarks({ allowedOutOfOrdernessMs: -1, idleTimeoutMs: 1, now: Date.now })).toThrow('allowedOutOfOrdernessMs must be an integer >= 0 (ms), got -1');
    expect(() => new Watermarks({ allowedOutOfOrdernessMs: 0, idleTimeoutMs: 0, now: Date.now })).toThrow('idleTimeoutMs must be an integer > 0 (ms), got 0; the default is 30000');
  });
});
