/**
 * `weir verify --type <type>`: recomputes every window of a type from its clean topic, as the
 * aggregator folds it, and compares each with what ClickHouse holds (verify/verify-windows.ts).
 */
import { fetchSchemaByIdFrom, WriterSchemas } from '../../processor/writer-schemas.ts';
import { formatHelp, HELP_OPTION, parseCommand, usageError, type Command, type CommandContext } from '../command.ts';
import { BROKERS_HELP_ROW, HELP_ROWS, JSON_OPTION, REGISTRY_URL_OPTION, resolveRegistryUrl } from '../common-options.ts';
import { checkFilter, checkType, commandKafka, DLQ_OPTIONS } from '../dlq/dlq-options.ts';
import { topicExists } from '../dlq/read-topic.ts';
import { createProgress, type Progress } from '../progress.ts';
import { AGGREGATES_HELP_ROW, AGGREGATES_OPTION, loadAggregateTables, resolveAggregatesDir } from '../verify/aggregate-tables.ts';
import { CLICKHOUSE_HELP_ROWS, CLICKHOUSE_OPTIONS, openClickHouse, resolveClickHouse } from '../verify/clickhouse-options.ts';
import { createCleanDecoder } from '../../aggregator/clean-decoder.ts';
import type { WindowRange } from '../verify/merged-windows.ts';
import { tableExists } from '../verify/stored-windows.ts';
import { LISTED_PROBLEMS, renderReport, reportJson } from '../verify/verify-report.ts';
import { verifyWindows } from '../verify/verify-windows.ts';

const { brokers, since, until, type } = DLQ_OPTIONS;
const OPTIONS = { ...HELP_OPTION, ...JSON_OPTION, ...REGISTRY_URL_OPTION, ...AGGREGATES_OPTION, ...CLICKHOUSE_OPTIONS, brokers, since, until, type } as const;

const help = (context: CommandContext) =>
  formatHelp({
    usage: `${context.path} --type <type> [--since <time>] [--until <time>] [options]`,
    description: [
      'Recomputes every window of a type from its clean topic (weir.clean.<type>), folding each partition in offset',
      'order as the aggregator does (late events dead-lettered or corrected as it would), and compares each window',
      'with ClickHouse (agg_<type>, FINAL, merged across partitions and corrections). Counts, sums, mins, maxes and',
      'averages must be equal; distinct counts within 2 % (±1 under 50); quantiles within 1 %. Each partition is read',
      "up to the offset the aggregator has written, so a running aggregator's newest records are left out.",
      'The whole topic is always read (lateness depends on every record before); --since and --until only choose',
      'which windows are compared. Windows whose records retention has deleted cannot be recomputed.',
    ],
    options: [
      ['--type <type>', 'Event type whose windows to check (required)'],
      ['--since <time>', 'Only windows starting at or after: ISO-8601, epoch ms, or an age such as 15m, 2h, 7d'],
      ['--until <time>', 'Only windows starting before that time (same forms)'],
      AGGREGATES_HELP_ROW,
      HELP_ROWS.registryUrl,
      BROKERS_HELP_ROW,
      ...CLICKHOUSE_HELP_ROWS,
      HELP_ROWS.json,
      HELP_ROWS.help,
    ],
    footer: [`Lists the first ${LISTED_PROBLEMS} problems with expected and stored values.`, 'Exit codes: 0 every window matches, 1 a window differs or is missing on a side, or a definition is invalid,', '2 usage error, or the registry, Kafka or ClickHouse unreachable.'],
  });

export const verifyCommand: Command = {
  name: 'verify',
  summary: "Recompute a type's windows from its clean topic and compare them with ClickHouse",
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(help(context));
      return 0;
    }
    const eventType = checkType(context, values.type, false);
    if (eventType === undefined) throw usageError(context, '--type is required: the event type whose windows to check (agg_<type>)');
    const { since: sinceMs, until: untilMs } = checkFilter(context, values, Date.now());
    const range: WindowRange = { sinceMs, untilMs };
    const dir = resolveAggregatesDir(context, values.aggregates);
    const registryUrl = resolveRegistryUrl(context, values['registry-url']);
    const kafka = commandKafka(context, values.brokers);
    const choice = resolveClickHouse(context, values, "`weir verify` reads a ClickHouse server; the embedded one of `npm start` is open in that process only.");

    const { store, version } = await openClickHouse(choice);
    let progress: Progress | undefined;
    try {
      const { tables } = await loadAggregateTables(dir, registryUrl, version);
      const table = tables.get(eventType);
      if (table === undefined) throw usageError(context, `no aggregate definition for ${eventType} in ${dir} (found: ${[...tables.keys()].join(', ') || 'none'})`);
      const where = `${choice.database}.${table.layout.table}`;
      if (!(await tableExists(store, choice.database, table.layout.table))) return fail(context, `${where} does not exist on ${store.location}: the aggregator has not run for ${eventType} there (or run \`weir migrate\`)`);
      if (!(await topicExists(kafka, `weir.clean.${eventType}`))) return fail(context, `the topic weir.clean.${eventType} does not exist: nothing to recompute from`);

      const outcome = await verifyWindows({
        kafka,
        store,
        database: choice.database,
        table,
        range,
        decode: createCleanDecoder(table.reader, new WriterSchemas({ fetchSchema: fetchSchemaByIdFrom(registryUrl) })),
        onStart: (offsets) => (progress = createProgress(context.stderr, 'verify', offsets)),
        onRead: (records) => progress?.update(records),
      });
      progress?.done();
      const header = { type: eventType, table: where, range: describeRange(range) };
      if (values.json === true) context.stdout.write(`${JSON.stringify(reportJson(header, outcome), null, 2)}\n`);
      else context.stdout.write(`${renderReport(header, outcome).join('\n')}\n`);
      return outcome.comparison.problems.length > 0 ? 1 : 0;
    } finally {
      await store.close();
    }
  },
};

function fail(context: CommandContext, message: string): number {
  context.stderr.write(`${context.path}: ${message}\n`);
  return 2;
}

function describeRange(range: WindowRange): string {
  const parts = [range.sinceMs === undefined ? '' : `from ${new Date(range.sinceMs).toISOString()}`, range.untilMs === undefined ? '' : `before ${new Date(range.untilMs).toISOString()}`].filter((p) => p !== '');
  return parts.length === 0 ? 'all windows' : `windows starting ${parts.join(' and ')}`;
}
