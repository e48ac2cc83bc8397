/**
 * Aggregate definitions written to a fresh temporary folder per call, loaded against the test
 * schema of the pipeline tests (a field of each kind) standing in for the clean schema.
 */
import path from 'node:path';
import type { Aggregate } from '../../../../services/aggregator/definition/aggregate-definition.ts';
import { isAggregateError } from '../../../../services/aggregator/definition/aggregate-errors.ts';
import { type CleanSchemaSource, loadAggregates } from '../../../../services/aggregator/definition/load-aggregates.ts';
import { tempFolder, THING_SCHEMA } from '../../processor/pipeline/pipeline-fixture.ts';

/** The smallest valid definition of `thing`, for tests to change one part of. */
export const MINIMAL = {
  source: 'thing',
  dimensions: ['name'],
  measures: [{ kind: 'count', name: 'events' }],
  windows: [{ kind: 'tumbling', sizeMs: 60_000 }],
} as const;

async function thingClean(type: string): Promise<CleanSchemaSource> {
  return type === 'thing' ? { text: JSON.stringify(THING_SCHEMA), origin: 'weir.clean.thing-value' } : { problem: `no subject weir.clean.${type}-value` };
}

/** The `thing` aggregate from MINIMAL with `changes` over it. */
export async function thingAggregate(changes: Record<string, unknown> = {}): Promise<Aggregate> {
  const dir = tempFolder({ 'thing.json': { ...MINIMAL, ...changes } });
  const aggregate = (await loadAggregates(dir, { cleanSchema: thingClean })).get('thing');
  if (aggregate === undefined) throw new Error('no thing aggregate');
  return aggregate;
}

/** The problems of loading `files`, as "file path: message" lines (file left out for thing.json). */
export async function problemsOf(files: Readonly<Record<string, unknown>>): Promise<string[]> {
  const dir = tempFolder(files);
  try {
    await loadAggregates(dir, { cleanSchema: thingClean });
  } catch (error) {
    if (!isAggregateError(error, 'AGGREGATES_INVALID')) throw error;
    return error.problems.map((p) => {
      const file = path.relative(dir, p.file) || '.';
      return `${file === 'thing.json' ? '' : `${file} `}${p.path}: ${p.message}`;
    });
  }
  throw new Error('expected the definitions to be refused');
}

/** The problems of the `thing` definition MINIMAL with `changes` over it. */
export function thingProblems(changes: Record<string, unknown>): Promise<string[]> {
  return problemsOf({ 'thing.json': { ...MINIMAL, ...changes } });
}
