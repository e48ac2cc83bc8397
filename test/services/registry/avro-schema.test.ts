import { describe, expect, it } from 'vitest';
import { parseAvroSchema, schemaIdentity } from '../../../services/registry/avro-schema.ts';
import { isRegistryError, type RegistryError } from '../../../services/registry/registry-errors.ts';

const record = (fields: unknown[], extra: object = {}) => JSON.stringify({ type: 'record', name: 'R', fields, ...extra });

function invalidOf(text: string): RegistryError {
  try {
    parseAvroSchema(text);
  } catch (error) {
    if (isRegistryError(error, 'INVALID_SCHEMA')) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('parseAvroSchema', () => {
  it('parses a valid schema into a type, its stored text, identity and canonical form', () => {
    const parsed = parseAvroSchema(`{
      "type": "record", "name": "PageView", "namespace": "dev.weir.events", "doc": "d",
      "fields": [{"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "t"}]
    }`);
    expect(parsed.type.name).toBe('dev.weir.events.PageView');
    expect(parsed.text).toBe(
      '{"type":"record","name":"PageView","namespace":"dev.weir.events","doc":"d","fields":[{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"},"doc":"t"}]}',
    );
    expect(parsed.identity).toBe(
      '{"doc":"d","fields":[{"doc":"t","name":"ts","type":{"logicalType":"timestamp-millis","type":"long"}}],"name":"PageView","namespace":"dev.weir.events","type":"record"}',
    );
    expect(parsed.canonical).toBe('{"name":"dev.weir.events.PageView","type":"record","fields":[{"name":"ts","type":"long"}]}');
  });

  it('accepts primitive and union top-level schemas', () => {
    expect(parseAvroSchema('"string"').canonical).toBe('"string"');
    expect(parseAvroSchema('["null","string"]').type.typeName).toMatch(/^union/);
  });

  it('gives the same identity whatever the whitespace and key order', () => {
    const a = parseAvroSchema('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}');
    const b = parseAvroSchema('{ "fields": [ { "type": "int", "name": "a" } ],\n "name": "R", "type": "record" }');
    expect(a.identity).toBe(b.identity);
    expect(schemaIdentity(b.text)).toBe(a.identity);
  });

  it('gives different identities when a default, a doc or a logical type changes (the canonical form would not)', () => {
    const base = parseAvroSchema(record([{ name: 'a', type: 'long' }]));
    for (const changed of [
      record([{ name: 'a', type: 'long', default: 0 }]),
      record([{ name: 'a', type: 'long', doc: 'why' }]),
      record([{ name: 'a', type: { type: 'long', logicalType: 'timestamp-millis' } }]),
    ]) {
      const parsed = parseAvroSchema(changed);
      expect(parsed.canonical).toBe(base.canonical);
      expect(parsed.identity).not.toBe(base.identity);
    }
  });

  it.each<[string, string, string]>([
    ['not JSON', '{"type": "record",', 'Invalid schema: the schema is not valid JSON'],
    ['an empty union', '[]', 'empty union'],
    ['a number', '5', 'expected a type name, a type object or a union array, got 5'],
    ['an unknown type name', record([{ name: 'a', type: 'Money' }]), 'undefined type name: Money'],
    ['a record name starting with a digit', JSON.stringify({ type: 'record', name: '1R', fields: [] }), 'Invalid schema at /name: record name "1R" is invalid'],
    ['a record without a name', JSON.stringify({ type: 'record', fields: [] }), 'Invalid schema at /name: record name null is invalid'],
    ['a bad namespace', record([], { namespace: 'dev..weir' }), 'Invalid schema at /namespace: namespace "dev..weir" is invalid'],
    ['a field name with a dash', record([{ name: 'a-b', type: 'int' }]), 'Invalid schema at /fields/0/name: field name "a-b" is invalid'],
    ['a field declared twice', record([{ name: 'a', type: 'int' }, { name: 'a', type: 'long' }]), "Invalid schema at /fields/1/name: field 'a' is declared twice"],
    ['a bad field alias', record([{ name: 'a', type: 'int', aliases: ['1a'] }]), 'Invalid schema at /fields/0/aliases'],
    ['a field without type', record([{ name: 'a' }]), `Invalid schema at /fields/0: field 'a' has no "type"`],
    ['a string default for an int', record([{ name: 'n', type: 'int' }, { name: 'count', type: 'int', default: 'zero' }]), `Invalid schema at /fields/1/default: default "zero" of field 'count' is not a valid int`],
    ['a null default for a long', record([{ name: 'amount', type: 'long', default: null }]), "default null of field 'amount' is not a valid long"],
    ['a fractional default for a long', record([{ name: 'amount', type: 'long', default: 1.5 }]), "default 1.5 of field 'amount' is not a valid long"],
    ['a union default that is not the first branch', record([{ name: 'note', type: ['null', 'string'], default: 'x' }]), "Invalid schema at /fields/0/default: default \"x\" of field 'note' does not match the first branch of its union ('null')"],
    [
      'a bad default in a nested record',
      record([{ name: 'lines', type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'qty', type: 'int', default: '1' }] } } }]),
      "Invalid schema at /fields/0/type/items/fields/0/default: default \"1\" of field 'qty' is not a valid int",
    ],
    ['an enum default that is not a symbol', JSON.stringify({ type: 'enum', name: 'E', symbols: ['A'], default: 'B' }), 'Invalid schema at /default: default "B" of enum \'E\' is not one of its symbols'],
    ['a duplicate enum symbol', JSON.stringify({ type: 'enum', name: 'E', symbols: ['A', 'A'] }), 'duplicate'],
    ['logicalType beside the type', record([{ name: 'ts', type: 'long', logicalType: 'timestamp-millis' }]), 'Invalid schema at /fields/0/logicalType: field \'ts\' puts "logicalType" beside its type'],
    ['timestamp-millis on a string', JSON.stringify({ type: 'string', logicalType: 'timestamp-millis' }), "logical type 'timestamp-millis' must annotate long, not string"],
    ['a decimal scale above its precision', JSON.stringify({ type: 'bytes', logicalType: 'decimal', precision: 4, scale: 5 }), 'Invalid schema at /scale: decimal scale must be an integer from 0 to the precision 4'],
    ['a decimal too precise for its fixed', JSON.stringify({ type: 'fixed', name: 'D', size: 2, logicalType: 'decimal', precision: 5 }), 'does not fit a fixed of 2 bytes (at most 4)'],
    ['a non-string doc', record([{ name: 'a', type: 'int', doc: 5 }]), "Invalid schema at /fields/0/doc: doc of field 'a' must be a string"],
  ])('refuses %s', (_label, text, message) => {
    const error = invalidOf(text);
    expect(error.errorCode).toBe(42201);
    expect(error.status).toBe(422);
    expect(error.message).toContain(message);
  });

  it('refuses types nested deeper than the limit instead of overflowing the stack', () => {
    let deep = '"int"';
    for (let i = 0; i < 100; i += 1) deep = `{"type":"array","items":${deep}}`;
    expect(invalidOf(deep).message).toContain('types nest deeper than 64 levels');
    expect(invalidOf('['.repeat(100_000) + ']'.repeat(100_000)).message).toContain('nest deeper');
  });

  it('ignores logical types it does not know, as the spec requires', () => {
    expect(parseAvroSchema(JSON.stringify({ type: 'string', logicalType: 'weir-color' })).canonical).toBe('"string"');
  });
});
