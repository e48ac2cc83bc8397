/**
 * Reads the `windows` array of an aggregate definition. Sizes, advances and gaps are whole seconds
 * in milliseconds, at most a day: a window's state lives at least as long as the window, and
 * sub-second windows are a query, not an aggregate. A hopping window is a whole number of
 * advances long, so that every event falls in the same number of windows.
 */
import type { ObjectReader } from '../../processor/pipeline/json-reader.ts';
import type { Report } from '../../processor/pipeline/pipeline-errors.ts';
import { WINDOW_KINDS, windowName } from '../windows/window.ts';
import { type ListOptions, readKind } from './parse-list.ts';
import { MAX_HOPS, MAX_WINDOW_MS, MAX_WINDOW_SPECS, WINDOW_UNIT_MS, type WindowDef } from './aggregate-definition.ts';

/** How `parseList` reads the "windows" array. */
export const WINDOW_LIST: ListOptions<WindowDef> = {
  what: 'window',
  max: MAX_WINDOW_SPECS,
  parse: parseWindow,
  nameOf: windowName,
  duplicate: (window, first) => [window.at, `the same window (${windowName(window)}) as at ${first}`],
};

function parseWindow(value: unknown, at: string, report: Report): WindowDef | undefined {
  const read = readKind(value, at, 'window', WINDOW_KINDS, report);
  if (read === undefined) return undefined;
  const { kind, r } = read;
  switch (kind) {
    case 'tumbling': {
      const sizeMs = duration(r, 'sizeMs');
      r.finish();
      return sizeMs === undefined ? undefined : { at, kind, sizeMs };
    }
    case 'hopping': {
      const sizeMs = duration(r, 'sizeMs');
      const advanceMs = duration(r, 'advanceMs');
      r.finish();
      if (sizeMs === undefined || advanceMs === undefined) return undefined;
      if (advanceMs >= sizeMs) {
        r.report('advanceMs', `must be smaller than sizeMs (${sizeMs}); a window that advances by its size is {"kind": "tumbling", "sizeMs": ${sizeMs}}`);
        return undefined;
      }
      if (sizeMs % advanceMs !== 0) {
        r.report('sizeMs', `must be a multiple of advanceMs (${advanceMs}), so that every event falls in the same number of windows; ${sizeMs} is not`);
        return undefined;
      }
      if (sizeMs / advanceMs > MAX_HOPS) {
        r.report('advanceMs', `puts every event in ${sizeMs / advanceMs} windows (sizeMs / advanceMs); at most ${MAX_HOPS} are allowed: advance by ${sizeMs / MAX_HOPS} or more`);
        return undefined;
      }
      return { at, kind, sizeMs, advanceMs };
    }
    case 'session': {
      const gapMs = duration(r, 'gapMs');
      r.finish();
      return gapMs === undefined ? undefined : { at, kind, gapMs };
    }
  }
}

/** A required whole number of seconds in milliseconds, between 1 s and a day. */
function duration(r: ObjectReader, key: string): number | undefined {
  const ms = r.number(key, { required: true, integer: true, min: WINDOW_UNIT_MS, max: MAX_WINDOW_MS });
  if (ms !== undefined && ms % WINDOW_UNIT_MS !== 0) {
    r.report(key, `must be a whole number of seconds in milliseconds (a multiple of ${WINDOW_UNIT_MS}), got ${ms}`);
    return undefined;
  }
  return ms;
}
