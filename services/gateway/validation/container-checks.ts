/**
 * Checks for records, arrays, maps and unions. Each reports every bad child (up to the run's
 * error cap), not just the first, and builds fresh output objects: the sent objects are never
 * returned or mutated, and no sent key is ever assigned to an object with a prototype (so a
 * `__proto__` key cannot reach one).
 */
import { type Check, checkStringLimits, type Compiled, fail, INVALID, jsonKind, type JsonKind, type Limits, prefixPaths, type Run } from './check.ts';
import { describeValue, isPlainObject, pointerSegment, quote } from './field-error.ts';

/** Keys longer than this are not put into error paths; the error points at their container instead. */
const MAX_PATH_KEY_CHARS = 256;

export interface FieldSpec {
  readonly name: string;
  readonly compiled: Compiled;
  /** A fresh default value per call, or undefined when the field is required. */
  readonly makeDefault: (() => unknown) | undefined;
}

function tooDeep(run: Run): typeof INVALID {
  return fail(run, 'too_deep', `expected at most ${run.maxDepth} levels of nesting, got deeper`);
}

/** Prefixes the errors since `start` with `key`, or names the key in their messages when it is too long for a path. */
function underKey(run: Run, start: number, key: string): void {
  if (key.length <= MAX_PATH_KEY_CHARS) return prefixPaths(run, start, pointerSegment(key));
  for (let i = start; i < run.errors.length; i++) {
    const error = run.errors[i];
    if (error !== undefined) error.message = `under key ${quote(key)}: ${error.message}`;
  }
}

/** `fields` may be filled after this returns, which is how a record refers to itself. */
export function recordCheck(name: string, fields: readonly FieldSpec[]): Check {
  let names: ReadonlySet<string> | undefined;
  return (value, run, depth) => {
    if (!isPlainObject(value)) return fail(run, 'wrong_type', `expected an object (record ${name}), got ${describeValue(value)}`);
    if (depth > run.maxDepth) return tooDeep(run);
    const out: Record<string, unknown> = {};
    let ok = true;
    let present = 0;
    for (const field of fields) {
      if (run.errors.length >= run.maxErrors) {
        run.truncated = true;
        return INVALID;
      }
      // Own properties only: a field named like an Object.prototype member must not read the inherited one.
      const sent = Object.hasOwn(value, field.name) ? value[field.name] : undefined;
      if (sent !== undefined) present++;
      if (sent === undefined) {
        if (field.makeDefault !== undefined) {
          out[field.name] = field.makeDefault();
        } else {
          ok = false;
          run.errors.push({ path: pointerSegment(field.name), reason: 'missing_field', message: `missing required field ${field.name} (${field.compiled.label})` });
        }
        continue;
      }
      const start = run.errors.length;
      const result = field.compiled.check(sent, run, depth + 1);
      if (result === INVALID) {
        ok = false;
        prefixPaths(run, start, pointerSegment(field.name));
      } else {
        out[field.name] = result;
      }
    }
    const keys = Object.keys(value);
    if (keys.length !== present) {
      names ??= new Set(fields.map((f) => f.name));
      for (const key of keys) {
        if (names.has(key) || value[key] === undefined) continue;
        if (run.errors.length >= run.maxErrors) {
          run.truncated = true;
          return INVALID;
        }
        ok = false;
        const start = run.errors.length;
        fail(run, 'unknown_field', `expected only the fields of ${name}, got unknown field ${quote(key)}`);
        underKey(run, start, key);
      }
    }
    return ok ? out : INVALID;
  };
}

export function arrayCheck(items: Compiled): Check {
  return (value, run, depth) => {
    if (!Array.isArray(value)) return fail(run, 'wrong_type', `expected an array of ${items.label}, got ${describeValue(value)}`);
    if (depth > run.maxDepth) return tooDeep(run);
    const out = new Array<unknown>(value.length);
    let ok = true;
    for (let i = 0; i < value.length; i++) {
      if (run.errors.length >= run.maxErrors) {
        run.truncated = true;
        return INVALID;
      }
      const start = run.errors.length;
      const result = items.check(value[i], run, depth + 1);
      if (result === INVALID) {
        ok = false;
        prefixPaths(run, start, pointerSegment(i));
      } else {
        out[i] = result;
      }
    }
    return ok ? out : INVALID;
  };
}

/**
 * Map keys are strings like any other (size and Unicode checked). `__proto__` is refused: avsc
 * decodes a map by assigning each key to a plain object, so a consumer would silently lose it.
 */
export function mapCheck(values: Compiled, limits: Limits): Check {
  return (value, run, depth) => {
    if (!isPlainObject(value)) return fail(run, 'wrong_type', `expected an object (map of ${values.label}), got ${describeValue(value)}`);
    if (depth > run.maxDepth) return tooDeep(run);
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const key of Object.keys(value)) {
      if (run.errors.length >= run.maxErrors) {
        run.truncated = true;
        return INVALID;
      }
      const sent = value[key];
      if (sent === undefined) continue;
      const start = run.errors.length;
      let result: unknown = INVALID;
      if (key === '__proto__') {
        fail(run, 'invalid_format', 'expected map keys other than "__proto__", which JavaScript readers cannot keep');
      } else if (checkStringLimits(key, run, limits, 'a map key')) {
        result = values.check(sent, run, depth + 1);
      }
      if (result === INVALID) {
        ok = false;
        underKey(run, start, key);
      } else {
        out[key] = result;
      }
    }
    return ok ? out : INVALID;
  };
}

export interface Branch {
  readonly compiled: Compiled;
  /** For avsc's wrapped unions, the key the value goes under; undefined for null and unwrapped unions. */
  readonly wrapAs: string | undefined;
}

const KINDS: readonly JsonKind[] = ['null', 'boolean', 'number', 'string', 'array', 'object', 'other'];

/**
 * Unions take the plain JSON value (no {"string": ...} wrapper). The branch is the first one
 * that accepts the value as it is, then the first one that accepts it by conversion: "123" in a
 * ["null", "long", "string"] union stays the string "123", while in ["null", "long"] it becomes the long 123.
 */
export function unionCheck(branches: readonly Branch[]): Check {
  const labels = branches.map((b) => b.compiled.label);
  const expected = labels.length === 2 ? `${labels[0]} or ${labels[1]}` : `one of ${labels.join(', ')}`;
  const byKind = new Map<JsonKind, Branch[]>();
  for (const kind of KINDS) {
    byKind.set(kind, [
      ...branches.filter((b) => b.compiled.native.includes(kind)),
      ...branches.filter((b) => !b.compiled.native.includes(kind) && b.compiled.lenient.includes(kind)),
    ]);
  }
  const wrap = (branch: Branch, result: unknown): unknown =>
    branch.wrapAs === undefined || result === INVALID || result === null ? result : { [branch.wrapAs]: result };

  return (value, run, depth) => {
    const candidates = byKind.get(jsonKind(value)) ?? [];
    const only = candidates.length === 1 ? candidates[0] : undefined;
    // With one candidate its own errors are the most precise answer (e.g. a nested record's missing field).
    if (only !== undefined) return wrap(only, only.compiled.check(value, run, depth));
    if (candidates.length === 0) return fail(run, 'wrong_type', `expected ${expected}, got ${describeValue(value)}`);
    const start = run.errors.length;
    const truncated = run.truncated;
    const reasons: string[] = [];
    for (const branch of candidates) {
      const result = branch.compiled.check(value, run, depth);
      if (result !== INVALID) {
        run.errors.length = start;
        run.truncated = truncated;
        return wrap(branch, result);
      }
      reasons.push(`as ${branch.compiled.label}: ${run.errors[start]?.message ?? 'invalid'}`);
      run.errors.length = start;
      run.truncated = truncated;
    }
    return fail(run, 'wrong_type', `expected ${expected}, got ${describeValue(value)} that fits none (${reasons.join('; ')})`);
  };
}
