/** `weir pipelines`: the processor's pipeline definitions in schemas/pipelines, and the aggregate definitions built on them. */
import fs from 'node:fs';
import path from 'node:path';
import { type AggregateCheck, checkAggregates } from '../../aggregator/definition/check-aggregates.ts';
import { checkPipelines, type PipelineCheck } from '../../processor/pipeline/check-pipelines.ts';
import { createCommandGroup, formatHelp, HELP_OPTION, parseCommand, usageError, type Command } from '../command.ts';
import { HELP_ROWS, JSON_OPTION } from '../common-options.ts';

const DEFAULT_PIPELINE_DIR = 'schemas/pipelines';
const DEFAULT_SCHEMA_DIR = 'schemas/events';
const DEFAULT_AGGREGATE_DIR = 'schemas/aggregates';
const OPTIONS = { ...HELP_OPTION, ...JSON_OPTION, dir: { type: 'string' }, schemas: { type: 'string' }, aggregates: { type: 'string' } } as const;

interface AggregatesSection extends AggregateCheck {
  readonly dir: string;
  /** False when the folder does not exist: nothing was checked, and that is not a failure. */
  readonly exists: boolean;
}

/**
 * The aggregate definitions of `dir`, checked against the clean schemas the pipelines derive. The
 * problems of invalid pipelines, which checkAggregates returns too, are left out: the pipelines
 * section already lists them.
 */
async function checkAggregatesSection(dir: string, pipelinesDir: string, schemasDir: string, pipelineProblems: readonly string[]): Promise<AggregatesSection> {
  if (!fs.existsSync(dir)) return { dir, exists: false, ok: true, problems: [], types: [] };
  const result = await checkAggregates(dir, pipelinesDir, schemasDir);
  const listed = new Set(pipelineProblems);
  return { dir, exists: true, ...result, problems: result.problems.filter((p) => !listed.has(p)) };
}

const pipelinesCheckCommand: Command = {
  name: 'check',
  summary: 'Validate every pipeline and aggregate definition against the event schemas (for CI)',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(
        formatHelp({
          usage: `${context.path} [options]`,
          description: [
            'Reads every <dir>/<type>.json pipeline definition, checks it strictly (unknown keys, types, regexes,',
            'fields the schema lacks, secrets, lookup tables, hooks) against <schemas>/<type>.avsc, and derives',
            'its output schema. Then checks every <aggregates>/<type>.json aggregate definition (dimensions,',
            'measures, windows, lateness) against that clean schema; a missing <aggregates> folder is reported',
            'and skipped. Every problem is printed with its file and JSON Pointer. See schemas/pipelines/README.md',
            'and schemas/aggregates/README.md.',
          ],
          options: [
            ['--dir <path>', `Folder of the pipeline definitions (default: ${DEFAULT_PIPELINE_DIR})`],
            ['--schemas <path>', `Folder of the event schemas (default: ${DEFAULT_SCHEMA_DIR})`],
            ['--aggregates <path>', `Folder of the aggregate definitions (default: ${DEFAULT_AGGREGATE_DIR})`],
            [HELP_ROWS.json[0], `${HELP_ROWS.json[1]}; the aggregates' result under "aggregates"`],
            HELP_ROWS.help,
          ],
          footer: ['Exit codes: 0 every definition is valid, 1 a pipeline or aggregate definition is invalid, 2 usage error.'],
        }),
      );
      return 0;
    }
    for (const flag of ['dir', 'schemas', 'aggregates'] as const) {
      if (values[flag] !== undefined && values[flag].trim() === '') throw usageError(context, `--${flag} needs a path`);
    }
    const dir = path.resolve(context.cwd, values.dir ?? DEFAULT_PIPELINE_DIR);
    const schemas = path.resolve(context.cwd, values.schemas ?? DEFAULT_SCHEMA_DIR);
    const pipelines = await checkPipelines(dir, schemas);
    const aggregates = await checkAggregatesSection(path.resolve(context.cwd, values.aggregates ?? DEFAULT_AGGREGATE_DIR), dir, schemas, pipelines.problems);
    const ok = pipelines.ok && aggregates.ok;
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify({ dir, schemas, ...pipelines, ok, aggregates }, null, 2)}\n`);
    } else {
      context.stdout.write(formatReport(dir, pipelines, aggregates));
    }
    return ok ? 0 : 1;
  },
};

/** A line per valid section, the problems of the others, and a final count per folder. */
function formatReport(dir: string, pipelines: PipelineCheck, aggregates: AggregatesSection): string {
  const summaries: string[] = [];
  if (pipelines.ok) summaries.push(`${pipelines.types.length} pipeline(s) valid in ${dir}: ${pipelines.types.join(', ')}`);
  if (!aggregates.exists) summaries.push(`no aggregate definitions checked: ${aggregates.dir} does not exist`);
  else if (aggregates.ok) summaries.push(`${aggregates.types.length} aggregate(s) valid in ${aggregates.dir}: ${aggregates.types.join(', ')}`);
  const problems = [...pipelines.problems, ...aggregates.problems];
  if (problems.length === 0) return `${summaries.join('\n')}\n`;
  const counts = [[pipelines.problems.length, dir] as const, [aggregates.problems.length, aggregates.dir] as const]
    .filter(([count]) => count > 0)
    .map(([count, folder]) => `${count} in ${folder}`);
  const head = summaries.length > 0 ? `${summaries.join('\n')}\n` : '';
  return `${head}${problems.map((p) => `  ${p}`).join('\n')}\n\n${problems.length} problem(s): ${counts.join(', ')}\n`;
}

export const pipelinesCommand = createCommandGroup({
  name: 'pipelines',
  summary: "Check the processor's pipeline definitions and the aggregate definitions",
  description: [
    'Pipeline definitions (schemas/pipelines/<type>.json) say how the processor validates and transforms each event type;',
    'aggregate definitions (schemas/aggregates/<type>.json) say what the aggregator computes from the clean events.',
  ],
  commands: [pipelinesCheckCommand],
});
