import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from '../../services/registry/avro-schema.ts';

const dir = join(import.meta.dirname, '../../schemas/events');
const files = readdirSync(dir).filter((f) => f.endsWith('.avsc'));

interface Field {
  name: string;
  type: unknown;
  doc?: string;
  default?: unknown;
}

/** Every named type and field of a schema, with where it is. */
function walk(node: unknown, at: string, visit: (node: Record<string, unknown>, at: string) => void): void {
  if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`, visit));
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  visit(obj, at);
  if (Array.isArray(obj['fields'])) (obj['fields'] as Field[]).forEach((f, i) => walk(f.type, `${at}/fields/${i}/type`, visit));
  if (obj['items'] !== undefined) walk(obj['items'], `${at}/items`, visit);
  if (obj['values'] !== undefined) walk(obj['values'], `${at}/values`, visit);
}

describe('schemas/events', () => {
  it('holds the starter set', () => {
    expect(files.sort()).toEqual(['api_request.avsc', 'page_view.avsc', 'purchase.avsc']);
  });

  describe.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const json = JSON.parse(text) as { name: string; namespace: string; doc?: string; fields: Field[] };

    it('parses, and is a record named after the file in dev.weir.events', () => {
      const pascal = file.replace('.avsc', '').replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
      expect(parseAvroSchema(text).type.name).toBe(`dev.weir.events.${pascal}`);
    });

    it('documents the record, every field and every named type', () => {
      const undocumented: string[] = [];
      walk(json, '', (node, at) => {
        if (['record', 'enum', 'fixed'].includes(String(node['type'])) && typeof node['doc'] !== 'string') undocumented.push(at || '/');
        if (Array.isArray(node['fields'])) {
          (node['fields'] as Field[]).forEach((f, i) => {
            if (typeof f.doc !== 'string' || f.doc.trim().length < 10) undocumented.push(`${at}/fields/${i} (${f.name})`);
          });
        }
      });
      expect(undocumented).toEqual([]);
    });

    it('has event_id (a string: any client id, or a UUIDv7) and event_time (timestamp-millis)', () => {
      const byName = new Map(json.fields.map((f) => [f.name, f.type]));
      expect(byName.get('event_id')).toBe('string');
      expect(byName.get('event_time')).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
    });

    it('makes optional fields ["null", T] with default null, and gives every enum a default', () => {
      const problems: string[] = [];
      for (const f of json.fields) {
        if (Array.isArray(f.type) && (f.type[0] !== 'null' || f.default !== null)) problems.push(f.name);
      }
      walk(json, '', (node, at) => {
        if (node['type'] === 'enum' && node['default'] === undefined) problems.push(at);
      });
      expect(problems).toEqual([]);
    });
  });
});
