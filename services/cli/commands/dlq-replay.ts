/**
 * `weir dlq replay --type <type>`: the dead letters of a type run again through the pipeline as it
 * now is; what passes goes to the clean topic exactly once (dlq/replay-dead-letters.ts says how),
 * with a progress bar on stderr and a summary of what passes now and what still fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadPipelines } from '../../processor/pipeline/load-pipelines.ts';
import { latestReaderSchema, resolveSecrets } from '../../processor/pipeline-setup.ts';
import { fetchSchemaByIdFrom, WriterSchemas } from '../../processor/writer-schemas.ts';
import { isRefusal } from '../../shared/registry/registry-client-error.ts';
import { createRegistryClient, ERROR_CODES } from '../../shared/registry/registry-client.ts';
import { formatHelp, HELP_OPTION, parseCommand, usageError, type Command, type CommandContext } from '../command.ts';
import { HELP_ROWS, JSON_OPTION, REGISTRY_URL_OPTION, resolveRegistryUrl } from '../common-options.ts';
import { checkFilter, checkType, commandKafka, deadLetterTopics, DLQ_HELP_ROWS, DLQ_OPTIONS, TYPE_HELP_ROW } from '../dlq/dlq-options.ts';
import { describeFilter } from '../dlq/filters.ts';
import { replayDeadLetters, type ReplaySummary } from '../dlq/replay-dead-letters.ts';
import { createProgress } from '../progress.ts';

const DEFAULT_PIPELINES_DIR = 'schemas/pipelines';
const PIPELINES_DIR_ENV = 'WEIR_PIPELINES_DIR';
/** Where `npm start` keeps the secret it made (services/stack): used when the variable is unset. */
const LOCAL_SECRET = { env: 'WEIR_PII_SECRET', dataDirEnv: 'WEIR_DATA_DIR', dataDir: '.weir', file: 'pii-secret' } as const;

const OPTIONS = { ...HELP_OPTION, ...JSON_OPTION, ...REGISTRY_URL_OPTION, ...DLQ_OPTIONS, pipelines: { type: 'string' }, 'dry-run': { type: 'boolean' } } as const;

const help = (context: CommandContext) =>
  formatHelp({
    usage: `${context.path} --type <type> [filters] [options]`,
    description: [
      'Runs the dead letters of weir.dlq.<type> again through the pipeline as it is now, after a fix to a rule,',
      'a transform or a schema. Those that pass are published to weir.clean.<type> exactly once, each with its',
      'entry in the replay ledger (weir.dlq-replays) in the same transaction; those that still fail stay in the',
      'dead-letter topic, and the ledger records why. Running it again skips what is already clean.',
      'Dead letters of reason `duplicate` are skipped unless --reason names it.',
      `The pipelines need their secrets (e.g. ${LOCAL_SECRET.env}) in the environment, the same as the`,
      `processor's; when ${LOCAL_SECRET.env} is unset, the one \`npm start\` made in ${LOCAL_SECRET.dataDir}/${LOCAL_SECRET.file} is used.`,
    ],
    options: [
      TYPE_HELP_ROW,
      ...DLQ_HELP_ROWS,
      ['--pipelines <dir>', `Pipeline definitions (default: $${PIPELINES_DIR_ENV}, else ${DEFAULT_PIPELINES_DIR})`],
      HELP_ROWS.registryUrl,
      ['--dry-run', 'Run the pipeline and report, but publish and record nothing'],
      HELP_ROWS.json,
      HELP_ROWS.help,
    ],
    footer: ['Exit codes: 0 every matching dead letter now passes (or is dropped by policy), 1 some still fail or a', 'definition is invalid, 2 usage error, registry or Kafka unreachable, or a secret missing.'],
  });

export const dlqReplayCommand: Command = {
  name: 'replay',
  summary: 'Run dead letters again through the current pipeline, exactly once',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(help(context));
      return 0;
    }
    const type = checkType(context, values.type, true)!;
    const filter = checkFilter(context, values, Date.now());
    const dirOption = values.pipelines ?? context.env[PIPELINES_DIR_ENV];
    if (dirOption !== undefined && dirOption.trim() === '') throw usageError(context, '--pipelines needs a path');
    const dir = path.resolve(context.cwd, dirOption ?? DEFAULT_PIPELINES_DIR);
    const registry = createRegistryClient({ baseUrl: resolveRegistryUrl(context, values['registry-url']) });
    const kafka = commandKafka(context, values.brokers);
    const dryRun = values['dry-run'] === true;

    const pipelines = await loadPipelines(dir, { latestReaderSchema: (t) => latestReaderSchema(registry, t) });
    const pipeline = pipelines.get(type);
    if (pipeline === undefined) throw usageError(context, `no pipeline definition for ${type} in ${dir} (found: ${[...pipelines.keys()].join(', ') || 'none'})`);
    const secrets = resolveSecrets([pipeline], (name) => secretOf(context, name), dir);
    if ((await deadLetterTopics(kafka, type)).length === 0) {
      context.stdout.write(`No dead-letter topic ${pipeline.topics.deadLetter}: nothing of type ${type} has failed, nothing to replay.\n`);
      return 0;
    }
    const outputSchemaId = await outputSchemaIdOf(registry, pipeline.outputSubject, JSON.stringify(pipeline.outputSchema), dryRun);

    let progress: ReturnType<typeof createProgress> | undefined;
    const summary = await replayDeadLetters({
      kafka,
      pipeline,
      outputSchemaId,
      writerSchemas: new WriterSchemas({ fetchSchema: fetchSchemaByIdFrom(registry.baseUrl) }),
      secrets: (name) => secrets.get(name),
      filter,
      dryRun,
      now: Date.now,
      onStart: (offsets) => (progress = createProgress(context.stderr, dryRun ? 'replay (dry run)' : 'replay', Number(offsets))),
      onProgress: (scanned) => progress?.update(scanned),
    });
    progress?.done();

    const failing = Object.values(summary.failed).reduce((a, b) => a + b, 0);
    if (values.json === true) context.stdout.write(`${JSON.stringify({ type, dryRun, filter: describeFilter(filter), pipelines: dir, ...summary }, null, 2)}\n`);
    else context.stdout.write(`${report(summary, { dryRun, filter: describeFilter(filter), file: pipeline.file, clean: pipeline.topics.clean }).join('\n')}\n`);
    return failing > 0 ? 1 : 0;
  },
};

/** The secret from the environment; for the local secret, else the file `npm start` made. */
function secretOf(context: CommandContext, name: string): string | undefined {
  const value = context.env[name];
  if (value !== undefined && value !== '') return value;
  if (name !== LOCAL_SECRET.env) return undefined;
  const file = path.resolve(context.cwd, context.env[LOCAL_SECRET.dataDirEnv] ?? LOCAL_SECRET.dataDir, LOCAL_SECRET.file);
  if (!fs.existsSync(file)) return undefined;
  context.stderr.write(`${name} is unset: using the secret \`npm start\` keeps in ${path.relative(context.cwd, file) || file}\n`);
  return fs.readFileSync(file, 'utf8').trim();
}

/** Registers the output schema as the processor does; a dry run only looks it up (0 when absent: nothing is written). */
async function outputSchemaIdOf(registry: ReturnType<typeof createRegistryClient>, subject: string, schema: string, dryRun: boolean): Promise<number> {
  if (!dryRun) return (await registry.register(subject, schema)).id;
  try {
    return (await registry.lookup(subject, schema)).id;
  } catch (error) {
    if (isRefusal(error, ERROR_CODES.SUBJECT_NOT_FOUND) || isRefusal(error, ERROR_CODES.SCHEMA_NOT_FOUND)) return 0;
    throw error;
  }
}

function report(s: ReplaySummary, at: { dryRun: boolean; filter: string; file: string; clean: string }): string[] {
  const tally = (counts: Record<string, number>) => Object.entries(counts).sort(([, a], [, b]) => b - a).map(([r, n]) => `${r} ${n}`).join(', ');
  const failing = Object.values(s.failed).reduce((a, b) => a + b, 0);
  const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
  const lines = [
    `${at.dryRun ? 'Dry run: nothing published. ' : ''}${s.deadLetterTopic} through ${at.file}:`,
    `  read          ${s.scanned} dead letter(s), ${s.matched} matching (${at.filter})`,
    `  now pass      ${s.clean}${at.dryRun ? ` (would go to ${at.clean})` : ` -> ${at.clean}`}`,
    `  still fail    ${failing}${failing > 0 ? `  (${tally(s.failed)}): they stay in ${s.deadLetterTopic}` : ''}`,
  ];
  if (dropped > 0) lines.push(`  dropped       ${dropped}  (${tally(s.dropped)}), as the pipeline's dead-letter policy says`);
  if (s.alreadyClean > 0) lines.push(`  skipped       ${s.alreadyClean} already replayed to the clean topic`);
  if (s.duplicatesSkipped > 0) lines.push(`  skipped       ${s.duplicatesSkipped} duplicate(s): replay them with --reason duplicate`);
  if (s.failures.length > 0) {
    lines.push('', `Still failing${failing > s.failures.length ? ` (the first ${s.failures.length})` : ''}:`);
    lines.push(...s.failures.map((f) => `  ${f.coordinates}  ${f.eventId || '-'}  ${f.reason}: ${f.message}`));
  }
  return lines;
}
