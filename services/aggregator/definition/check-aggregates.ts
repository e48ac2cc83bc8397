/**
 * The CI check of the aggregate definitions (for a `weir aggregates check`): loads every
 * definition of `dir` against the clean schema of its type, derived as the processor derives it
 * from the pipeline definition (`<pipelinesDir>/<type>.json`) and the local event schema
 * (`<schemasDir>/<type>.avsc`), and returns every problem as one line naming the file, the JSON
 * Pointer and the problem. Needs no registry, broker or secret.
 *
 * When the pipeline definitions themselves are invalid, no clean schema can be derived: their
 * problems are returned too (they are what to fix first), and every aggregate definition is still
 * checked for its own shape.
 */
import fs from 'node:fs';
import path from 'node:path';
import { localReaderSchemas } from '../../processor/pipeline/check-pipelines.ts';
import { loadPipelines } from '../../processor/pipeline/load-pipelines.ts';
import type { Pipeline } from '../../processor/pipeline/pipeline.ts';
import { formatProblem, isPipelineError, type PipelineProblem } from '../../processor/pipeline/pipeline-errors.ts';
import { isAggregateError } from './aggregate-errors.ts';
import { AGGREGATE_EXTENSION, type CleanSchemaSource, loadAggregates } from './load-aggregates.ts';

export interface AggregateCheck {
  readonly ok: boolean;
  /** `schemas/aggregates/purchase.json at /measures/2/field: the clean schema of purchase has no field ...`. */
  readonly problems: readonly string[];
  /** The event types whose aggregate definitions passed (all of them when ok). */
  readonly types: readonly string[];
}

export async function checkAggregates(aggregatesDir: string, pipelinesDir: string, schemasDir: string): Promise<AggregateCheck> {
  const pipelineProblems: PipelineProblem[] = [];
  let pipelines: ReadonlyMap<string, Pipeline> = new Map();
  try {
    pipelines = await loadPipelines(pipelinesDir, { latestReaderSchema: localReaderSchemas(schemasDir) });
  } catch (error) {
    if (!isPipelineError(error)) throw error;
    pipelineProblems.push(...error.problems);
  }
  const cleanSchema = async (type: string): Promise<CleanSchemaSource> => {
    const pipeline = pipelines.get(type);
    if (pipeline !== undefined) return { text: JSON.stringify(pipeline.outputSchema), origin: `the clean schema derived from ${pipeline.file}` };
    if (pipelineProblems.length > 0) return { problem: `the pipeline definitions in ${pipelinesDir} are invalid (their problems are listed), so the clean schema cannot be derived` };
    return { problem: `${path.join(pipelinesDir, `${type}.json`)} does not exist; the aggregator reads weir.clean.${type}, which only a pipeline writes` };
  };
  try {
    const aggregates = await loadAggregates(aggregatesDir, { cleanSchema });
    const problems = pipelineProblems.map(formatProblem);
    return { ok: problems.length === 0, problems, types: [...aggregates.keys()] };
  } catch (error) {
    if (!isAggregateError(error)) throw error;
    const failed = new Set(error.problems.map((p) => p.type));
    const problems = [...pipelineProblems, ...error.problems].map(formatProblem);
    return { ok: false, problems, types: aggregateTypes(aggregatesDir).filter((type) => !failed.has(type)) };
  }
}

function aggregateTypes(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith(AGGREGATE_EXTENSION)).map((name) => path.basename(name, AGGREGATE_EXTENSION)).sort();
  } catch {
    return [];
  }
}
