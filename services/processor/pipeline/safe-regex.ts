/**
 * Compiles a pattern rule's regex, refusing what can make V8's backtracking matcher run for
 * seconds on one value, since a pattern runs on every event of a partition and one slow match
 * stalls it:
 * - a group repeated without bound (`*`, `+`, `{n,}`) that itself holds a repetition or an
 *   alternation, such as `(a+)+` or `(a|ab)*`: both can match one input in exponentially many ways;
 * - backreferences (`\1`, `\k<name>`), which no linear-time technique covers.
 * Repetitions in sequence (`\d+\.\d+`) stay polynomial, and the rule bounds the input length.
 * Patterns compile with the `u` flag: strict syntax, and code points rather than UTF-16 halves.
 */
export type RegexCompilation = { readonly regex: RegExp } | { readonly problem: string };

interface GroupFrame {
  /** Something inside repeats (a quantifier allowing more than one match). */
  repeats: boolean;
  /** Something inside alternates (`|`). */
  alternates: boolean;
}

export function compileSafeRegex(source: string): RegexCompilation {
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'u');
  } catch (error) {
    return { problem: `does not compile: ${(error as Error).message}` };
  }
  const problem = backtrackingProblem(source);
  return problem === undefined ? { regex } : { problem };
}

function backtrackingProblem(source: string): string | undefined {
  const stack: GroupFrame[] = [{ repeats: false, alternates: false }];
  // What a quantifier right here would repeat: a closed group, a single atom, or nothing.
  let previous: GroupFrame | 'atom' | undefined;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const top = stack[stack.length - 1] as GroupFrame;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return `uses a backreference (\\${next}...), which can take exponential time; match without it`;
      i += escapeLength(source, i);
      previous = 'atom';
    } else if (c === '[') {
      i = classEnd(source, i);
      previous = 'atom';
    } else if (c === '(') {
      stack.push({ repeats: false, alternates: false });
      i += groupPrefixLength(source, i);
      previous = undefined;
    } else if (c === ')') {
      const closed = stack.pop() as GroupFrame;
      const parent = stack[stack.length - 1] as GroupFrame;
      parent.repeats ||= closed.repeats;
      parent.alternates ||= closed.alternates;
      i++;
      previous = closed;
    } else if (c === '|') {
      top.alternates = true;
      i++;
      previous = undefined;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      const q = quantifier(source, i);
      if (q.unbounded && previous !== undefined && previous !== 'atom' && (previous.repeats || previous.alternates)) {
        const inside = previous.repeats ? 'a repetition' : 'an alternation';
        return `repeats a group without bound (${source.slice(0, q.end)}) that holds ${inside} itself, which can take exponential time; use a character class, or repeat a bounded number of times ({0,8})`;
      }
      if (q.repeats) top.repeats = true;
      i = q.end;
      previous = undefined;
    } else {
      i++;
      previous = 'atom';
    }
  }
  return undefined;
}

function escapeLength(source: string, at: number): number {
  const next = source[at + 1];
  if ((next === 'u' || next === 'p' || next === 'P') && source[at + 2] === '{') return source.indexOf('}', at) - at + 1;
  if (next === 'u') return 6;
  if (next === 'x') return 4;
  if (next === 'c') return 3;
  return 2;
}

/** The index after the class that starts at `at`. */
function classEnd(source: string, at: number): number {
  let i = at + 1;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}

function groupPrefixLength(source: string, at: number): number {
  if (source[at + 1] !== '?') return 1;
  if (source.startsWith('(?<', at) && source[at + 3] !== '=' && source[at + 3] !== '!') return source.indexOf('>', at) - at + 1;
  return source[at + 2] === '<' ? 4 : 3;
}

function quantifier(source: string, at: number): { repeats: boolean; unbounded: boolean; end: number } {
  const c = source[at];
  let end = at + 1;
  let repeats = c !== '?';
  let unbounded = c === '*' || c === '+';
  if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at)) as RegExpExecArray; // the u flag made `{` a quantifier here
    end = at + match[0].length;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
    repeats = max > 1;
    unbounded = max === Infinity;
  }
  if (source[end] === '?') end++; // lazy: the same search space
  return { repeats, unbounded, end };
}
