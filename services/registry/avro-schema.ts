/**
 * Parses a schema string into an avsc Type, or says precisely what is wrong and where (a JSON
 * pointer into the submitted schema). avsc checks most of the Avro spec; the checks here add what it
 * lets through (field aliases, logical types on the wrong type) and locate what it reports without a
 * place (an invalid name, an invalid field default).
 *
 * Identity: two registrations are "the same schema" when their JSON is equal once whitespace and
 * object key order are ignored. Not the Parsing Canonical Form, which drops defaults, aliases, docs
 * and logical types: under it, adding a default (the usual first step of a safe evolution) or fixing
 * a doc would silently return the old schema and never be stored.
 */
import avro from 'avsc';
import { RegistryError } from './registry-errors.ts';

export const MAX_SCHEMA_DEPTH = 64;

export interface ParsedSchema {
  readonly type: avro.Type;
  /** The submitted JSON without insignificant whitespace: what the registry stores and serves. */
  readonly text: string;
  /** `text` with object keys sorted: equal identities mean the same schema. */
  readonly identity: string;
  /** Avro Parsing Canonical Form, for fingerprints. */
  readonly canonical: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME_RULE = 'names start with a letter or _ and contain only letters, digits and _';

const LOGICAL_TYPES: Readonly<Record<string, readonly string[]>> = {
  date: ['int'],
  'time-millis': ['int'],
  'time-micros': ['long'],
  'timestamp-millis': ['long'],
  'timestamp-micros': ['long'],
  'timestamp-nanos': ['long'],
  'local-timestamp-millis': ['long'],
  'local-timestamp-micros': ['long'],
  'local-timestamp-nanos': ['long'],
  uuid: ['string', 'fixed'],
  decimal: ['bytes', 'fixed'],
  duration: ['fixed'],
};

class SchemaProblem extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** Parses and validates `text`; throws RegistryError INVALID_SCHEMA (42201) naming the problem and its place. */
export function parseAvroSchema(text: string): ParsedSchema {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (error) {
    throw invalid('', `the schema is not valid JSON (${(error as Error).message})`);
  }
  try {
    lint(json, '', 0);
    const type = avro.Type.forSchema(json as avro.Schema, { noAnonymousTypes: true });
    return Object.freeze({
      type,
      text: JSON.stringify(json),
      identity: sortedJson(json),
      canonical: JSON.stringify(type.schema()),
    });
  } catch (error) {
    if (error instanceof SchemaProblem) throw invalid(error.path, error.message);
    const message = (error as Error).message;
    if (message.startsWith('incompatible field default')) {
      const located = locateBadDefault(json);
      if (located) throw invalid(located.path, located.message);
    }
    throw invalid('', message);
  }
}

/** The identity of a stored schema string, without parsing it as Avro. Throws SyntaxError on bad JSON. */
export function schemaIdentity(text: string): string {
  return sortedJson(JSON.parse(text) as Json);
}

function invalid(path: string, problem: string): RegistryError {
  const where = path === '' ? '' : ` at ${path}`;
  return new RegistryError('INVALID_SCHEMA', `Invalid schema${where}: ${problem}`, { details: { path } });
}

function sortedJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function lint(node: Json, path: string, depth: number): void {
  if (depth > MAX_SCHEMA_DEPTH) throw new SchemaProblem(path, `types nest deeper than ${MAX_SCHEMA_DEPTH} levels`);
  if (typeof node === 'string') return;
  if (Array.isArray(node)) {
    node.forEach((branch, i) => lint(branch, `${path}/${i}`, depth + 1));
    return;
  }
  if (!isObject(node)) {
    throw new SchemaProblem(path, `expected a type name, a type object or a union array, got ${JSON.stringify(node)}`);
  }
  const type = node['type'];
  if (Array.isArray(type) || isObject(type)) {
    lint(type, `${path}/type`, depth + 1);
    return;
  }
  if (typeof type !== 'string') throw new SchemaProblem(path, `"type" must be a string, an object or an array`);
  lintLogicalType(node, type, path);
  switch (type) {
    case 'record':
    case 'error':
      lintNamed(node, path);
      lintFields(node, path, depth);
      return;
    case 'enum': {
      lintNamed(node, path);
      const { symbols, default: fallback } = node;
      if (fallback !== undefined && (!Array.isArray(symbols) || !symbols.includes(fallback))) {
        throw new SchemaProblem(`${path}/default`, `default ${JSON.stringify(fallback)} of enum '${String(node['name'])}' is not one of its symbols`);
      }
      return;
    }
    case 'fixed':
      lintNamed(node, path);
      return;
    case 'array':
      if (node['items'] !== undefined) lint(node['items'], `${path}/items`, depth + 1);
      return;
    case 'map':
      if (node['values'] !== undefined) lint(node['values'], `${path}/values`, depth + 1);
      return;
  }
}

function lintNamed(node: JsonObject, path: string): void {
  const { name, namespace, aliases, doc } = node;
  if (typeof name !== 'string' || !isFullName(name)) {
    throw new SchemaProblem(`${path}/name`, `${String(node['type'])} name ${JSON.stringify(name ?? null)} is invalid: ${NAME_RULE}, dot-separated for a namespace`);
  }
  if (namespace !== undefined && namespace !== null && (typeof namespace !== 'string' || (namespace !== '' && !isFullName(namespace)))) {
    throw new SchemaProblem(`${path}/namespace`, `namespace ${JSON.stringify(namespace)} is invalid: dot-separated names where ${NAME_RULE}`);
  }
  if (aliases !== undefined && (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || !isFullName(a)))) {
    throw new SchemaProblem(`${path}/aliases`, `aliases of '${name}' must be an array of names where ${NAME_RULE}`);
  }
  if (doc !== undefined && typeof doc !== 'string') throw new SchemaProblem(`${path}/doc`, `doc of '${name}' must be a string`);
}

function lintFields(node: JsonObject, path: string, depth: number): void {
  const fields = node['fields'];
  if (!Array.isArray(fields)) throw new SchemaProblem(`${path}/fields`, `record '${String(node['name'])}' needs a "fields" array`);
  const seen = new Set<string>();
  fields.forEach((field, i) => {
    const at = `${path}/fields/${i}`;
    if (!isObject(field)) throw new SchemaProblem(at, 'a field must be an object with "name" and "type"');
    const { name, aliases, doc, type } = field;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new SchemaProblem(`${at}/name`, `field name ${JSON.stringify(name ?? null)} is invalid: ${NAME_RULE}`);
    }
    if (seen.has(name)) throw new SchemaProblem(`${at}/name`, `field '${name}' is declared twice`);
    seen.add(name);
    if (aliases !== undefined && (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || !NAME.test(a)))) {
      throw new SchemaProblem(`${at}/aliases`, `aliases of field '${name}' must be an array of names where ${NAME_RULE}`);
    }
    if (doc !== undefined && typeof doc !== 'string') throw new SchemaProblem(`${at}/doc`, `doc of field '${name}' must be a string`);
    if (type === undefined) throw new SchemaProblem(at, `field '${name}' has no "type"`);
    if (typeof field['logicalType'] === 'string' && typeof type === 'string') {
      throw new SchemaProblem(
        `${at}/logicalType`,
        `field '${name}' puts "logicalType" beside its type, where Avro ignores it; ` +
          `write "type": {"type": ${JSON.stringify(type)}, "logicalType": ${JSON.stringify(field['logicalType'])}}`,
      );
    }
    lint(type, `${at}/type`, depth + 1);
  });
}

function lintLogicalType(node: JsonObject, type: string, path: string): void {
  const logical = node['logicalType'];
  if (typeof logical !== 'string') return;
  const allowed = LOGICAL_TYPES[logical];
  if (allowed === undefined) return; // The spec says unknown logical types are ignored.
  if (!allowed.includes(type)) {
    throw new SchemaProblem(`${path}/logicalType`, `logical type '${logical}' must annotate ${allowed.join(' or ')}, not ${type}`);
  }
  const size = node['size'];
  if (logical === 'uuid' && type === 'fixed' && size !== 16) throw new SchemaProblem(`${path}/size`, `logical type 'uuid' on fixed needs size 16`);
  if (logical === 'duration' && size !== 12) throw new SchemaProblem(`${path}/size`, `logical type 'duration' needs a fixed of size 12`);
  if (logical !== 'decimal') return;
  const { precision, scale = 0 } = node;
  if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) {
    throw new SchemaProblem(`${path}/precision`, `decimal precision must be a positive integer, got ${JSON.stringify(precision ?? null)}`);
  }
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
    throw new SchemaProblem(`${path}/scale`, `decimal scale must be an integer from 0 to the precision ${precision}, got ${JSON.stringify(scale)}`);
  }
  if (type === 'fixed' && typeof size === 'number' && size > 0) {
    const maxPrecision = Math.floor(Math.log10(2 ** (8 * size - 1) - 1));
    if (precision > maxPrecision) {
      throw new SchemaProblem(`${path}/precision`, `decimal precision ${precision} does not fit a fixed of ${size} bytes (at most ${maxPrecision})`);
    }
  }
}

function isFullName(name: string): boolean {
  return name.split('.').every((part) => NAME.test(part));
}

/**
 * avsc reports an invalid default without saying which field has it. Parse the schema again with
 * every field default removed, then check each default against its field's parsed type.
 */
function locateBadDefault(json: Json): SchemaProblem | undefined {
  const stripped = structuredClone(json);
  const defaults = new Map<JsonObject, Json>();
  collectFieldDefaults(stripped, defaults);
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(stripped as avro.Schema, { noAnonymousTypes: true });
  } catch {
    return undefined;
  }
  return findBadDefault(stripped, type, '', defaults);
}

function collectFieldDefaults(node: Json, defaults: Map<JsonObject, Json>): void {
  if (Array.isArray(node)) return node.forEach((n) => collectFieldDefaults(n, defaults));
  if (!isObject(node)) return;
  for (const value of Object.values(node)) collectFieldDefaults(value, defaults);
  if (Array.isArray(node['fields'])) {
    for (const field of node['fields']) {
      if (isObject(field) && 'default' in field) {
        defaults.set(field, field['default'] as Json);
        delete field['default'];
      }
    }
  }
}

function findBadDefault(node: Json, type: avro.Type, path: string, defaults: Map<JsonObject, Json>): SchemaProblem | undefined {
  if (Array.isArray(node)) {
    const branches = (type as unknown as { types?: avro.Type[] }).types ?? [];
    for (const [i, branch] of node.entries()) {
      const branchType = branches[i];
      const found = branchType && findBadDefault(branch, branchType, `${path}/${i}`, defaults);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(node)) return undefined;
  const inner = node['type'];
  if (Array.isArray(inner) || isObject(inner)) return findBadDefault(inner, type, `${path}/type`, defaults);
  if (inner === 'array') return findBadDefault(node['items'] ?? null, (type as avro.types.ArrayType).itemsType, `${path}/items`, defaults);
  if (inner === 'map') return findBadDefault(node['values'] ?? null, (type as avro.types.MapType).valuesType as avro.Type, `${path}/values`, defaults);
  if ((inner !== 'record' && inner !== 'error') || !Array.isArray(node['fields'])) return undefined;
  const fieldTypes = (type as avro.types.RecordType).fields;
  for (const [i, field] of node['fields'].entries()) {
    const fieldType = fieldTypes[i]?.type;
    if (!isObject(field) || fieldType === undefined) continue;
    const at = `${path}/fields/${i}`;
    if (defaults.has(field)) {
      const problem = checkDefault(String(field['name']), fieldType, defaults.get(field) as Json);
      if (problem) return new SchemaProblem(`${at}/default`, problem);
    }
    const found = findBadDefault(field['type'] ?? null, fieldType, `${at}/type`, defaults);
    if (found) return found;
  }
  return undefined;
}

function checkDefault(field: string, fieldType: avro.Type, value: Json): string | undefined {
  try {
    avro.Type.forSchema({ type: 'record', name: 'DefaultProbe', fields: [{ name: 'f', type: fieldType, default: value }] });
    return undefined;
  } catch {
    const branches = (fieldType as unknown as { types?: avro.Type[] }).types;
    const shown = JSON.stringify(value);
    if (branches !== undefined) {
      const first = branches[0]?.branchName ?? 'null';
      return `default ${shown} of field '${field}' does not match the first branch of its union ('${first}'); Avro requires a union default to match the first branch, so reorder the union or change the default`;
    }
    return `default ${shown} of field '${field}' is not a valid ${fieldType.branchName ?? fieldType.typeName}`;
  }
}
