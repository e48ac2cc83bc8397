/**
 * The `lookup` transform: a new field whose value a static table gives for the value of another
 * (a currency's exponent, a country's region). The table is an object of key -> value, inline or
 * in a JSON file beside the definition; its values are all strings, all numbers (integers make a
 * long, any fraction a double) or all booleans, and may be null. Keys of an enum field must be
 * its symbols, so that a typo is caught at load rather than as failing records. A string
 * `$comment` entry is a note, not a key.
 *
 * A key missing from the table fails the record (`lookup_missing`) unless the transform has a
 * `default`. A null key gives null.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isAvroLong } from './cast.ts';
import type { Scalar, TransformDef } from './definition.ts';
import { addedField, describeShape, type FieldShape, type PrimitiveKind } from './field-shape.ts';
import type { FieldState } from './field-state.ts';
import { COMMENT_KEY, describeJson, isJsonObject, pointer } from './json-reader.ts';
import type { Report } from './pipeline-errors.ts';
import { failure, type TransformStep } from './process-result.ts';

type LookupDef = TransformDef & { op: 'lookup' };

export interface LookupFiles {
  /** The definition file, as shown in problems; table paths are relative to its folder. */
  readonly definitionFile: string;
  /** A reporter for problems inside another file (a table file). */
  readonly reportIn: (file: string) => Report;
}

interface Table {
  readonly entries: ReadonlyMap<string, Scalar | null>;
  readonly kind: PrimitiveKind;
  readonly hasNull: boolean;
}

const KEY_KINDS = new Set(['string', 'enum', 'int', 'long', 'boolean']);

export function compileLookup(def: LookupDef, state: FieldState, report: Report, files: LookupFiles): TransformStep | undefined {
  const source = state.need(def.field, pointer(def.at, 'field'), report);
  const free = state.free(def.into, pointer(def.at, 'into'), report);
  if (source !== undefined && !KEY_KINDS.has(source.shape.kind)) {
    report(pointer(def.at, 'field'), `a lookup key must be a string, enum, int, long or boolean field, but "${def.field}" is ${describeShape(source.shape)}`);
    return undefined;
  }
  const located = locateTable(def, report, files);
  if (located === undefined || source === undefined) return undefined;
  const table = readTable(located.value, source.shape, located.report, located.at);
  if (table === undefined || !free || !defaultFits(def, table, report)) return undefined;

  const fallback = def.default;
  const nullable = source.shape.nullable || table.hasNull || fallback?.value === null;
  state.add(addedField(def.into, table.kind, nullable, def.doc ?? `Looked up from ${def.field} in a static table by the pipeline.`));
  const { field, into } = def;
  return {
    field,
    run(work) {
      const key = work[field];
      if (key === null) {
        work[into] = null;
        return undefined;
      }
      const value = table.entries.get(String(key));
      if (value !== undefined) work[into] = value;
      else if (fallback !== undefined) work[into] = fallback.value;
      else return failure('lookup_missing', field, `${field} has a value the lookup table for ${into} does not hold${source.shape.kind === 'string' ? '' : ` (${JSON.stringify(key)})`}`);
      return undefined;
    },
  };
}

/** The table's JSON and where its problems are reported: in the definition, or in its own file. */
function locateTable(def: LookupDef, report: Report, files: LookupFiles): { value: unknown; report: Report; at: string } | undefined {
  if ('inline' in def.table) return { value: def.table.inline, report, at: pointer(def.at, 'table') };
  const file = path.join(path.dirname(files.definitionFile), def.table.file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    report(pointer(def.at, 'table'), `the table file ${file} ${reason}; the path is relative to this definition's folder`);
    return undefined;
  }
  try {
    return { value: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown, report: files.reportIn(file), at: '' };
  } catch (error) {
    files.reportIn(file)('', `is not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
}

function readTable(json: unknown, key: FieldShape, report: Report, at: string): Table | undefined {
  if (!isJsonObject(json)) {
    report(at, `a lookup table must be an object of key -> value, got ${describeJson(json)}`);
    return undefined;
  }
  const entries = new Map<string, Scalar | null>();
  const kinds = new Set<PrimitiveKind>();
  let ok = true;
  let hasNull = false;
  for (const [k, v] of Object.entries(json)) {
    if (k === COMMENT_KEY && typeof v === 'string') continue; // a note, as in definitions
    const keyProblem = keyFits(k, key);
    const valueKind = kindOfValue(v);
    if (keyProblem !== undefined) report(pointer(at, k), keyProblem);
    if (valueKind === undefined && v !== null) report(pointer(at, k), `a table value must be a string, number, boolean or null, got ${describeJson(v)}`);
    if (keyProblem !== undefined || (valueKind === undefined && v !== null)) ok = false;
    if (valueKind !== undefined) kinds.add(valueKind);
    hasNull ||= v === null;
    entries.set(k, v as Scalar | null);
  }
  if (kinds.has('long') && kinds.has('double')) kinds.delete('long');
  if (ok && kinds.size !== 1) {
    const problem = kinds.size === 0 ? 'holds no value to look up (it is empty, or all null)' : `mixes ${[...kinds].join(' and ')} values; a table's values must share one type`;
    report(at, `the lookup table ${problem}`);
    ok = false;
  }
  const [kind] = kinds;
  return ok && kind !== undefined ? { entries, kind, hasNull } : undefined;
}

function kindOfValue(value: unknown): PrimitiveKind | undefined {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number' && Number.isFinite(value)) return isAvroLong(value) ? 'long' : 'double';
  return undefined;
}

function keyFits(k: string, key: FieldShape): string | undefined {
  switch (key.kind) {
    case 'enum':
      return key.symbols?.includes(k) === true ? undefined : `key "${k}" is not a symbol of ${describeShape(key)}, so it would never match`;
    case 'int':
    case 'long':
      return /^-?(0|[1-9]\d*)$/.test(k) && key.type.isValid(Number(k)) ? undefined : `key "${k}" is not ${key.kind === 'int' ? 'an int' : 'a long'} in decimal, so it would never match`;
    case 'boolean':
      return k === 'true' || k === 'false' ? undefined : `key "${k}" is not "true" or "false", so it would never match`;
    default:
      return undefined;
  }
}

function defaultFits(def: LookupDef, table: Table, report: Report): boolean {
  const value = def.default?.value;
  if (value === undefined || value === null || kindOfValue(value) === table.kind || (table.kind === 'double' && typeof value === 'number')) return true;
  const expected = { long: 'an integer', double: 'a number', string: 'a string', boolean: 'a boolean' }[table.kind as 'long' | 'double' | 'string' | 'boolean'];
  report(pointer(def.at, 'default'), `must be null or ${expected} like the table's values, got ${describeJson(value)}`);
  return false;
}
