/**
 * Strict reading of one JSON object of a definition: every getter checks the type and reports a
 * problem at the value's JSON Pointer, and `finish()` reports every key nobody asked for, so that a
 * misspelt key ("feild") is an error instead of a silently ignored setting. `$comment` is allowed
 * in every object, for notes in a format that has no comments.
 */
import type { Report } from './pipeline-errors.ts';

export const COMMENT_KEY = '$comment';

/** Appends `key` to a JSON Pointer, escaped as RFC 6901 says. */
export function pointer(at: string, key: string | number): string {
  return `${at}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface StringOptions {
  readonly required?: boolean;
  /** What a valid value looks like, checked after the type. */
  readonly pattern?: RegExp;
  /** Said when `pattern` does not match. */
  readonly patternHint?: string;
}

interface NumberOptions {
  readonly required?: boolean;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export class ObjectReader {
  readonly at: string;
  /** What the object is, for messages: "a 'rename' transform". */
  readonly what: string;
  readonly #value: Record<string, unknown>;
  readonly #report: Report;
  readonly #read = new Set<string>([COMMENT_KEY]);

  private constructor(value: Record<string, unknown>, at: string, what: string, report: Report) {
    this.#value = value;
    this.at = at;
    this.what = what;
    this.#report = report;
  }

  /** A reader over `value`, or undefined (with a problem reported) when it is not an object. */
  static of(value: unknown, at: string, what: string, report: Report): ObjectReader | undefined {
    if (isJsonObject(value)) return new ObjectReader(value, at, what, report);
    report(at, `${what} must be an object, got ${describeJson(value)}`);
    return undefined;
  }

  report(key: string, message: string): void {
    this.#report(pointer(this.at, key), message);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#value, key);
  }

  /** The raw value (marked as read), for values whose type depends on others. */
  raw(key: string): unknown {
    this.#read.add(key);
    return this.has(key) ? this.#value[key] : undefined;
  }

  string(key: string, options: StringOptions = {}): string | undefined {
    const value = this.#take(key, options.required === true);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.#wrong(key, 'a string', value);
    if (options.pattern !== undefined && !options.pattern.test(value)) {
      this.report(key, `${JSON.stringify(value)} is not valid: ${options.patternHint ?? `it must match ${options.pattern.source}`}`);
      return undefined;
    }
    return value;
  }

  number(key: string, options: NumberOptions = {}): number | undefined {
    const value = this.#take(key, options.required === true);
    if (value === undefined) return undefined;
    if (typeof value !== 'number') return this.#wrong(key, options.integer === true ? 'an integer' : 'a number', value);
    if (options.integer === true && !Number.isSafeInteger(value)) return this.#wrong(key, 'an integer', value);
    if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      const bounds = [options.min === undefined ? '' : `at least ${options.min}`, options.max === undefined ? '' : `at most ${options.max}`];
      this.report(key, `must be ${bounds.filter((b) => b !== '').join(' and ')}, got ${value}`);
      return undefined;
    }
    return value;
  }

  /** One of a fixed set of strings; `fallback` when absent. */
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T | undefined {
    const value = this.#take(key, fallback === undefined);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.report(key, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeJson(value)}`);
    return undefined;
  }

  /** The items of an array with their pointers; absent is an empty list unless required. */
  array(key: string, required = false): { readonly value: unknown; readonly at: string }[] | undefined {
    const value = this.#take(key, required);
    if (value === undefined) return required ? undefined : [];
    if (!Array.isArray(value)) return this.#wrong(key, 'an array', value);
    const at = pointer(this.at, key);
    return value.map((item, i) => ({ value: item, at: pointer(at, i) }));
  }

  object(key: string, what: string, required = false): ObjectReader | undefined {
    const value = this.#take(key, required);
    return value === undefined ? undefined : ObjectReader.of(value, pointer(this.at, key), what, this.#report);
  }

  /** Reports every key that was not read, with the keys that would have been, and a bad $comment. */
  finish(): void {
    const comment = this.#value[COMMENT_KEY];
    if (comment !== undefined && typeof comment !== 'string') this.#wrong(COMMENT_KEY, 'a string', comment);
    const known = [...this.#read].filter((k) => k !== COMMENT_KEY);
    for (const key of Object.keys(this.#value)) {
      if (this.#read.has(key)) continue;
      const near = known.map((k) => ({ k, distance: editDistance(k, key) })).filter((c) => c.distance <= 2).sort((x, y) => x.distance - y.distance)[0]?.k;
      this.report(key, `unknown key${near === undefined ? '' : ` (did you mean "${near}"?)`}; ${this.what} takes ${known.map((k) => `"${k}"`).join(', ')}`);
    }
  }

  #take(key: string, required: boolean): unknown {
    this.#read.add(key);
    if (this.has(key)) return this.#value[key];
    if (required) this.#report(this.at, `${this.what} needs "${key}"`);
    return undefined;
  }

  #wrong(key: string, expected: string, value: unknown): undefined {
    this.report(key, `must be ${expected}, got ${describeJson(value)}`);
    return undefined;
  }
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
