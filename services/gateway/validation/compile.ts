/**
 * Compiles an event schema (a parsed .avsc record) once into a validator that checks a sent JSON
 * event and returns the value avsc encodes (`Type.forSchema(schema).toBuffer(value)`), or every
 * error with its JSON Pointer. The schema is walked here only; per event, each field runs a
 * closure made for it.
 *
 * Plain JSON conventions, not Avro's JSON encoding: a union takes the bare value, an absent field
 * (or one sent as undefined by JS callers) takes the schema default, an unknown field is an
 * error. The schema is walked beside the avsc Type parsed from it, so that names, defaults and
 * union wrapping are exactly avsc's, while logicalType (which avsc's default types drop) is read
 * from the JSON.
 *
 * Input is JSON data as JSON.parse makes it (objects of own data properties, arrays, strings,
 * numbers, booleans, null). Other JS values (Dates, Buffers, class instances, bigint) are refused
 * as wrong_type; accessor properties and Proxies are not expected and are read as they come.
 */
import avro from 'avsc';
import { type Compiled, INVALID, type Limits, type Run } from './check.ts';
import { arrayCheck, type Branch, type FieldSpec, mapCheck, recordCheck, unionCheck } from './container-checks.ts';
import type { FieldError } from './field-error.ts';
import { compileLogical } from './logical-checks.ts';
import { compileEnum, compileFixed, compilePrimitive } from './primitive-checks.ts';

export interface EventValidatorOptions {
  /** Longest string, base64 value or map key, in UTF-8 bytes. Default 8 KiB. */
  readonly maxStringBytes?: number;
  /** Deepest nesting of objects and arrays, the event itself being 1. Default 32. */
  readonly maxDepth?: number;
  /** Most errors reported for one event; checking stops there. Default 20. */
  readonly maxErrors?: number;
  /**
   * The avsc Type the caller encodes with, parsed from the same schema without `logicalTypes`;
   * its union wrapping decides the output's shape. Default: `Type.forSchema(schema)`.
   */
  readonly avroType?: avro.Type;
}

export const DEFAULT_VALIDATOR_LIMITS = Object.freeze({
  maxStringBytes: 8192, // 8 KiB
  maxDepth: 32, // levels
  maxErrors: 20, // errors per event
});

/** Upper bounds of the options: checks recurse once per level, so depth must stay far from the stack's limit. */
const OPTION_MAXIMUMS = Object.freeze({ maxStringBytes: 1_048_576 /* 1 MiB */, maxDepth: 1000, maxErrors: 1000 });

export type ValidationResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  /** `truncated`: checking stopped at maxErrors; the event may have more errors than listed. */
  | { readonly ok: false; readonly errors: FieldError[]; readonly truncated: boolean };

export type EventValidator = (fields: unknown) => ValidationResult;

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const COMPLEX = new Set(['record', 'error', 'enum', 'fixed', 'array', 'map']);

export function compileEventValidator(schema: object, options: EventValidatorOptions = {}): EventValidator {
  const maxStringBytes = positiveInteger(options, 'maxStringBytes');
  const maxDepth = positiveInteger(options, 'maxDepth');
  const maxErrors = positiveInteger(options, 'maxErrors');
  let type: avro.Type;
  try {
    type = options.avroType ?? avro.Type.forSchema(schema as avro.Schema);
  } catch (error) {
    throw new Error(`cannot compile a validator for an invalid Avro schema: ${(error as Error).message}`, { cause: error });
  }
  if (type.typeName !== 'record') throw new Error(`an event schema must be a record, got ${type.typeName}`);
  const top = compileType(schema, type, { limits: { maxStringBytes }, named: new Map() }, '');

  return (fields) => {
    const run: Run = { errors: [], maxErrors, maxDepth, truncated: false };
    const value = top.check(fields, run, 1);
    if (value !== INVALID) return { ok: true, value: value as Record<string, unknown> };
    return { ok: false, errors: run.errors.slice(0, maxErrors), truncated: run.truncated || run.errors.length > maxErrors };
  };
}

function positiveInteger(options: EventValidatorOptions, name: keyof typeof DEFAULT_VALIDATOR_LIMITS): number {
  const value = options[name] ?? DEFAULT_VALIDATOR_LIMITS[name];
  const max = OPTION_MAXIMUMS[name];
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`validator option ${name} must be an integer from 1 to ${max} (default ${DEFAULT_VALIDATOR_LIMITS[name]}), got ${String(value)}`);
  }
  return value;
}

interface Walk {
  readonly limits: Limits;
  /** Named types by full name, compiled where they are defined; references reuse them. */
  readonly named: Map<string, Compiled>;
}

type Attrs = Readonly<Record<string, unknown>>;

/** Compiles `json` (a schema node) beside `type`, avsc's parse of the same node; `at` locates it for errors. */
function compileType(json: unknown, type: avro.Type, walk: Walk, at: string): Compiled {
  if (Array.isArray(json)) return compileUnion(json, type, walk, at);
  const attrs: Attrs = typeof json === 'object' && json !== null ? (json as Attrs) : { type: json };
  const declared = attrs['type'];
  // {"type": {...}} and {"type": [...]} nest a schema; a non-primitive name is a reference.
  if (typeof declared === 'object' && declared !== null) return compileType(declared, type, walk, `${at}/type`);
  if (typeof declared === 'string' && !PRIMITIVES.has(declared) && !COMPLEX.has(declared)) return reference(type, walk, at);
  const typeName = type.typeName;
  if (typeName.startsWith('logical:')) throw new Error(`avroType must be parsed without logicalTypes, got ${typeName} at ${at || '/'}`);
  if (declared !== typeName) throw new Error(`avroType does not match the schema at ${at || '/'}: ${typeName} vs ${String(declared)}`);

  const { limits } = walk;
  switch (typeName) {
    case 'record':
    case 'error':
      return compileRecord(attrs, type as avro.types.RecordType, walk, at);
    case 'enum':
      return define(walk, type, compileEnum(shortName(type), (type as avro.types.EnumType).symbols));
    case 'fixed': {
      const size = (type as avro.types.FixedType).size;
      const underlying = { typeName, size, compiled: compileFixed(shortName(type), size, limits) };
      return define(walk, type, compileLogical(attrs['logicalType'], attrs, underlying, limits));
    }
    case 'array': {
      const items = compileType(attrs['items'], (type as avro.types.ArrayType).itemsType, walk, `${at}/items`);
      return { check: arrayCheck(items), native: ['array'], lenient: [], label: `array of ${items.label}` };
    }
    case 'map': {
      const values = compileType(attrs['values'], (type as avro.types.MapType).valuesType as avro.Type, walk, `${at}/values`);
      return { check: mapCheck(values, limits), native: ['object'], lenient: [], label: `map of ${values.label}` };
    }
    default:
      return compileLogical(attrs['logicalType'], attrs, { typeName, compiled: compilePrimitive(typeName, limits) }, limits);
  }
}

function compileRecord(attrs: Attrs, type: avro.types.RecordType, walk: Walk, at: string): Compiled {
  const fields: FieldSpec[] = [];
  // Registered before its fields are compiled, so that a field can refer to the record itself.
  const compiled = define(walk, type, { check: recordCheck(shortName(type), fields), native: ['object'], lenient: [], label: shortName(type) });
  const jsonFields = attrs['fields'];
  if (!Array.isArray(jsonFields) || jsonFields.length !== type.fields.length) throw new Error(`avroType does not match the schema at ${at}/fields`);
  type.fields.forEach((field, i) => {
    // A sent "__proto__" key must never be mistaken for a field (see container-checks).
    if (field.name === '__proto__') throw new Error(`field name __proto__ at ${at}/fields/${i} cannot be validated safely; rename it`);
    const jsonField: unknown = jsonFields[i];
    const fieldType = typeof jsonField === 'object' && jsonField !== null ? (jsonField as Attrs)['type'] : undefined;
    fields.push({
      name: field.name,
      compiled: compileType(fieldType, field.type, walk, `${at}/fields/${i}/type`),
      makeDefault: defaultMaker(field),
    });
  });
  return compiled;
}

function compileUnion(json: readonly unknown[], type: avro.Type, walk: Walk, at: string): Compiled {
  const wrapped = type.typeName === 'union:wrapped';
  if (!wrapped && type.typeName !== 'union:unwrapped') throw new Error(`avroType does not match the schema at ${at || '/'}: ${type.typeName} vs union`);
  const types = (type as avro.types.WrappedUnionType).types;
  const branches: Branch[] = types.map((branchType, i) => ({
    compiled: compileType(json[i], branchType, walk, `${at}/${i}`),
    wrapAs: wrapped && branchType.typeName !== 'null' ? branchType.branchName : undefined,
  }));
  const labels = branches.map((b) => b.compiled.label);
  const kinds = (pick: 'native' | 'lenient') => [...new Set(branches.flatMap((b) => b.compiled[pick]))];
  return { check: unionCheck(branches), native: kinds('native'), lenient: kinds('lenient'), label: labels.join(' | ') };
}

function reference(type: avro.Type, walk: Walk, at: string): Compiled {
  const compiled = type.name === undefined ? undefined : walk.named.get(type.name);
  if (compiled === undefined) throw new Error(`avroType does not match the schema at ${at || '/'}: no named type ${String(type.name)} seen before`);
  return compiled;
}

function define(walk: Walk, type: avro.Type, compiled: Compiled): Compiled {
  if (type.name !== undefined) walk.named.set(type.name, compiled);
  return compiled;
}

function shortName(type: avro.Type): string {
  const name = type.name ?? type.typeName;
  return name.slice(name.lastIndexOf('.') + 1);
}

/** avsc's default, converted once (bytes from their ISO-8859-1 text, unions to their first branch); fresh when mutable. */
function defaultMaker(field: avro.types.Field): (() => unknown) | undefined {
  const sample: unknown = field.defaultValue();
  if (sample === undefined) return undefined;
  if (sample === null || typeof sample !== 'object') return () => sample;
  return () => field.defaultValue();
}
