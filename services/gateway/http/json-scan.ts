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
  readonly pointer: string;
  keys?: Set<string>;
  index: number;
  key: string | undefined;
  /** Items of this container are the batch's events. */
  readonly batch: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reads the string starting at text[start] === '"'; returns its decoded value and the index after it. */
function readString(text: string, start: number): [string, number] {
  let i = start + 1;
  let simple = true;
  while (text.charCodeAt(i) !== QUOTE) {
    if (text.charCodeAt(i) === BACKSLASH) {
      simple = false;
      i += 2;
    } else i++;
  }
  const raw = text.slice(start, i + 1);
  return [simple ? raw.slice(1, -1) : (JSON.parse(raw) as string), i + 1];
}

export function scanJson(text: string): ScanResult {
  const events: [number, number][] = [];
  const duplicateKeys: string[] = [];
  const stack: Frame[] = [];
  let eventStart = -1;

  const childPointer = (frame: Frame): string =>
    frame.kind === 'array' ? `${frame.pointer}/${frame.index}` : `${frame.pointer}/${escapePointer(frame.key ?? '')}`;

  /** Called at the first character of every value. */
  const valueStarts = (at: number): void => {
    const parent = stack.at(-1);
    if (parent?.batch) eventStart = at;
  };
  /** Called just after the last character of every value. */
  const valueEnds = (end: number): void => {
    const parent = stack.at(-1);
    if (parent?.batch) events.push([eventStart, end]);
  };

  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    switch (c) {
      case ' ':
      case '\t':
      case '\n':
      case '\r':
      case ':':
        i++;
        break;
      case ',': {
        const top = stack.at(-1);
        if (top?.kind === 'array') top.index++;
        i++;
        break;
      }
      case '{':
      case '[': {
        valueStarts(i);
        const parent = stack.at(-1);
        const pointer = parent === undefined ? '' : childPointer(parent);
        const batch =
          c === '[' && (parent === undefined || (parent.kind === 'object' && stack.length === 1 && parent.key === 'events'));
        stack.push({ kind: c === '{' ? 'object' : 'array', pointer, index: 0, key: undefined, batch, ...(c === '{' ? { keys: new Set<string>() } : {}) });
        i++;
        break;
      }
      case '}':
      case ']':
        stack.pop();
        i++;
        valueEnds(i);
        break;
      case '"': {
        const top = stack.at(-1);
        const [value, next] = readString(text, i);
        // In an object, a string right after '{' or ',' is a key.
        let j = next;
        while (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r') j++;
        if (top?.kind === 'object' && text[j] === ':') {
          if (top.keys!.has(value)) duplicateKeys.push(`${top.pointer}/${escapePointer(value)}`);
          top.keys!.add(value);
          top.key = value;
        } else {
          valueStarts(i);
          valueEnds(next);
        }
        i = next;
        break;
      }
      default: {
        // A number, true, false or null: runs until a delimiter.
        valueStarts(i);
        let j = i + 1;
        while (j < text.length && !',]} \t\n\r'.includes(text[j]!)) j++;
        valueEnds(j);
        i = j;
      }
    }
  }
  return { events, duplicateKeys };
}
