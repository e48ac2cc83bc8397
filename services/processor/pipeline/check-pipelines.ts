/**
 * What `weir pipelines check` runs for CI: loads every definition of `dir` as the processor would
 * at start, with the local event schemas (`<schemasDir>/<type>.avsc`) standing in for the latest
 * registered ones (they are what CI registers), and returns every problem as one line naming the
 * file, the JSON Pointer and the problem. Hook modules are imported, so their own errors show too.
 * Needs no registry, broker or secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import { messageOf } from '../../shared/errors.ts';
import { loadPipelines, type ReaderSchemaSource } from './load-pipelines.ts';
import { formatProblem, isPipelineError } from './pipeline-errors.ts';

export interface PipelineCheck {
  readonly ok: boolean;
  /** `schemas/pipelines/purchase.json at /rules/1/min: must be a number, got string "0"`. */
  readonly problems: readonly string[];
  /** The event types whose definitions passed (all of them when ok). */
  readonly types: readonly string[];
}

export async function checkPipelines(dir: string, schemasDir: string): Promise<PipelineCheck> {
  const latestReaderSchema = localReaderSchemas(schemasDir);
  try {
    const pipelines = await loadPipelines(dir, { latestReaderSchema });
    return { ok: true, problems: [], types: [...pipelines.keys()] };
  } catch (error) {
    if (!isPipelineError(error)) throw error;
    const failed = new Set(error.problems.map((p) => p.type));
    return { ok: false, problems: error.problems.map(formatProblem), types: definitionTypes(dir).filter((type) => !failed.has(type)) };
  }
}

/** The local event schemas (`<schemasDir>/<type>.avsc`) standing in for the latest registered ones. */
export function localReaderSchemas(schemasDir: string): (type: string) => Promise<ReaderSchemaSource> {
  return async (type) => {
    const file = path.join(schemasDir, `${type}.avsc`);
    try {
      return { text: fs.readFileSync(file, 'utf8'), origin: file };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${messageOf(error)})`;
      return { problem: `${file} ${reason}; add the event schema, or name one with "readerSchema": {"file": ...}` };
    }
  };
}

function definitionTypes(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => path.basename(name, '.json')).sort();
  } catch {
    return [];
  }
}
