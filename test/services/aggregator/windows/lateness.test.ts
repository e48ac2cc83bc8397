import { describe, expect, it } from 'vitest';
import { eventLateness, isWindowClosed, lateAction, windowLateness } from '../../../../services/aggregator/windows/lateness.ts';

const W = { start: 60_000, end: 120_000 };
const GRACE = 10_000;

describe('lateness', () => {
  it('is on time while the watermark is before the window end', () => {
    expect(windowLateness(W, 119_999, GRACE)).toBe('on_time');
  });

  it('is late within grace from the window end until end + grace', () => {
    expect(windowLateness(W, 120_000, GRACE)).toBe('late_within_grace');
    expect(windowLateness(W, 129_999, GRACE)).toBe('late_within_grace');
    expect(isWindowClosed(W, 129_999, GRACE)).toBe(false);
  });

  it('is late after grace once the watermark reaches end + grace, when the window closes', () => {
    expect(windowLateness(W, 130_000, GRACE)).toBe('late_after_grace');
    expect(isWindowClosed(W, 130_000, GRACE)).toBe(true);
    expect(windowLateness(W, 120_000, 0)).toBe('late_after_grace');
  });

  it('takes the latest of an event\'s windows', () => {
    const minute = { start: 60_000, end: 120_000 };
    const hour = { start: 0, end: 3_600_000 };
    expect(eventLateness([hour, minute], 100_000, GRACE)).toBe('on_time');
    expect(eventLateness([hour, minute], 125_000, GRACE)).toBe('late_within_grace');
    expect(eventLateness([hour, minute], 130_000, GRACE)).toBe('late_after_grace');
    expect(eventLateness([], 130_000, GRACE)).toBe('on_time');
  });

  it('applies on-time and within-grace events, and dead-letters or corrects the others as the definition says', () => {
    expect(lateAction('on_time', 'dlq')).toBe('apply');
    expect(lateAction('late_within_grace', 'dlq')).toBe('apply');
    expect(lateAction('late_after_grace', 'dlq')).toBe('dead_letter');
    expect(lateAction('late_after_grace', 'correct')).toBe('correct');
  });
});
