/**
 * Loads every aggregate definition of a folder (`<dir>/<type>.json`; other files are not
 * definitions) and checks each against the clean schema of its type. Every file is checked
 * completely before anything is refused, and one AggregateError lists the problems of all files
 * at once, each with its file and JSON Pointer.
 */
import path from 'node:path';
import { parseAvroSchema } from '../../registry/avro-schema.ts';
import { messageOf } from '../../shared/errors.ts';
import { type PipelineField, readerFields } from '../../processor/pipeline/field-shape.ts';
import { DEFINITION_EXTENSION, definitionFiles, readDefinitionJson, type ReaderSchemaSource } from '../../processor/pipeline/load-pipelines.ts';
import { type Report, reporterFor } from '../../processor/pipeline/pipeline-errors.ts';
import type { Aggregate } from './aggregate-definition.ts';
import { AggregateError, type AggregateProblem } from './aggregate-errors.ts';
import { checkFields } from './check-fields.ts';
import { parseAggregate } from './parse-aggregate.ts';

export const AGGREGATE_EXTENSION = DEFINITION_EXTENSION;

/** A clean schema's text and where it came from, or why there is none. */
export type CleanSchemaSource = ReaderSchemaSource;

export interface LoadAggregatesOptions {
  /**
   * The clean schema of a type: the latest registered under weir.clean.<type>-value when the
   * aggregator starts; the one derived from the pipeline definition in CI (check-aggregates.ts).
   */
  readonly cleanSchema: (type: string) => Promise<CleanSchemaSource>;
}

/** The aggregates by event type; throws AggregateError AGGREGATES_INVALID listing every problem. */
export async function loadAggregates(dir: string, options: LoadAggregatesOptions): Promise<ReadonlyMap<string, Aggregate>> {
  const problems: AggregateProblem[] = [];
  const aggregates = new Map<string, Aggregate>();
  for (const file of definitionFiles(dir, problems, 'aggregate')) {
    const type = path.basename(file, AGGREGATE_EXTENSION);
    const aggregate = await loadOne(file, type, options, problems);
    if (aggregate !== undefined) aggregates.set(type, aggregate);
  }
  if (problems.length > 0) throw new AggregateError('AGGREGATES_INVALID', problems);
  return aggregates;
}

async function loadOne(file: string, type: string, options: LoadAggregatesOptions, problems: AggregateProblem[]): Promise<Aggregate | undefined> {
  const report = reporterFor(file, type, problems);
  const json = readDefinitionJson(file, type, report);
  const parsed = json === undefined ? undefined : parseAggregate(json.value, type, report);
  if (parsed === undefined) return undefined;
  const fields = cleanFields(await options.cleanSchema(type), type, problems, report);
  if (fields === undefined) return undefined;
  const dimensionShapes = checkFields(parsed.definition, fields, report);
  if (dimensionShapes === undefined || !parsed.complete) return undefined;
  return Object.freeze({ ...parsed.definition, file, dimensionShapes });
}

function cleanFields(source: CleanSchemaSource, type: string, problems: AggregateProblem[], report: Report): PipelineField[] | undefined {
  if ('problem' in source) {
    report('', `no clean schema for ${type}: ${source.problem}`);
    return undefined;
  }
  try {
    const parsed = parseAvroSchema(source.text.replace(/^\uFEFF/, ''));
    if (parsed.type.typeName !== 'record') throw new Error(`an event schema must be a record, not ${parsed.type.typeName}`);
    return readerFields(JSON.parse(parsed.text) as Record<string, unknown>, parsed.type);
  } catch (error) {
    problems.push({ file: source.origin, path: '', message: `the clean schema is not usable: ${messageOf(error)}`, type });
    return undefined;
  }
}
