/**
 * A clock that moves only when a test says so: timers fire, in due order, inside advance(). Lets
 * tests prove that nothing happens before a deadline without sleeping.
 */
import type { Clock, TimerHandle } from '../../sdk/src/clock.ts';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer that falls due on the way (also those set meanwhile). */
  advance(ms: number): void;
  /** Delays from now of the timers not fired yet, soonest first. */
  pending(): number[];
}

export function createManualClock(start = 1_767_225_600_000 /* 2026-01-01T00:00:00Z */): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Timer>();
  const handle = (id: number) => id as unknown as TimerHandle;
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { id, due: now + Math.max(0, ms), callback });
      return handle(id);
    },
    clearTimeout(timer) {
      timers.delete(timer as unknown as number);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const next = [...timers.values()].filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
        if (next === undefined) break;
        timers.delete(next.id);
        now = next.due;
        next.callback();
      }
      now = target;
    },
    pending: () => [...timers.values()].map((t) => t.due - now).sort((a, b) => a - b),
  };
}
