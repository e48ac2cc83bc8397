/** `weir pipelines`: the processor's pipeline definitions in schemas/pipelines. */
import path from 'node:path';
import { checkPipelines } from '../../processor/pipeline/check-pipelines.ts';
import { createCommandGroup, formatHelp, HELP_OPTION, parseCommand, usageError, type Command } from '../command.ts';
import { HELP_ROWS, JSON_OPTION } from '../common-options.ts';

const DEFAULT_PIPELINE_DIR = 'schemas/pipelines';
const DEFAULT_SCHEMA_DIR = 'schemas/events';
const OPTIONS = { ...HELP_OPTION, ...JSON_OPTION, dir: { type: 'string' }, schemas: { type: 'string' } } as const;

const pipelinesCheckCommand: Command = {
  name: 'check',
  summary: 'Validate every pipeline definition against the event schemas (for CI)',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(
        formatHelp({
          usage: `${context.path} [options]`,
          description: [
            'Reads every <dir>/<type>.json pipeline definition, checks it strictly (unknown keys, types, regexes,',
            'fields the schema lacks, secrets, lookup tables, hooks) against <schemas>/<type>.avsc, and derives',
            'its output schema. Every problem is printed with its file and JSON path. See schemas/pipelines/README.md.',
          ],
          options: [
            ['--dir <path>', `Folder of the pipeline definitions (default: ${DEFAULT_PIPELINE_DIR})`],
            ['--schemas <path>', `Folder of the event schemas (default: ${DEFAULT_SCHEMA_DIR})`],
            HELP_ROWS.json,
            HELP_ROWS.help,
          ],
          footer: ['Exit codes: 0 every definition is valid, 1 a definition is invalid, 2 usage error.'],
        }),
      );
      return 0;
    }
    for (const flag of ['dir', 'schemas'] as const) {
      if (values[flag] !== undefined && values[flag].trim() === '') throw usageError(context, `--${flag} needs a path`);
    }
    const dir = path.resolve(context.cwd, values.dir ?? DEFAULT_PIPELINE_DIR);
    const schemas = path.resolve(context.cwd, values.schemas ?? DEFAULT_SCHEMA_DIR);
    const result = await checkPipelines(dir, schemas);
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify({ dir, schemas, ...result }, null, 2)}\n`);
    } else if (result.ok) {
      context.stdout.write(`${result.types.length} pipeline(s) valid in ${dir}: ${result.types.join(', ')}\n`);
    } else {
      context.stdout.write(`${result.problems.map((p) => `  ${p}`).join('\n')}\n\n${result.problems.length} problem(s) in ${dir}\n`);
    }
    return result.ok ? 0 : 1;
  },
};

export const pipelinesCommand = createCommandGroup({
  name: 'pipelines',
  summary: "Check the processor's pipeline definitions",
  description: ['Pipeline definitions (schemas/pipelines/<type>.json) say how the processor validates and transforms each event type.'],
  commands: [pipelinesCheckCommand],
});
