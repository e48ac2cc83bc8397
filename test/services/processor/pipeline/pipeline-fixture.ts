/**
 * Definitions written to a fresh temporary folder per call (removed when the test ends), loaded
 * against a test reader schema with one field of each kind the rules and transforms care about.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { loadPipelines, type ReaderSchemaSource } from '../../../../services/processor/pipeline/load-pipelines.ts';
import type { Pipeline } from '../../../../services/processor/pipeline/pipeline.ts';
import { isPipelineError, type PipelineProblem } from '../../../../services/processor/pipeline/pipeline-errors.ts';
import type { PipelineRecord, ProcessContext } from '../../../../services/processor/pipeline/process-result.ts';

export const THING_SCHEMA = {
  type: 'record',
  name: 'Thing',
  namespace: 'dev.weir.events',
  doc: 'A test event with a field of each kind.',
  fields: [
    { name: 'event_id', type: 'string', doc: 'Idempotency key.' },
    { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'When it happened.' },
    { name: 'name', type: 'string', doc: 'A string.' },
    { name: 'nick', type: ['null', 'string'], default: null, doc: 'A nullable string.' },
    { name: 'count', type: 'int', doc: 'An int.' },
    { name: 'total', type: 'long', default: 0, doc: 'A long.' },
    { name: 'ratio', type: 'double', doc: 'A double.' },
    { name: 'score', type: ['null', 'float'], default: null, doc: 'A nullable float.' },
    { name: 'flag', type: 'boolean', default: false, doc: 'A boolean.' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B', 'C'], default: 'A', doc: 'Kinds.' }, default: 'A', doc: 'An enum.' },
    { name: 'url', type: 'string', doc: 'A URL.' },
    { name: 'ref', type: ['null', 'string'], default: null, doc: 'A nullable URL.' },
    { name: 'code', type: ['null', 'long'], default: null, doc: 'A nullable long.' },
    { name: 'props', type: { type: 'map', values: 'string' }, default: {}, doc: 'A map of strings.' },
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [], doc: 'An array.' },
  ],
} as const;

export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

export function thing(overrides: PipelineRecord = {}): PipelineRecord {
  return {
    event_id: 'e-1',
    event_time: NOW - 1000,
    name: 'Widget',
    nick: null,
    count: 3,
    total: 1234,
    ratio: 0.5,
    score: null,
    flag: true,
    kind: 'B',
    url: 'https://Shop.Example.com:8443/a/b?x=1#top',
    ref: null,
    code: null,
    props: { plan: 'pro' },
    tags: ['t'],
    ...overrides,
  };
}

export function context(overrides: Partial<ProcessContext> = {}): ProcessContext {
  return { now: NOW, secrets: (name) => (name === 'TEST_SECRET' ? 'k3y' : undefined), ...overrides };
}

/** A fresh folder holding `files` (objects are written as JSON), removed when the test ends. */
export function tempFolder(files: Readonly<Record<string, unknown>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-pipelines-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** Reader schemas by type: `thing` is THING_SCHEMA unless given. */
export function latestFrom(schemas: Readonly<Record<string, unknown>> = {}) {
  return async (type: string): Promise<ReaderSchemaSource> => {
    const schema = schemas[type] ?? (type === 'thing' ? THING_SCHEMA : undefined);
    if (schema === undefined) return { problem: `no subject weir.raw.${type}-value` };
    return { text: typeof schema === 'string' ? schema : JSON.stringify(schema), origin: `weir.raw.${type}-value (latest)` };
  };
}

/** The `thing` pipeline from a definition (source defaults to "thing"), with extra files beside it. */
export async function thingPipeline(definition: Record<string, unknown>, extraFiles: Readonly<Record<string, unknown>> = {}): Promise<Pipeline> {
  const dir = tempFolder({ 'thing.json': { source: 'thing', ...definition }, ...extraFiles });
  const pipelines = await loadPipelines(dir, { latestReaderSchema: latestFrom() });
  const pipeline = pipelines.get('thing');
  if (pipeline === undefined) throw new Error('no thing pipeline');
  return pipeline;
}

/** The problems of loading `files`, with file names relative to the folder. */
export async function problemsOf(files: Readonly<Record<string, unknown>>, schemas: Readonly<Record<string, unknown>> = {}): Promise<PipelineProblem[]> {
  const dir = tempFolder(files);
  try {
    await loadPipelines(dir, { latestReaderSchema: latestFrom(schemas) });
  } catch (error) {
    if (!isPipelineError(error, 'PIPELINES_INVALID')) throw error;
    return error.problems.map((p) => ({ ...p, file: path.relative(dir, p.file) || '.' }));
  }
  throw new Error('expected the definitions to be refused');
}

/** The problems of one `thing` definition, as "path: message" lines. */
export async function thingProblems(definition: Record<string, unknown>, extraFiles: Readonly<Record<string, unknown>> = {}): Promise<string[]> {
  const problems = await problemsOf({ 'thing.json': { source: 'thing', ...definition }, ...extraFiles });
  return problems.map((p) => `${p.file === 'thing.json' ? '' : `${p.file} `}${p.path}: ${p.message}`);
}
