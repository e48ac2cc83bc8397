/**
 * The shape every compiled check shares. A check turns one sent JSON value into the value avsc
 * encodes, or returns INVALID after pushing its errors with paths relative to that value ("" is
 * the value itself). Containers prefix their segment to their children's errors, so paths are
 * only built for errors, never on the success path.
 */
import type { FieldError, FieldErrorReason } from './field-error.ts';

export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

/** State of one validation: the errors so far and the limits that bound them. */
export interface Run {
  readonly errors: FieldError[];
  readonly maxErrors: number;
  readonly maxDepth: number;
  /** Set when checking stopped at maxErrors with values left unchecked. */
  truncated: boolean;
}

/** `depth` counts containers: the event object is 1, its maps, arrays and nested records 2, ... */
export type Check = (value: unknown, run: Run, depth: number) => unknown;

/** The JSON kinds a value can have; unions pick their branch by it. */
export type JsonKind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'other';

export interface Compiled {
  readonly check: Check;
  /** Kinds the branch takes as they are (a number for a long). */
  readonly native: readonly JsonKind[];
  /** Kinds it converts (a digit string for a long, an ISO string for a timestamp); unions try these last. */
  readonly lenient: readonly JsonKind[];
  /** How messages name the type: "string", "long", "timestamp-millis", "DeviceType". */
  readonly label: string;
}

export interface Limits {
  /** Longest string or map key, in UTF-8 bytes. */
  readonly maxStringBytes: number;
}

export function fail(run: Run, reason: FieldErrorReason, message: string): Invalid {
  run.errors.push({ path: '', reason, message });
  return INVALID;
}

/** Puts `segment` (an escaped pointer segment) in front of the paths of errors pushed since `start`. */
export function prefixPaths(run: Run, start: number, segment: string): void {
  const errors = run.errors;
  for (let i = start; i < errors.length; i++) {
    const error = errors[i];
    if (error !== undefined) error.path = segment + error.path;
  }
}

export function jsonKind(value: unknown): JsonKind {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'object': {
      if (Array.isArray(value)) return 'array';
      const proto: unknown = Object.getPrototypeOf(value);
      return proto === Object.prototype || proto === null ? 'object' : 'other';
    }
    default:
      return 'other';
  }
}

/**
 * Checks a string's size and Unicode; pushes an error and returns false when it fails. Size is in
 * UTF-8 bytes (what Avro writes), computed only when the character count cannot decide it.
 */
export function checkStringLimits(text: string, run: Run, limits: Limits, what: string): boolean {
  const max = limits.maxStringBytes;
  if (text.length > max || (text.length * 3 > max && Buffer.byteLength(text) > max)) {
    fail(run, 'too_long', `expected ${what} of at most ${max} bytes (UTF-8), got ${Buffer.byteLength(text)} bytes`);
    return false;
  }
  // A lone surrogate would be written as U+FFFD: a silent change of what was sent.
  if (!text.isWellFormed()) {
    fail(run, 'invalid_format', `expected ${what} of valid Unicode, got one with an unpaired surrogate`);
    return false;
  }
  return true;
}
