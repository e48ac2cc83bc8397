import { describe, expect, it } from 'vitest';
import { formatDuration, hoppingWindows, timeWindows, tumblingWindow, windowName } from '../../../../services/aggregator/windows/window.ts';

const T = Date.UTC(2026, 0, 15, 12, 34, 56, 789);
const MINUTE = 60_000;
const HOUR = 3_600_000;

describe('tumbling windows', () => {
  it('are aligned to the epoch: a minute window starts on the minute, an hour window on the hour', () => {
    expect(tumblingWindow(T, MINUTE)).toEqual({ start: Date.UTC(2026, 0, 15, 12, 34), end: Date.UTC(2026, 0, 15, 12, 35) });
    expect(tumblingWindow(T, HOUR)).toEqual({ start: Date.UTC(2026, 0, 15, 12), end: Date.UTC(2026, 0, 15, 13) });
  });

  it('hold their start and not their end', () => {
    const start = Date.UTC(2026, 0, 15, 12, 34);
    expect(tumblingWindow(start, MINUTE).start).toBe(start);
    expect(tumblingWindow(start - 1, MINUTE).end).toBe(start);
  });

  it('cut times before 1970 the same way', () => {
    expect(tumblingWindow(-1, 10_000)).toEqual({ start: -10_000, end: 0 });
  });
});

describe('hopping windows', () => {
  it('are every window of the size, starting on a multiple of the advance, that holds the time', () => {
    const windows = hoppingWindows(T, HOUR, 15 * MINUTE);
    expect(windows).toEqual([
      { start: Date.UTC(2026, 0, 15, 11, 45), end: Date.UTC(2026, 0, 15, 12, 45) },
      { start: Date.UTC(2026, 0, 15, 12, 0), end: Date.UTC(2026, 0, 15, 13, 0) },
      { start: Date.UTC(2026, 0, 15, 12, 15), end: Date.UTC(2026, 0, 15, 13, 15) },
      { start: Date.UTC(2026, 0, 15, 12, 30), end: Date.UTC(2026, 0, 15, 13, 30) },
    ]);
    for (const w of windows) expect(w.start <= T && T < w.end).toBe(true);
  });

  it('put a time on an advance boundary in size / advance windows, starting with the one it opens last', () => {
    const boundary = Date.UTC(2026, 0, 15, 12, 30);
    const windows = hoppingWindows(boundary, 10 * MINUTE, 5 * MINUTE);
    expect(windows).toEqual([
      { start: boundary - 5 * MINUTE, end: boundary + 5 * MINUTE },
      { start: boundary, end: boundary + 10 * MINUTE },
    ]);
  });

  it('agree with tumbling windows through timeWindows', () => {
    expect(timeWindows({ kind: 'tumbling', sizeMs: MINUTE }, T)).toEqual([tumblingWindow(T, MINUTE)]);
    expect(timeWindows({ kind: 'hopping', sizeMs: MINUTE, advanceMs: 30_000 }, T)).toEqual(hoppingWindows(T, MINUTE, 30_000));
  });
});

describe('window names', () => {
  it('use the largest unit that divides the duration', () => {
    expect(windowName({ kind: 'tumbling', sizeMs: 10_000 })).toBe('tumbling_10s');
    expect(windowName({ kind: 'tumbling', sizeMs: 90_000 })).toBe('tumbling_90s');
    expect(windowName({ kind: 'hopping', sizeMs: HOUR, advanceMs: 5 * MINUTE })).toBe('hopping_1h_5m');
    expect(windowName({ kind: 'session', gapMs: 30 * MINUTE })).toBe('session_30m');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1_500)).toBe('1500ms');
  });
});
