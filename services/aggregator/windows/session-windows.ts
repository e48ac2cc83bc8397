/**
 * Session windows of one key (one combination of dimension values). An event at t on its own is
 * the session [t, t + gap); a session's end is its last event plus the gap. An event joins every
 * session it comes within `gap` of, so one event can bridge two sessions into one. The caller
 * keeps each key's open sessions, and rewrites its state from the answer: the states of `merged`
 * fold into the state of `window`, and `merged` are forgotten.
 */
import type { Window } from './window.ts';

export interface SessionAssignment {
  /** The session the event belongs to now. */
  readonly window: Window;
  /** Earlier sessions that `window` replaces (empty when the event fell inside one without changing it). */
  readonly merged: readonly Window[];
  /** The key's sessions after the event, in time order. */
  readonly sessions: readonly Window[];
}

/** Assigns an event to the sessions of its key; `sessions` are disjoint, in any order. */
export function assignSession(sessions: readonly Window[], eventTimeMs: number, gapMs: number): SessionAssignment {
  const touched: Window[] = [];
  const kept: Window[] = [];
  for (const session of sessions) {
    // [t, t + gap) overlaps the session: the event is less than a gap from one of its events.
    if (eventTimeMs < session.end && eventTimeMs + gapMs > session.start) touched.push(session);
    else kept.push(session);
  }
  let start = eventTimeMs;
  let end = eventTimeMs + gapMs;
  for (const session of touched) {
    start = Math.min(start, session.start);
    end = Math.max(end, session.end);
  }
  const unchanged = touched.length === 1 && touched[0]?.start === start && touched[0].end === end;
  const window = unchanged ? (touched[0] as Window) : { start, end };
  kept.push(window);
  kept.sort((a, b) => a.start - b.start);
  return { window, merged: unchanged ? [] : touched, sessions: kept };
}
