import { describe, expect, it } from 'vitest';
import { eventsDue, WAVE_PERIOD_MS } from '../../../services/demo/rate-schedule.ts';

describe('eventsDue', () => {
  it('averages exactly the target rate over whole periods', () => {
    expect(eventsDue(WAVE_PERIOD_MS, 50)).toBe(50 * (WAVE_PERIOD_MS / 1000));
    expect(eventsDue(3 * WAVE_PERIOD_MS, 7)).toBe(7 * 3 * (WAVE_PERIOD_MS / 1000));
  });

  it('never decreases, and swells then ebbs by about a quarter', () => {
    let last = 0;
    const perSecond: number[] = [];
    for (let ms = 0; ms <= WAVE_PERIOD_MS; ms += 1000) {
      const due = eventsDue(ms, 100);
      expect(due).toBeGreaterThanOrEqual(last);
      perSecond.push(due - last);
      last = due;
    }
    expect(Math.max(...perSecond.slice(1))).toBeGreaterThanOrEqual(123);
    expect(Math.min(...perSecond.slice(1))).toBeLessThanOrEqual(77);
  });

  it('is 0 before the start', () => {
    expect(eventsDue(0, 100)).toBe(0);
    expect(eventsDue(-5, 100)).toBe(0);
  });
});
