/**
 * Event-time windows and the windows a timestamp falls in. A window is the half-open interval
 * [start, end) in epoch milliseconds. Tumbling and hopping windows are aligned to the Unix epoch
 * (a 1 h window starts on the hour, UTC), so that every instance, and a recomputation from the
 * input, cuts time the same way without sharing anything. Session windows depend on the events
 * of their key and live in session-windows.ts.
 */

export interface Window {
  /** Inclusive, epoch ms. */
  readonly start: number;
  /** Exclusive, epoch ms. */
  readonly end: number;
}

export type WindowSpec =
  | { readonly kind: 'tumbling'; readonly sizeMs: number }
  /** Windows of `sizeMs` starting every `advanceMs`; sizeMs is a multiple of advanceMs. */
  | { readonly kind: 'hopping'; readonly sizeMs: number; readonly advanceMs: number }
  /** A key's events closer than `gapMs` to each other share a window. */
  | { readonly kind: 'session'; readonly gapMs: number };

export const WINDOW_KINDS = ['tumbling', 'hopping', 'session'] as const satisfies readonly WindowSpec['kind'][];

/** The tumbling window of `sizeMs` holding `eventTimeMs`. */
export function tumblingWindow(eventTimeMs: number, sizeMs: number): Window {
  const start = Math.floor(eventTimeMs / sizeMs) * sizeMs;
  return { start, end: start + sizeMs };
}

/** Every hopping window holding `eventTimeMs`, earliest first: sizeMs / advanceMs of them. */
export function hoppingWindows(eventTimeMs: number, sizeMs: number, advanceMs: number): Window[] {
  const windows: Window[] = [];
  const last = Math.floor(eventTimeMs / advanceMs) * advanceMs;
  for (let start = last - sizeMs + advanceMs; start <= last; start += advanceMs) windows.push({ start, end: start + sizeMs });
  return windows;
}

/** The windows of a tumbling or hopping spec holding `eventTimeMs`. */
export function timeWindows(spec: Exclude<WindowSpec, { kind: 'session' }>, eventTimeMs: number): Window[] {
  return spec.kind === 'tumbling' ? [tumblingWindow(eventTimeMs, spec.sizeMs)] : hoppingWindows(eventTimeMs, spec.sizeMs, spec.advanceMs);
}

/** A stable name for table and column names: "tumbling_10s", "hopping_1h_5m", "session_30m". */
export function windowName(spec: WindowSpec): string {
  switch (spec.kind) {
    case 'tumbling':
      return `tumbling_${formatDuration(spec.sizeMs)}`;
    case 'hopping':
      return `hopping_${formatDuration(spec.sizeMs)}_${formatDuration(spec.advanceMs)}`;
    case 'session':
      return `session_${formatDuration(spec.gapMs)}`;
  }
}

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** In the largest unit that divides it: 90000 -> "90s", 3600000 -> "1h". */
export function formatDuration(ms: number): string {
  const [unit, size] = UNITS.find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}
