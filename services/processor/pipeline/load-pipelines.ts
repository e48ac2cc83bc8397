/**
 * Loads every pipeline definition of a folder (`<dir>/<type>.json`; other files and subfolders,
 * such as tables/ and hooks/, are not definitions) and compiles each into a Pipeline. Every file
 * is checked completely before anything is refused, and one PipelineError lists the problems of
 * all files at once, each with its file and JSON Pointer: a CI run shows everything to fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { parseAvroSchema } from '../../registry/avro-schema.ts';
import { isRegistryError } from '../../registry/registry-errors.ts';
import { messageOf } from '../../shared/errors.ts';
import { compileRules } from './compile-rules.ts';
import { compileTransforms } from './compile-transforms.ts';
import type { PipelineDefinition } from './definition.ts';
import { describeShape, type PipelineField, readerFields } from './field-shape.ts';
import { loadHook, type PipelineHook } from './hook.ts';
import { pointer } from './json-reader.ts';
import { buildOutputSchema } from './output-schema.ts';
import { EVENT_TYPE, parseDefinition } from './parse-definition.ts';
import { createPipeline, type Pipeline } from './pipeline.ts';
import { PipelineError, type PipelineProblem, type Report, reporterFor } from './pipeline-errors.ts';

export const DEFINITION_EXTENSION = '.json';

/** A reader schema's text and where it came from (a file, or a registry subject and version). */
export type ReaderSchemaSource = { readonly text: string; readonly origin: string } | { readonly problem: string };

export interface LoadPipelinesOptions {
  /**
   * The reader schema of a type whose definition names no file: the latest version registered under
   * weir.raw.<type>-value when the processor starts, the local schemas/events/<type>.avsc in CI.
   */
  readonly latestReaderSchema: (type: string) => Promise<ReaderSchemaSource>;
}

interface Reader {
  readonly json: Readonly<Record<string, unknown>>;
  readonly type: avro.Type;
}

/** The pipelines by event type; throws PipelineError PIPELINES_INVALID listing every problem. */
export async function loadPipelines(dir: string, options: LoadPipelinesOptions): Promise<ReadonlyMap<string, Pipeline>> {
  const problems: PipelineProblem[] = [];
  const pipelines = new Map<string, Pipeline>();
  for (const file of definitionFiles(dir, problems)) {
    const type = path.basename(file, DEFINITION_EXTENSION);
    const pipeline = await loadOne(file, type, options, problems);
    if (pipeline !== undefined) pipelines.set(type, pipeline);
  }
  if (problems.length > 0) throw new PipelineError('PIPELINES_INVALID', problems);
  return pipelines;
}

/** The `<type>.json` files of a folder, in name order; a missing or empty folder is a problem. `what` names the kind of definition. */
export function definitionFiles(dir: string, problems: PipelineProblem[], what = 'pipeline'): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${messageOf(error)})`;
    problems.push({ file: dir, path: '', message: `the ${what} folder ${reason}` });
    return [];
  }
  const files = entries.filter((e) => e.isFile() && e.name.endsWith(DEFINITION_EXTENSION)).map((e) => e.name).sort();
  if (files.length === 0) problems.push({ file: dir, path: '', message: `holds no ${what} definition (<type>${DEFINITION_EXTENSION})` });
  return files.map((name) => path.join(dir, name));
}

async function loadOne(file: string, type: string, options: LoadPipelinesOptions, problems: PipelineProblem[]): Promise<Pipeline | undefined> {
  const before = problems.length;
  const report = reporterFor(file, type, problems);
  const json = readDefinitionJson(file, type, report);
  const parsed = json === undefined ? undefined : parseDefinition(json.value, type, report);
  if (parsed === undefined) return undefined;
  const { definition, complete } = parsed;

  const hook = definition.hook === undefined ? undefined : await loadHook(file, definition.hook.module);
  if (hook !== undefined && 'problem' in hook) report(pointer(definition.hook?.at ?? '', 'module'), hook.problem);
  const reader = await readerOf(definition, type, file, options, problems, report);
  if (reader === undefined) return undefined;

  const fields = readerFields(reader.json, reader.type);
  const rules = compileRules(definition.rules, fields, report);
  checkDedup(definition, fields, report);
  const transforms = compileTransforms(definition.transforms, fields, report, { definitionFile: file, reportIn: (f) => reporterFor(f, type, problems) });
  const added = definition.hook?.addsFields ?? [];
  const taken = new Set(transforms.fields.map((f) => f.name));
  for (const field of added) {
    if (taken.has(field.name)) report(pointer(field.at, 'name'), `a field named "${field.name}" already exists in the output; pick another name`);
    taken.add(field.name);
  }
  if (!complete || problems.length > before) return undefined;

  const output = buildOutputSchema(reader.json, type, transforms.fields, added);
  if ('problem' in output) {
    report(added.length > 0 ? pointer(definition.hook?.at ?? '', 'addsFields') : '', output.problem);
    return undefined;
  }
  return createPipeline({
    type,
    file,
    readerSchema: reader.json,
    readerType: reader.type,
    outputSchema: output.schema,
    outputType: output.avroType,
    dedup: definition.dedup === undefined ? undefined : { idField: definition.dedup.idField, horizonMs: definition.dedup.horizonMs },
    requiredSecrets: transforms.secrets,
    deadLetter: definition.deadLetter,
    rules,
    steps: transforms.steps,
    transformedFields: transforms.fields.map((f) => f.name),
    hook: hook !== undefined && 'hook' in hook ? (hook.hook as PipelineHook) : undefined,
  });
}

/** The JSON of a definition file `<type>.json`, or undefined after reporting why not (a name that is no event type too). */
export function readDefinitionJson(file: string, type: string, report: Report): { value: unknown } | undefined {
  if (!EVENT_TYPE.test(type)) {
    report('', `"${type}" is not an event type (lower case letters, digits and _, starting with a letter); name the file <type>${DEFINITION_EXTENSION}`);
    return undefined;
  }
  return readJson(file, report);
}

function readJson(file: string, report: Report): { value: unknown } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    report('', `cannot be read: ${messageOf(error)}`);
    return undefined;
  }
  try {
    return { value: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown };
  } catch (error) {
    report('', `is not valid JSON: ${messageOf(error)}`);
    return undefined;
  }
}

async function readerOf(definition: PipelineDefinition, type: string, file: string, options: LoadPipelinesOptions, problems: PipelineProblem[], report: Report): Promise<Reader | undefined> {
  let source: ReaderSchemaSource;
  if (definition.readerSchema === undefined) {
    source = await options.latestReaderSchema(type);
  } else {
    const schemaFile = path.join(path.dirname(file), definition.readerSchema.file);
    try {
      source = { text: fs.readFileSync(schemaFile, 'utf8'), origin: schemaFile };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${messageOf(error)})`;
      report(definition.readerSchema.at, `the reader schema ${schemaFile} ${reason}; the path is relative to this definition's folder`);
      return undefined;
    }
  }
  if ('problem' in source) {
    report(definition.readerSchema?.at ?? '', `no reader schema: ${source.problem}`);
    return undefined;
  }
  try {
    const parsed = parseAvroSchema(source.text.replace(/^\uFEFF/, ''));
    if (parsed.type.typeName !== 'record') throw new Error(`an event schema must be a record, not ${parsed.type.typeName}`);
    return { json: JSON.parse(parsed.text) as Record<string, unknown>, type: parsed.type };
  } catch (error) {
    const at = isRegistryError(error) && typeof error.details['path'] === 'string' ? error.details['path'] : '';
    problems.push({ file: source.origin, path: at, message: `the reader schema is not usable: ${messageOf(error)}`, type });
    return undefined;
  }
}

function checkDedup(definition: PipelineDefinition, fields: readonly PipelineField[], report: Report): void {
  const dedup = definition.dedup;
  if (dedup === undefined) return;
  const field = fields.find((f) => f.name === dedup.idField);
  const at = dedup.at === '' ? '' : pointer(dedup.at, 'idField');
  const fix = dedup.at === '' ? ' (duplicates are dropped on event_id unless "dedup" says otherwise: name another field, or set "dedup": false)' : '';
  if (field === undefined) report(at, `the reader schema has no field "${dedup.idField}" to drop duplicates on${fix}`);
  else if (!['string', 'int', 'long'].includes(field.shape.kind)) report(at, `duplicates are dropped on a string, int or long id, but "${dedup.idField}" is ${describeShape(field.shape)}${fix}`);
}
