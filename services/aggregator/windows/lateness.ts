/**
 * Whether an event is late, and what to do about it. A window [start, end) is complete once the
 * watermark reaches its end (no more events are expected for it), and closed once the watermark
 * reaches end + grace: its result is final and its state can go. Between the two, events still
 * fold in and the window's result updates.
 */
import type { Window } from './window.ts';

export type Lateness = 'on_time' | 'late_within_grace' | 'late_after_grace';

/** What a definition does with events whose window has closed (its "lateEvents"). */
export type LatePolicy = 'dlq' | 'correct';

/**
 * apply: fold into the event's windows as usual. dead_letter: fold into none of them and send the
 * event to the dead-letter topic with reason `late`. correct: fold into every window anyway, the
 * closed ones as corrections of results already written.
 */
export type LateAction = 'apply' | 'dead_letter' | 'correct';

export function isWindowClosed(window: Window, watermarkMs: number, graceMs: number): boolean {
  return watermarkMs >= window.end + graceMs;
}

/** How late an event is for one window it falls in. */
export function windowLateness(window: Window, watermarkMs: number, graceMs: number): Lateness {
  if (watermarkMs < window.end) return 'on_time';
  return isWindowClosed(window, watermarkMs, graceMs) ? 'late_after_grace' : 'late_within_grace';
}

/** How late an event is over all the windows it falls in: the latest of them. */
export function eventLateness(windows: readonly Window[], watermarkMs: number, graceMs: number): Lateness {
  let worst: Lateness = 'on_time';
  for (const window of windows) {
    const lateness = windowLateness(window, watermarkMs, graceMs);
    if (lateness === 'late_after_grace') return lateness;
    if (lateness === 'late_within_grace') worst = lateness;
  }
  return worst;
}

/**
 * The action for an event. With "dlq", an event with any closed window is dead-lettered whole,
 * not folded into its still-open windows: a replay of the dead letter must be able to fold it
 * everywhere without counting it twice anywhere.
 */
export function lateAction(lateness: Lateness, policy: LatePolicy): LateAction {
  if (lateness !== 'late_after_grace') return 'apply';
  return policy === 'dlq' ? 'dead_letter' : 'correct';
}
