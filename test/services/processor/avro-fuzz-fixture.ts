/** Shared by the fuzz tests: the shipped pipelines on the starter schemas, and a fake writer-schema lookup. */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DECODE_REASONS } from '../../../services/processor/dead-letter.ts';
import { loadPipelines } from '../../../services/processor/pipeline/load-pipelines.ts';
import type { Pipeline } from '../../../services/processor/pipeline/pipeline.ts';
import { DUPLICATE, REASON_CODES } from '../../../services/processor/pipeline/process-result.ts';
import { WriterSchemas } from '../../../services/processor/writer-schemas.ts';
import { RegistryRefusedError } from '../../../services/shared/registry/registry-client-error.ts';
import { fuzzSchemas, STARTER_TYPES, type FuzzSchemas, type StarterType } from './avro-fuzz-payloads.ts';

const root = path.join(import.meta.dirname, '../../..');
export const EVENTS_DIR = path.join(root, 'schemas/events');
export const PIPELINES_DIR = path.join(root, 'schemas/pipelines');

/** Every reason a dead letter may carry: the processor's decode reasons, the pipelines' codes, duplicates. */
export const DOCUMENTED_REASONS: ReadonlySet<string> = new Set<string>([...DECODE_REASONS, ...Object.keys(REASON_CODES), DUPLICATE]);

export const schemas: FuzzSchemas = fuzzSchemas(EVENTS_DIR);

export async function starterPipelines(): Promise<Record<StarterType, Pipeline>> {
  const loaded = await loadPipelines(PIPELINES_DIR, {
    latestReaderSchema: async (type) => ({ text: fs.readFileSync(path.join(EVENTS_DIR, `${type}.avsc`), 'utf8'), origin: type }),
  });
  const out = {} as Record<StarterType, Pipeline>;
  for (const type of STARTER_TYPES) {
    const pipeline = loaded.get(type);
    if (pipeline === undefined) throw new Error(`no shipped pipeline for ${type}`);
    out[type] = pipeline;
  }
  return out;
}

/** Writer schemas served from memory; ids the fuzz schemas do not have are unknown (40403). */
export function fakeWriterSchemas(): WriterSchemas {
  return new WriterSchemas({
    fetchSchema: async (id) => {
      const text = schemas.texts.get(id);
      if (text === undefined) throw new RegistryRefusedError(40403, 404, `Schema ${id} not found`);
      return text;
    },
    sleep: async () => undefined,
  });
}

/** global.gc where the runner exposes it (the integration project), else V8's own through a flag set at run time. */
export function collectGarbage(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
