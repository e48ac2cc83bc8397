/**
 * `weir schemas codegen`: one TypeScript interface per event schema, for the SDK's typed track().
 * The types describe events as the HTTP API takes them: `type` names the event, `id` and
 * `timestamp` replace `event_id` and `event_time` and are optional (the SDK fills them in), fields
 * with a default may be left out (`["null", T]` with default null becomes `field?: T | null`), and
 * values take the JSON forms the gateway accepts (a timestamp as epoch ms or an RFC 3339 string,
 * bytes as base64, a decimal as a number or a string).
 * `--check` writes nothing and fails when the file on disk differs, for CI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatHelp, HELP_OPTION, parseCommand, usageError, type Command } from '../command.ts';
import { DIR_OPTION, HELP_ROWS, resolveSchemaDir } from '../common-options.ts';
import { readLocalSchemas, type LocalSchema } from '../local-schemas.ts';

export const DEFAULT_CODEGEN_OUT = 'sdk/src/generated/events.ts';
const OPTIONS = { ...HELP_OPTION, ...DIR_OPTION, out: { type: 'string' }, check: { type: 'boolean' } } as const;
const REGENERATE = 'npx weir schemas codegen';

export const schemasCodegenCommand: Command = {
  name: 'codegen',
  summary: 'Write the TypeScript event types the SDK uses (--check: fail when out of date)',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(
        formatHelp({
          usage: `${context.path} [options]`,
          description: [
            'Writes one TypeScript interface per <dir>/<type>.avsc, and the map WeirEvents of them all, for',
            "the SDK's createWeirClient<WeirEvents>(). Run it after changing a schema; CI runs it with --check.",
          ],
          options: [
            HELP_ROWS.dir,
            ['--out <file>', `The TypeScript file to write (default: ${DEFAULT_CODEGEN_OUT})`],
            ['--check', 'Write nothing; exit 1 when the file is missing or differs from what would be written'],
            HELP_ROWS.help,
          ],
          footer: ['Exit codes: 0 written or up to date, 1 a schema is invalid or (--check) the file is out of date, 2 usage error.'],
        }),
      );
      return 0;
    }
    if (values.out !== undefined && values.out.trim() === '') throw usageError(context, '--out needs a file path');
    const out = path.resolve(context.cwd, values.out ?? DEFAULT_CODEGEN_OUT);
    const shown = path.relative(context.cwd, out).startsWith('..') ? out : path.relative(context.cwd, out);
    const local = readLocalSchemas(resolveSchemaDir(context, values.dir), context.cwd);
    if (local.invalid.length > 0) {
      context.stderr.write(local.invalid.map((p) => `${p.file}: invalid: ${p.problem}\n`).join(''));
      context.stderr.write(`${local.invalid.length} invalid schema(s) in ${local.dir}: nothing generated.\n`);
      return 1;
    }
    let source: string;
    try {
      source = generateEventTypes(local.valid);
    } catch (error) {
      if (!(error instanceof CodegenError)) throw error;
      context.stderr.write(`${error.message}\n`);
      return 1;
    }
    const current = readIfExists(out);
    const summary = `${local.valid.length} event type(s) from ${local.dir}`;
    if (values.check === true) {
      if (current === source) {
        context.stdout.write(`${shown} is up to date with ${summary}.\n`);
        return 0;
      }
      const state = current === undefined ? 'does not exist' : 'is out of date';
      context.stderr.write(`${shown} ${state} with ${summary}: run \`${REGENERATE}\` and commit the result.\n`);
      return 1;
    }
    if (current === source) {
      context.stdout.write(`${shown} is already up to date with ${summary}.\n`);
      return 0;
    }
    try {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, source);
    } catch (error) {
      throw usageError(context, `cannot write ${shown}: ${(error as Error).message}; pass --out <file> to write elsewhere`, error);
    }
    context.stdout.write(`Wrote ${shown}: ${summary}.\n`);
    return 0;
  },
};

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A schema that parses but cannot be turned into the SDK's types (it names a field like the envelope). */
export class CodegenError extends Error {
  override readonly name = 'CodegenError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const TIMESTAMP = 'number | string | Date';
/** Fields the SDK's envelope stands for, and the envelope's own names, which no schema field may take. */
const REPLACED = new Set(['event_id', 'event_time']);
const ENVELOPE = new Set(['type', 'id', 'timestamp']);
const TAKEN_NAMES = ['WeirEvents', 'WeirEventType', 'WeirEvent', 'Date', 'Record', 'Array', 'ReadonlyArray', 'String', 'Number', 'Boolean', 'Object'];

/** The generated module for `schemas`, which must each parse (readLocalSchemas checked that). */
export function generateEventTypes(schemas: readonly Pick<LocalSchema, 'file' | 'type' | 'schema'>[]): string {
  const declarations: string[] = [];
  const names = new Map<string, string>(TAKEN_NAMES.map((n) => [n, '']));
  const entries: (readonly [type: string, name: string])[] = [];

  /** A TS name for a named type: its own name unless another definition has it; the same definition shares it. */
  function claim(simple: string, signature: string, owner: string): { name: string; fresh: boolean } {
    const candidates = [simple, `${owner}${simple}`, ...Array.from({ length: 98 }, (_, i) => `${simple}${i + 2}`)];
    for (const name of candidates) {
      const held = names.get(name);
      if (held === signature) return { name, fresh: false };
      if (held === undefined) {
        names.set(name, signature);
        return { name, fresh: true };
      }
    }
    throw new CodegenError(`too many different types named ${simple}`);
  }

  for (const schema of [...schemas].sort((a, b) => a.type.localeCompare(b.type))) {
    const root = JSON.parse(schema.schema) as Json;
    const where = schema.file;
    if (!isObject(root) || root['type'] !== 'record') throw new CodegenError(`${where}: an event schema must be a record, so that its fields can be typed`);
    const scope = new Map<string, string>();
    const owner = String(root['name']).split('.').pop() ?? '';

    const typeOf = (s: Json, ns: string | undefined, at: string): string => {
      if (typeof s === 'string') return primitive(s) ?? referenced(s, ns, at);
      if (Array.isArray(s)) return union(s.map((b) => typeOf(b, ns, at)));
      if (!isObject(s)) throw new CodegenError(`${where}: unexpected schema at ${at}`);
      const logical = logicalType(s);
      if (typeof s['name'] === 'string' && ['record', 'enum', 'fixed'].includes(String(s['type']))) return named(s, ns, at, logical);
      if (logical !== undefined) return logical;
      if (s['type'] === 'array') return `readonly ${wrap(typeOf(s['items'] ?? null, ns, `${at}/items`))}[]`;
      if (s['type'] === 'map') return `Record<string, ${typeOf(s['values'] ?? null, ns, `${at}/values`)}>`;
      return typeOf(s['type'] ?? null, ns, `${at}/type`);
    };

    const referenced = (name: string, ns: string | undefined, at: string): string => {
      const found = scope.get(name.includes('.') || ns === undefined ? name : `${ns}.${name}`) ?? scope.get(name);
      if (found === undefined) throw new CodegenError(`${where}: unknown type ${JSON.stringify(name)} at ${at}`);
      return found;
    };

    const named = (s: JsonObject, outer: string | undefined, at: string, logical: string | undefined): string => {
      const rawName = String(s['name']);
      const ns = rawName.includes('.') ? rawName.slice(0, rawName.lastIndexOf('.')) : typeof s['namespace'] === 'string' ? s['namespace'] : outer;
      const simple = rawName.split('.').pop() ?? rawName;
      const fullname = ns === undefined || ns === '' ? simple : `${ns}.${simple}`;
      const { name, fresh } = claim(simple, `${fullname} ${JSON.stringify(s)}`, owner);
      scope.set(fullname, name);
      if (!fresh) return name;
      const docs = typeof s['doc'] === 'string' ? [s['doc']] : [];
      if (s['type'] === 'enum') {
        const symbols = (Array.isArray(s['symbols']) ? s['symbols'] : []).map((x) => `'${String(x)}'`);
        declarations.push(`${jsDoc(docs, '')}export type ${name} =${unionLines(symbols)};\n`);
      } else if (s['type'] === 'fixed') {
        const size = typeof s['size'] === 'number' ? `${s['size']} bytes` : 'fixed size';
        declarations.push(`${jsDoc([...docs, `Avro fixed (${size})${logical ? '' : ', base64-encoded'}.`], '')}export type ${name} = ${logical ?? 'string'};\n`);
      } else {
        // Pushed before the fields are walked, so that the record comes ahead of the types it uses.
        const slot = declarations.push('') - 1;
        declarations[slot] = recordInterface(name, docs, s, ns, `${at}`, false);
      }
      return name;
    };

    const recordInterface = (name: string, docs: string[], s: JsonObject, ns: string | undefined, at: string, event: boolean): string => {
      const fields = Array.isArray(s['fields']) ? s['fields'].filter(isObject) : [];
      const lines: string[] = [];
      if (event) {
        const doc = (field: string) => fields.find((f) => f['name'] === field)?.['doc'];
        const idDoc = [String(doc('event_id') ?? 'Id of the event.'), 'Optional: the SDK assigns a UUIDv7 when absent, and keeps it across retries.'];
        const timeDoc = [String(doc('event_time') ?? 'When it happened.'), 'Epoch milliseconds, an RFC 3339 string or a Date; the SDK sets the time of track() when absent.'];
        lines.push(`  type: '${schema.type}';`, `${jsDoc(idDoc, '  ')}  id?: string;`, `${jsDoc(timeDoc, '  ')}  timestamp?: ${TIMESTAMP};`);
      }
      fields.forEach((field, index) => {
        const fieldName = String(field['name']);
        if (event && REPLACED.has(fieldName)) return;
        if (event && ENVELOPE.has(fieldName)) {
          throw new CodegenError(`${where}: the field '${fieldName}' has the name of the envelope field the SDK sends beside the event's fields; rename it`);
        }
        const valueType = typeOf(field['type'] ?? null, ns, `${at}/fields/${index}/type`);
        // The gateway fills in a missing field from its default; without one, even a nullable field must be sent.
        const optional = field['default'] !== undefined;
        const docLines = typeof field['doc'] === 'string' ? [field['doc']] : [];
        if (field['default'] !== undefined && field['default'] !== null) docLines.push(`@default ${JSON.stringify(field['default'])}`);
        lines.push(`${jsDoc(docLines, '  ')}  ${fieldName}${optional ? '?' : ''}: ${valueType};`);
      });
      return `${jsDoc(docs, '')}export interface ${name} {\n${lines.join('\n')}\n}\n`;
    };

    const { name } = claim(owner, `event ${schema.type}`, owner);
    const rootName = String(root['name']);
    const ns = rootName.includes('.') ? rootName.slice(0, rootName.lastIndexOf('.')) : typeof root['namespace'] === 'string' ? root['namespace'] : undefined;
    scope.set(ns === undefined ? owner : `${ns}.${owner}`, name);
    const docs = [...(typeof root['doc'] === 'string' ? [root['doc']] : []), `Event type \`${schema.type}\` (schema ${path.basename(schema.file)}).`];
    const slot = declarations.push('') - 1;
    declarations[slot] = recordInterface(name, docs, root, ns, '', true);
    entries.push([schema.type, name]);
  }

  const header = [
    `// Generated by \`weir schemas codegen\` from ${schemas.map((s) => path.basename(s.file)).sort().join(', ')}. Do not edit:`,
    `// change the schemas and run \`${REGENERATE}\` (CI fails when this file is out of date).`,
    '',
  ].join('\n');
  const map = [
    '/** Every event type by name: the type map of `createWeirClient<WeirEvents>()`. */',
    `export type WeirEvents = {\n${entries.map(([type, name]) => `  ${type}: ${name};`).join('\n')}\n};`,
    '',
    '/** The name of an event type. */',
    'export type WeirEventType = keyof WeirEvents;',
    '',
    '/** Any event. */',
    'export type WeirEvent = WeirEvents[WeirEventType];',
    '',
  ].join('\n');
  return `${header}\n${declarations.join('\n')}\n${map}`;
}

function primitive(name: string): string | undefined {
  const map: Record<string, string> = { null: 'null', boolean: 'boolean', int: 'number', long: 'number', float: 'number', double: 'number', bytes: 'string', string: 'string' };
  return map[name];
}

/** The JSON forms the gateway accepts for a logical type; undefined for none (or one it does not know). */
function logicalType(s: JsonObject): string | undefined {
  const logical = s['logicalType'];
  if (typeof logical !== 'string') return undefined;
  if (/^(local-)?timestamp-(millis|micros|nanos)$/.test(logical) && s['type'] === 'long') return TIMESTAMP;
  if (logical === 'date' && s['type'] === 'int') return 'number | string';
  if (logical === 'decimal' && (s['type'] === 'bytes' || s['type'] === 'fixed')) return 'number | string';
  return undefined;
}

/** `A | B`, each member once, null last (as `T | null` reads). */
function union(types: readonly string[]): string {
  const members = [...new Set(types)];
  return [...members.filter((t) => t !== 'null'), ...members.filter((t) => t === 'null')].join(' | ');
}

/** ` A | B` on one line when short, else one `| member` per line. */
function unionLines(members: readonly string[]): string {
  if (members.length === 0) return ' never';
  const line = ` ${members.join(' | ')}`;
  return line.length <= 100 ? line : members.map((m) => `\n  | ${m}`).join('');
}

/** Parenthesized where `T[]` would bind wrongly: `(A | B)[]`, `(readonly A[])[]`. */
function wrap(type: string): string {
  return type.includes(' | ') || type.startsWith('readonly ') ? `(${type})` : type;
}

function jsDoc(lines: readonly string[], indent: string): string {
  const text = lines.flatMap((l) => l.replaceAll('*/', '*\\/').split('\n'));
  if (text.length === 0) return '';
  if (text.length === 1) return `${indent}/** ${text[0]} */\n`;
  return `${indent}/**\n${text.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
