/**
 * Checks each rule against the reader schema's fields and compiles it into a check of one record.
 * Rules run on the record as decoded (reader shape), before any transform. A null value passes
 * every rule but `required`, so that "optional, but valid when given" needs no extra syntax.
 */
import type { RuleDef, Scalar } from './definition.ts';
import { describeShape, type FieldShape, NUMERIC_KINDS, type PipelineField } from './field-shape.ts';
import { pointer } from './json-reader.ts';
import type { Report } from './pipeline-errors.ts';
import { failure, type PipelineRecord, type ProcessFailure } from './process-result.ts';
import { compileSafeRegex } from './safe-regex.ts';

export interface RuleCheck {
  readonly field: string;
  readonly check: (record: PipelineRecord, now: number) => ProcessFailure | undefined;
}

export function compileRules(rules: readonly RuleDef[], fields: readonly PipelineField[], report: Report): RuleCheck[] {
  const byName = new Map(fields.map((f) => [f.name, f.shape]));
  const checks: RuleCheck[] = [];
  for (const rule of rules) {
    const shape = byName.get(rule.field);
    if (shape === undefined) {
      // A clock_skew rule may leave "field" out, for event_time: then the rule itself is the place.
      const defaulted = rule.rule === 'clock_skew' && rule.field === 'event_time';
      const known = fields.map((f) => f.name).join(', ');
      report(defaulted ? rule.at : pointer(rule.at, 'field'), `the reader schema has no field "${rule.field}"${defaulted ? ' (the field a clock_skew rule checks unless told)' : ''}; its fields are ${known}`);
      continue;
    }
    const check = compileRule(rule, shape, report);
    if (check !== undefined) checks.push({ field: rule.field, check });
  }
  return checks;
}

function compileRule(rule: RuleDef, shape: FieldShape, report: Report): RuleCheck['check'] | undefined {
  const { field } = rule;
  const wrongType = (expected: string) => {
    report(pointer(rule.at, 'field'), `a ${rule.rule} rule needs ${expected}, but "${field}" is ${describeShape(shape)}`);
    return undefined;
  };
  switch (rule.rule) {
    case 'required':
      if (!shape.nullable) return wrongType('a nullable field (the others are never null)');
      return (record) => (record[field] === null ? failure('required', field, `${field} is null`) : undefined);
    case 'range':
      if (!NUMERIC_KINDS.includes(shape.kind)) return wrongType('a number field (int, long, float or double)');
      return rangeCheck(field, rule.min, rule.max);
    case 'pattern': {
      if (shape.kind !== 'string') return wrongType('a string field');
      const compiled = compileSafeRegex(rule.regex);
      if ('problem' in compiled) {
        report(pointer(rule.at, 'regex'), `the regex ${compiled.problem}`);
        return undefined;
      }
      return patternCheck(field, compiled.regex, rule.maxLength);
    }
    case 'allowed':
      return allowedCheck(rule, shape, report);
    case 'clock_skew':
      if (shape.kind !== 'long' || shape.nullable) return wrongType('a long field of epoch milliseconds (timestamp-millis)');
      return skewCheck(field, rule.maxPastMs, rule.maxFutureMs);
  }
}

function rangeCheck(field: string, min: number | undefined, max: number | undefined): RuleCheck['check'] {
  const bounds = `${min ?? '-inf'}..${max ?? '+inf'}`;
  return (record) => {
    const value = record[field];
    if (value === null) return undefined;
    // NaN compares false both ways, so it is checked on its own.
    if (typeof value !== 'number' || Number.isNaN(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
      return failure('out_of_range', field, `${field} is ${String(value)}, outside ${bounds}`);
    }
    return undefined;
  };
}

function patternCheck(field: string, regex: RegExp, maxLength: number): RuleCheck['check'] {
  return (record) => {
    const value = record[field];
    if (value === null) return undefined;
    if (typeof value !== 'string') return failure('pattern_mismatch', field, `${field} is not a string`);
    if (value.length > maxLength) return failure('too_long', field, `${field} is ${value.length} characters long, over the ${maxLength} its pattern rule allows`);
    return regex.test(value) ? undefined : failure('pattern_mismatch', field, `${field} does not match /${regex.source}/`);
  };
}

function allowedCheck(rule: RuleDef & { rule: 'allowed' }, shape: FieldShape, report: Report): RuleCheck['check'] | undefined {
  const { field, values, except } = rule;
  const key = except ? 'except' : 'values';
  const fits = allowedFit(shape);
  if (fits === undefined) {
    report(pointer(rule.at, 'field'), `an allowed rule needs a string, enum, int, long or boolean field, but "${field}" is ${describeShape(shape)}`);
    return undefined;
  }
  let ok = true;
  values.forEach((value, i) => {
    const problem = fits(value);
    if (problem !== undefined) {
      report(pointer(pointer(rule.at, key), i), problem);
      ok = false;
    }
  });
  if (!ok) return undefined;
  const set = new Set<Scalar>(values);
  const shown = values.length <= 10 ? values.map((v) => JSON.stringify(v)).join(', ') : `${values.length} values`;
  // Enum symbols, numbers and booleans are safe to quote; free strings are not (see process-result.ts).
  const quote = (value: unknown) => (shape.kind === 'string' ? 'its value' : JSON.stringify(value));
  return (record) => {
    const value = record[field];
    if (value === null || set.has(value as Scalar) !== except) return undefined;
    const message = except ? `${field} is ${quote(value)}, one of the refused ${shown}` : `${field} is ${quote(value)}, not one of ${shown}`;
    return failure('not_allowed', field, message);
  };
}

/** Checks an allowed value against the field's type; undefined when the type takes no allowed rule. */
function allowedFit(shape: FieldShape): ((value: Scalar) => string | undefined) | undefined {
  switch (shape.kind) {
    case 'string':
      return (v) => (typeof v === 'string' ? undefined : `${JSON.stringify(v)} is not a string`);
    case 'enum':
      return (v) => (typeof v === 'string' && shape.symbols?.includes(v) === true ? undefined : `${JSON.stringify(v)} is not a symbol of ${describeShape(shape)} (${shape.symbols?.join(', ')})`);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? undefined : `${JSON.stringify(v)} is not a boolean`);
    case 'int':
    case 'long':
      return (v) => (shape.type.isValid(v) ? undefined : `${JSON.stringify(v)} is not ${shape.kind === 'int' ? 'an int' : 'a long'}`);
    default:
      return undefined;
  }
}

function skewCheck(field: string, maxPastMs: number | undefined, maxFutureMs: number | undefined): RuleCheck['check'] {
  return (record, now) => {
    const value = record[field] as number;
    if (maxPastMs !== undefined && now - value > maxPastMs) {
      return failure('event_time_too_old', field, `${field} is ${now - value} ms before processing time, over the ${maxPastMs} ms allowed`);
    }
    if (maxFutureMs !== undefined && value - now > maxFutureMs) {
      return failure('event_time_in_future', field, `${field} is ${value - now} ms after processing time, over the ${maxFutureMs} ms allowed`);
    }
    return undefined;
  };
}
