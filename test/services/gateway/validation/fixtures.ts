/** Schemas and helpers shared by the validation tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidationResult } from '../../../../services/gateway/validation/compile.ts';
import type { FieldError } from '../../../../services/gateway/validation/field-error.ts';

const eventsDir = join(import.meta.dirname, '../../../../schemas/events');

export interface JsonField {
  name: string;
  type: unknown;
  default?: unknown;
}
export interface JsonRecord {
  type: 'record';
  name: string;
  fields: JsonField[];
}

/** The starter schemas from disk, by event type. */
export function starterSchemas(): Map<string, JsonRecord> {
  const files = readdirSync(eventsDir).filter((f) => f.endsWith('.avsc')).sort();
  return new Map(files.map((f) => [f.replace('.avsc', ''), JSON.parse(readFileSync(join(eventsDir, f), 'utf8')) as JsonRecord]));
}

/** A JSON value for a field type of the starter schemas, distinct per field so that mix-ups show. */
export function sample(type: unknown, name: string): unknown {
  if (Array.isArray(type)) return sample(type.find((t) => t !== 'null'), name);
  if (typeof type === 'object' && type !== null) {
    const t = type as { type: string; logicalType?: string; symbols?: string[]; values?: unknown };
    if (t.logicalType === 'uuid') return crypto.randomUUID();
    if (t.logicalType === 'timestamp-millis') return Date.UTC(2026, 10, 24, 10, name.length);
    if (t.type === 'enum') return t.symbols?.at(-1);
    if (t.type === 'map') return { [`${name}_key`]: sample(t.values, `${name}_value`) };
    return sample(t.type, name);
  }
  switch (type) {
    case 'string':
      return `${name} value ✓`;
    case 'int':
      return name.length * 7;
    case 'long':
      return name.length * 1_000_000_007;
    case 'double':
      return name.length + 0.25;
    default:
      throw new Error(`sample: add a value for ${String(type)} (field ${name})`);
  }
}

/** Every field of `schema` with a sample value: a valid event. */
export function sampleEvent(schema: JsonRecord): Record<string, unknown> {
  return Object.fromEntries(schema.fields.map((f) => [f.name, sample(f.type, f.name)]));
}

/** One field of every Avro type and logical type the validator supports, plus a recursive record. */
export const EVERYTHING: JsonRecord = {
  type: 'record',
  name: 'Everything',
  fields: [
    { name: 'n', type: 'null' },
    { name: 'b', type: 'boolean' },
    { name: 'i', type: 'int' },
    { name: 'l', type: 'long' },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 'by', type: 'bytes' },
    { name: 's', type: 'string' },
    { name: 'e', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'fx', type: { type: 'fixed', name: 'Hash', size: 4 } },
    { name: 'arr', type: { type: 'array', items: 'int' } },
    { name: 'm', type: { type: 'map', values: 'long' } },
    {
      name: 'nested',
      type: {
        type: 'record',
        name: 'Inner',
        fields: [
          { name: 'name', type: 'string' },
          { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
        ],
      },
    },
    { name: 'opt', type: ['null', 'string'], default: null },
    { name: 'multi', type: ['null', 'long', 'string', 'Inner'], default: null },
    { name: 'numbers', type: ['int', 'long'], default: 0 },
    { name: 'color_or_text', type: ['Color', 'string'], default: 'RED' },
    { name: 'ts_ms', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'ts_us', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'uid', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'price', type: { type: 'fixed', name: 'Money', size: 3, logicalType: 'decimal', precision: 6, scale: 1 } },
    { name: 'opt_ts', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
    {
      name: 'tree',
      type: {
        type: 'record',
        name: 'Node',
        fields: [
          { name: 'value', type: 'int' },
          { name: 'children', type: { type: 'array', items: 'Node' }, default: [] },
        ],
      },
      default: { value: 0 },
    },
    { name: 'constructor', type: ['null', 'string'], default: null },
  ],
};

/** A valid event for EVERYTHING, as a sender would write it. */
export function everythingEvent(): Record<string, unknown> {
  return {
    n: null,
    b: true,
    i: -7,
    l: 9_007_199_254_740_990,
    f: 1.5,
    d: -0.125,
    by: Buffer.from([1, 2, 3]).toString('base64'),
    s: 'héllo 🌍',
    e: 'GREEN',
    fx: Buffer.from([9, 8, 7, 6]).toString('base64'),
    arr: [1, 2, 3],
    m: { a: 1, 'b/c': -2 },
    nested: { name: 'inner', tags: ['x', 'y'] },
    opt: 'present',
    multi: { name: 'as record' },
    numbers: 5,
    color_or_text: 'BLUE',
    ts_ms: '2026-11-24T10:00:00.123Z',
    ts_us: '2026-11-24T10:00:00.123456Z',
    day: '2026-11-24',
    uid: '0192E3A4-5B6C-7D8E-9F01-23456789ABCD',
    amount: '-1234.5',
    price: 12.3,
    opt_ts: 1_795_514_400_000,
    tree: { value: 1, children: [{ value: 2 }, { value: 3, children: [{ value: 4 }] }] },
  };
}

export function errorsOf(result: ValidationResult): FieldError[] {
  if (result.ok) throw new Error(`expected errors, got a valid value: ${JSON.stringify(result.value)}`);
  return result.errors;
}

export function valueOf(result: ValidationResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected a valid value, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** The error list reduced to "path reason" lines, for compact expectations. */
export function summary(errors: readonly FieldError[]): string[] {
  return errors.map((e) => `${e.path} ${e.reason}`);
}

/** RFC 6901 syntax: "" or a sequence of "/" segments where "~" only appears as "~0" or "~1". */
export const JSON_POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/** The value a JSON Pointer designates, by own properties only; `found` false when it designates nothing. */
export function resolvePointer(root: unknown, pointer: string): { found: boolean; value: unknown } {
  if (pointer === '') return { found: true, value: root };
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return { found: false, value: undefined };
    node = (node as Record<string, unknown>)[key];
  }
  return { found: true, value: node };
}
