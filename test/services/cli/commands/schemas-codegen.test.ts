import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEventTypes } from '../../../../services/cli/commands/schemas-codegen.ts';
import { eventSchema, useCliHarness } from '../cli-harness.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');

/** An event schema with one of every shape the generator maps. */
const everything = JSON.stringify({
  type: 'record',
  name: 'Shipment',
  namespace: 'dev.weir.events',
  doc: 'A parcel left the warehouse.',
  fields: [
    { name: 'event_id', type: { type: 'string', logicalType: 'uuid' }, doc: 'Sender-made id.' },
    { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'When it left.' },
    { name: 'weight_g', type: 'int', doc: 'Weight in grams; */ not a comment end.' },
    { name: 'express', type: 'boolean', default: false },
    { name: 'carrier', type: { type: 'enum', name: 'Carrier', symbols: ['DHL', 'UPS'], default: 'DHL' } },
    { name: 'backup_carrier', type: ['null', 'Carrier'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
    { name: 'dims', type: { type: 'map', values: ['null', 'double'] } },
    { name: 'note', type: ['null', 'string'], doc: 'Nullable without a default: must be sent, null or not.' },
    {
      name: 'address',
      type: {
        type: 'record',
        name: 'Address',
        doc: 'Where it goes.',
        fields: [
          { name: 'lines', type: { type: 'array', items: { type: 'array', items: 'string' } } },
          { name: 'zip', type: ['null', 'string'], default: null },
        ],
      },
    },
    { name: 'returns_to', type: ['null', 'Address'], default: null },
    { name: 'label', type: 'bytes' },
    { name: 'checksum', type: { type: 'fixed', name: 'Md5', size: 16 } },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
    { name: 'ship_date', type: { type: 'int', logicalType: 'date' } },
    { name: 'delivered_at', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }], default: null },
    { name: 'ref', type: ['string', 'long'] },
  ],
});

describe('weir schemas codegen', () => {
  const cli = useCliHarness();
  const outFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'weir-codegen-')), 'generated', 'events.ts');

  it('maps every Avro shape to the JSON the gateway takes, with the envelope and the docs', () => {
    const source = generateEventTypes([{ file: 'schemas/shipment.avsc', type: 'shipment', schema: everything }]);
    const shipment = source.slice(source.indexOf('export interface Shipment'), source.indexOf('}\n', source.indexOf('export interface Shipment')));
    for (const line of [
      "  type: 'shipment';",
      '  id?: string;',
      '  timestamp?: number | string | Date;',
      '  weight_g: number;',
      '  express?: boolean;',
      '  carrier: Carrier;',
      '  backup_carrier?: Carrier | null;',
      '  tags?: readonly string[];',
      '  dims: Record<string, number | null>;',
      '  note: string | null;',
      '  address: Address;',
      '  returns_to?: Address | null;',
      '  label: string;',
      '  checksum: Md5;',
      '  price: number | string;',
      '  ship_date: number | string;',
      '  delivered_at?: number | string | Date | null;',
      '  ref: string | number;',
    ]) {
      expect(shipment).toContain(`${line}\n`);
    }
    expect(shipment).not.toContain('event_id');
    expect(shipment).not.toContain('event_time');
    expect(source).toContain("export type Carrier = 'DHL' | 'UPS';");
    expect(source).toContain('export interface Address {\n  lines: readonly (readonly string[])[];\n  zip?: string | null;\n}');
    expect(source).toContain('export type Md5 = string;');
    expect(source).toContain('/** Where it goes. */\nexport interface Address');
    expect(source).toContain('  /** Weight in grams; *\\/ not a comment end. */\n');
    expect(source).toContain('   * Sender-made id.\n   * Optional: the SDK assigns a UUIDv7 when absent');
    expect(source).toContain('  /** @default false */\n  express?: boolean;');
    expect(source).toContain('export type WeirEvents = {\n  shipment: Shipment;\n};');
    // Named types are declared once, however often they are used.
    expect(source.match(/export type Carrier /g)).toHaveLength(1);
    expect(source.match(/export interface Address /g)).toHaveLength(1);
  });

  it('gives two different types of one name two TypeScript names, and one to two equal ones', () => {
    const withEnum = (name: string, symbols: string[]) =>
      eventSchema(name, [{ name: 'kind', type: { type: 'enum', name: 'Kind', symbols } }]);
    const source = generateEventTypes([
      { file: 'a.avsc', type: 'alpha', schema: withEnum('Alpha', ['A']) },
      { file: 'b.avsc', type: 'beta', schema: withEnum('Beta', ['B']) },
      { file: 'c.avsc', type: 'gamma', schema: withEnum('Gamma', ['A']) },
    ]);
    expect(source).toContain("export type Kind = 'A';");
    expect(source).toContain("export type BetaKind = 'B';");
    expect(source).toMatch(/export interface Gamma \{[^}]*kind: Kind;/);
  });

  it('writes the file, says so, and leaves an up-to-date file alone', async () => {
    const out = outFile();
    const dir = cli.schemaDir({ 'page_view.avsc': eventSchema('PageView') });
    const first = await cli.run(['schemas', 'codegen', '--dir', dir, '--out', out]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`Wrote ${out}: 1 event type(s) from ${dir}.`);
    expect(fs.readFileSync(out, 'utf8')).toContain("export interface PageView {\n  type: 'page_view';");
    const again = await cli.run(['schemas', 'codegen', '--dir', dir, '--out', out]);
    expect(again.stdout).toContain('is already up to date');
  });

  it('--check passes an up-to-date file and fails a stale or missing one, writing nothing', async () => {
    const out = outFile();
    const dir = cli.schemaDir({ 'page_view.avsc': eventSchema('PageView') });
    const missing = await cli.run(['schemas', 'codegen', '--check', '--dir', dir, '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${out} does not exist with 1 event type(s) from ${dir}: run \`npx weir schemas codegen\``);
    expect(fs.existsSync(out)).toBe(false);

    await cli.run(['schemas', 'codegen', '--dir', dir, '--out', out]);
    expect(await cli.run(['schemas', 'codegen', '--check', '--dir', dir, '--out', out])).toMatchObject({ code: 0, stderr: '' });

    fs.writeFileSync(path.join(dir, 'page_view.avsc'), eventSchema('PageView', [{ name: 'event_id', type: 'string' }, { name: 'url', type: 'string' }]));
    const before = fs.readFileSync(out, 'utf8');
    const stale = await cli.run(['schemas', 'codegen', '--check', '--dir', dir, '--out', out]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('is out of date');
    expect(fs.readFileSync(out, 'utf8')).toBe(before);
  });

  it('keeps sdk/src/generated/events.ts up to date with schemas/events', async () => {
    const result = await cli.run(['schemas', 'codegen', '--check'], { cwd: repoRoot });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('fails on an invalid schema, and on a field named like the envelope, generating nothing', async () => {
    const out = outFile();
    const invalid = cli.schemaDir({ 'page_view.avsc': '{"type": "record"' });
    const bad = await cli.run(['schemas', 'codegen', '--dir', invalid, '--out', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('page_view.avsc: invalid: Invalid schema: the schema is not valid JSON');
    expect(bad.stderr).toContain('nothing generated');

    const clash = cli.schemaDir({ 'page_view.avsc': eventSchema('PageView', [{ name: 'timestamp', type: 'long' }]) });
    const clashed = await cli.run(['schemas', 'codegen', '--dir', clash, '--out', out]);
    expect(clashed.code).toBe(1);
    expect(clashed.stderr).toContain("the field 'timestamp' has the name of the envelope field");
    expect(fs.existsSync(out)).toBe(false);
  });

  it('shows its options with --help and refuses unknown ones', async () => {
    const help = await cli.run(['schemas', 'codegen', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--out <file>');
    expect(help.stdout).toContain('--check');
    const listed = await cli.run(['schemas', '--help']);
    expect(listed.stdout).toMatch(/codegen\s+Write the TypeScript event types/);
    expect((await cli.run(['schemas', 'codegen', '--registry-url', 'http://x'])).code).toBe(2);
  });
});
