import { describe, expect, it } from 'vitest';
import { assignSession } from '../../../../services/aggregator/windows/session-windows.ts';
import type { Window } from '../../../../services/aggregator/windows/window.ts';

const GAP = 30_000;

/** Feeds event times to one key's sessions, as the aggregator would. */
function sessionsOf(times: readonly number[]): readonly Window[] {
  let sessions: readonly Window[] = [];
  for (const t of times) sessions = assignSession(sessions, t, GAP).sessions;
  return sessions;
}

describe('session windows', () => {
  it('open a session of one gap for an event alone', () => {
    expect(assignSession([], 1_000, GAP)).toEqual({ window: { start: 1_000, end: 31_000 }, merged: [], sessions: [{ start: 1_000, end: 31_000 }] });
  });

  it('extend a session with an event less than a gap after its last one', () => {
    const result = assignSession([{ start: 1_000, end: 31_000 }], 20_000, GAP);
    expect(result).toEqual({ window: { start: 1_000, end: 50_000 }, merged: [{ start: 1_000, end: 31_000 }], sessions: [{ start: 1_000, end: 50_000 }] });
  });

  it('leave a session unchanged, and say so, for an event inside it', () => {
    const session = { start: 1_000, end: 50_000 };
    const result = assignSession([session], 5_000, GAP);
    expect(result.window).toBe(session);
    expect(result.merged).toEqual([]);
  });

  it('extend a session backwards with an out-of-order event less than a gap before it', () => {
    expect(assignSession([{ start: 40_000, end: 70_000 }], 15_000, GAP).window).toEqual({ start: 15_000, end: 70_000 });
  });

  it('start a new session exactly one gap after the last event', () => {
    expect(sessionsOf([1_000, 31_000])).toEqual([
      { start: 1_000, end: 31_000 },
      { start: 31_000, end: 61_000 },
    ]);
  });

  it('merge two sessions that a late event bridges, and return both so their states can be merged', () => {
    const sessions = [
      { start: 0, end: 30_000 },
      { start: 50_000, end: 80_000 },
      { start: 200_000, end: 230_000 },
    ];
    const result = assignSession(sessions, 25_000, GAP);
    expect(result.window).toEqual({ start: 0, end: 80_000 });
    expect(result.merged).toEqual([sessions[0], sessions[1]]);
    expect(result.sessions).toEqual([{ start: 0, end: 80_000 }, sessions[2]]);
  });

  it('end in the same sessions whatever the arrival order', () => {
    const times = [0, 10_000, 35_000, 100_000, 125_000, 300_000, 329_999];
    const expected = [
      { start: 0, end: 65_000 },
      { start: 100_000, end: 155_000 },
      { start: 300_000, end: 359_999 },
    ];
    expect(sessionsOf(times)).toEqual(expected);
    expect(sessionsOf(times.toReversed())).toEqual(expected);
    expect(sessionsOf([125_000, 0, 329_999, 35_000, 300_000, 10_000, 100_000])).toEqual(expected);
  });
});
