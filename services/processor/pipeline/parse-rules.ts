/**
 * Reads the `rules` array of a definition: each item's shape and value types only. Whether its
 * field exists and has a fitting type is checked against the reader schema in compile-rules.ts.
 */
import type { RuleDef, Scalar } from './definition.ts';
import { describeJson, ObjectReader } from './json-reader.ts';
import type { Report } from './pipeline-errors.ts';

export const RULE_KINDS = ['required', 'range', 'pattern', 'allowed', 'clock_skew'] as const;

export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const FIELD_NAME_HINT = 'Avro field names start with a letter or _ and hold only letters, digits and _';

/** Longest regex source: long patterns are where backtracking hides, and nobody reviews them. */
export const MAX_REGEX_LENGTH = 512;
/** Default and ceiling of the input length a pattern is run on, in UTF-16 code units. */
export const DEFAULT_PATTERN_MAX_LENGTH = 1024;
export const PATTERN_MAX_LENGTH_CEILING = 65_536;
export const MAX_ALLOWED_VALUES = 10_000;

export function parseRules(items: readonly { value: unknown; at: string }[], report: Report): RuleDef[] {
  const rules: RuleDef[] = [];
  for (const item of items) {
    const rule = parseRule(item.value, item.at, report);
    if (rule !== undefined) rules.push(rule);
  }
  return rules;
}

function parseRule(value: unknown, at: string, report: Report): RuleDef | undefined {
  const kindReader = ObjectReader.of(value, at, 'a rule', report);
  if (kindReader === undefined) return undefined;
  const kind = kindReader.oneOf('rule', RULE_KINDS);
  if (kind === undefined) return undefined;
  const r = ObjectReader.of(value, at, `a '${kind}' rule`, report);
  if (r === undefined) return undefined;
  r.raw('rule');
  const field = r.string('field', { required: kind !== 'clock_skew', pattern: FIELD_NAME, patternHint: FIELD_NAME_HINT });
  const rule = parseKind(kind, r, field, at, report);
  r.finish();
  return rule;
}

function parseKind(kind: (typeof RULE_KINDS)[number], r: ObjectReader, field: string | undefined, at: string, report: Report): RuleDef | undefined {
  switch (kind) {
    case 'required':
      return field === undefined ? undefined : { at, rule: kind, field };
    case 'range': {
      const min = r.number('min');
      const max = r.number('max');
      const unreadable = (r.has('min') && min === undefined) || (r.has('max') && max === undefined);
      if (!r.has('min') && !r.has('max')) r.report('min', 'a range rule needs "min", "max" or both');
      const crossed = min !== undefined && max !== undefined && min > max;
      if (crossed) r.report('max', `max ${max} is below min ${min}`);
      if (field === undefined || unreadable || crossed || (min === undefined && max === undefined)) return undefined;
      return { at, rule: kind, field, min, max };
    }
    case 'pattern': {
      const regex = r.string('regex', { required: true });
      const maxLength = r.number('maxLength', { integer: true, min: 1, max: PATTERN_MAX_LENGTH_CEILING });
      const tooLong = regex !== undefined && regex.length > MAX_REGEX_LENGTH;
      if (tooLong) r.report('regex', `is ${regex.length} characters long; at most ${MAX_REGEX_LENGTH} are allowed`);
      if (field === undefined || regex === undefined || tooLong || (r.has('maxLength') && maxLength === undefined)) return undefined;
      return { at, rule: kind, field, regex, maxLength: maxLength ?? DEFAULT_PATTERN_MAX_LENGTH };
    }
    case 'allowed': {
      const values = scalars(r, 'values', report);
      const except = scalars(r, 'except', report);
      if (r.has('values') === r.has('except')) {
        report(at, 'an allowed rule needs exactly one of "values" (the allowed ones) and "except" (the refused ones)');
        return undefined;
      }
      const list = values ?? except;
      if (field === undefined || list === undefined) return undefined;
      return { at, rule: kind, field, values: list, except: except !== undefined };
    }
    case 'clock_skew': {
      const maxPastMs = r.number('maxPastMs', { integer: true, min: 0 });
      const maxFutureMs = r.number('maxFutureMs', { integer: true, min: 0 });
      const unreadable = (r.has('maxPastMs') && maxPastMs === undefined) || (r.has('maxFutureMs') && maxFutureMs === undefined);
      if (!r.has('maxPastMs') && !r.has('maxFutureMs')) report(at, 'a clock_skew rule needs "maxPastMs", "maxFutureMs" or both');
      if (unreadable || (maxPastMs === undefined && maxFutureMs === undefined) || (r.has('field') && field === undefined)) return undefined;
      return { at, rule: kind, field: field ?? 'event_time', maxPastMs, maxFutureMs };
    }
  }
}

/** A non-empty array of distinct strings, numbers or booleans. */
function scalars(r: ObjectReader, key: string, report: Report): Scalar[] | undefined {
  if (!r.has(key)) {
    r.raw(key);
    return undefined;
  }
  const items = r.array(key);
  if (items === undefined) return undefined;
  if (items.length === 0) {
    r.report(key, 'must list at least one value');
    return undefined;
  }
  if (items.length > MAX_ALLOWED_VALUES) {
    r.report(key, `lists ${items.length} values; at most ${MAX_ALLOWED_VALUES} are allowed (use a lookup table for more)`);
    return undefined;
  }
  const out: Scalar[] = [];
  let ok = true;
  for (const item of items) {
    const v = item.value;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      report(item.at, `must be a string, number or boolean, got ${describeJson(v)}`);
      ok = false;
    } else if (out.includes(v)) {
      report(item.at, `${JSON.stringify(v)} is listed twice`);
      ok = false;
    } else {
      out.push(v);
    }
  }
  return ok ? out : undefined;
}
