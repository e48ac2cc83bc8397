/**
 * One pass over a JSON text that JSON.parse already accepted, for what JSON.parse does not tell:
 * where each event of the batch starts and ends (to enforce the per-event size limit and to name
 * the event of a problem), and which objects repeat a key (JSON.parse silently keeps the last).
 * Iterative, so deep nesting cannot overflow the stack.
 */

export interface ScanResult {
  /** Spans [start, end) in UTF-16 units of the batch's events: the top-level array's items, or those of `{"events": [...]}`. */
  readonly events: readonly (readonly [number, number])[];
  /** JSON Pointers of repeated keys, e.g. `/3/url` (relative to the document). */
  readonly duplicateKeys: readonly string[];
}

interface Frame {
  readonly kind: 'object' | 'array';
  /** Where this container sits, to build its JSON Pointer only when a duplicate needs it. */
  readonly parent: Frame | undefined;
  readonly at: string | number | undefined;
  readonly keys: Set<string> | undefined;
  index: number;
  key: string | undefined;
  /** In an object: the next string is a key (after '{' or ','). */
  expectKey: boolean;
  /** Items of this container are the batch's events. */
  readonly batch: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The index just after the string that starts at text[start] === '"'. Jumps from quote to quote. */
function skipString(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function isDelimiter(code: number): boolean {
  return code === COMMA || code === CLOSE_BRACKET || code === CLOSE_BRACE || code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

export function scanJson(text: string): ScanResult {
  const events: [number, number][] = [];
  const duplicateKeys: string[] = [];
  const stack: Frame[] = [];
  let top: Frame | undefined;
  let eventStart = -1;

  const pointerOf = (frame: Frame | undefined): string => {
    const parts: string[] = [];
    for (let f = frame; f?.parent !== undefined; f = f.parent) parts.push(typeof f.at === 'number' ? String(f.at) : escapePointer(f.at ?? ''));
    return parts.reverse().map((p) => `/${p}`).join('');
  };

  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = skipString(text, i);
      if (top !== undefined && top.expectKey) {
        const raw = text.slice(i + 1, end - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
        if (top.keys!.has(key)) duplicateKeys.push(`${pointerOf(top)}/${escapePointer(key)}`);
        top.keys!.add(key);
        top.key = key;
        top.expectKey = false;
      } else if (top?.batch) {
        events.push([i, end]);
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (top?.batch) eventStart = i;
      const at = top === undefined ? undefined : top.kind === 'array' ? top.index : top.key;
      const isObject = c === OPEN_BRACE;
      // The batch: the top-level array, or the array under the top-level "events" key.
      const batch = !isObject && (top === undefined || (top.kind === 'object' && stack.length === 1 && top.key === 'events'));
      top = { kind: isObject ? 'object' : 'array', parent: top, at, keys: isObject ? new Set<string>() : undefined, index: 0, key: undefined, expectKey: isObject, batch };
      stack.push(top);
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      top = stack.at(-1);
      i++;
      if (top?.batch) events.push([eventStart, i]);
    } else if (c === COMMA) {
      if (top?.kind === 'array') top.index++;
      else if (top !== undefined) top.expectKey = true;
      i++;
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a) {
      i++;
    } else {
      // A number, true, false or null: runs until a delimiter.
      let j = i + 1;
      while (j < text.length && !isDelimiter(text.charCodeAt(j))) j++;
      if (top?.batch) events.push([i, j]);
      i = j;
    }
  }
  return { events, duplicateKeys };
}
