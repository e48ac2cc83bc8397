/**
 * `weir migrate`: brings the aggregate tables of a ClickHouse server in line with the aggregate
 * definitions, as the aggregator does at start (services/aggregator/clickhouse/migrate.ts), for
 * deployments that migrate before they roll out; `--dry-run` shows the plan and changes nothing.
 */
import { migrate, planMigration, type MigrationPlan } from '../../aggregator/clickhouse/migrate.ts';
import { serverFeatures } from '../../aggregator/clickhouse/table-layout.ts';
import { isWeirError } from '../../shared/errors.ts';
import { formatHelp, HELP_OPTION, parseCommand, type Command, type CommandContext } from '../command.ts';
import { HELP_ROWS, JSON_OPTION, REGISTRY_URL_OPTION, resolveRegistryUrl } from '../common-options.ts';
import { AGGREGATES_HELP_ROW, AGGREGATES_OPTION, loadAggregateTables, resolveAggregatesDir } from '../verify/aggregate-tables.ts';
import { CLICKHOUSE_HELP_ROWS, CLICKHOUSE_OPTIONS, openClickHouse, resolveClickHouse } from '../verify/clickhouse-options.ts';

const OPTIONS = { ...HELP_OPTION, ...JSON_OPTION, ...REGISTRY_URL_OPTION, ...AGGREGATES_OPTION, ...CLICKHOUSE_OPTIONS, 'dry-run': { type: 'boolean' }, 'allow-destructive': { type: 'boolean' } } as const;

const help = (context: CommandContext) =>
  formatHelp({
    usage: `${context.path} [options]`,
    description: [
      'Creates the aggregate table of every definition (agg_<type>) on a ClickHouse server, and adds the columns of',
      'measures added since; prints each statement applied and the tables already up to date. A change that would',
      'lose data (a dimension added or removed, a column removed or retyped) is refused, naming the table and why,',
      'unless --allow-destructive, which recreates those tables empty. The aggregator runs the same migration when',
      'it starts; `npm start` migrates its embedded ClickHouse itself.',
    ],
    options: [
      AGGREGATES_HELP_ROW,
      HELP_ROWS.registryUrl,
      ...CLICKHOUSE_HELP_ROWS,
      ['--dry-run', 'Print what would be applied or refused, and change nothing'],
      ['--allow-destructive', 'Recreate tables whose definition changed in a way that loses their aggregates'],
      HELP_ROWS.json,
      HELP_ROWS.help,
    ],
    footer: ['Exit codes: 0 the tables are (or would be) in line, 1 a change refused without --allow-destructive or a', 'definition invalid, 2 usage error, or the registry or ClickHouse unreachable.'],
  });

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Create and extend the aggregate tables in ClickHouse',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(help(context));
      return 0;
    }
    const dir = resolveAggregatesDir(context, values.aggregates);
    const registryUrl = resolveRegistryUrl(context, values['registry-url']);
    const choice = resolveClickHouse(context, values, '`npm start` migrates its embedded ClickHouse itself when it starts.');
    const options = { database: choice.database, allowDestructive: values['allow-destructive'] === true };
    const dryRun = values['dry-run'] === true;

    const { store, version } = await openClickHouse(choice);
    try {
      const { tables } = await loadAggregateTables(dir, registryUrl, version);
      const layouts = [...tables.values()].map((t) => t.layout);
      const features = serverFeatures(version);
      const where = `${choice.database} on ${store.location} (ClickHouse ${version})`;
      if (dryRun) {
        const plan = await planMigration(store, layouts, { ...options, features });
        if (values.json === true) context.stdout.write(`${JSON.stringify({ dryRun, database: choice.database, server: store.location, ...planJson(plan) }, null, 2)}\n`);
        else context.stdout.write(`${renderPlan(plan, where).join('\n')}\n`);
        return plan.refusals.length > 0 ? 1 : 0;
      }
      let result;
      try {
        result = await migrate(store, layouts, { ...options, features });
      } catch (error) {
        if (!isWeirError(error, 'CONFIG_INVALID')) throw error;
        context.stderr.write(`${context.path}: ${error.message}\n`);
        return 1;
      }
      if (values.json === true) context.stdout.write(`${JSON.stringify({ dryRun, database: choice.database, server: store.location, ...result }, null, 2)}\n`);
      else context.stdout.write(`${renderApplied(result.applied, result.unchanged, where).join('\n')}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};

const statement = (sql: string) => `${sql};`;
const unchangedLine = (tables: readonly string[]) => (tables.length === 0 ? [] : [`Unchanged: ${tables.join(', ')}`]);

function renderApplied(applied: readonly string[], unchanged: readonly string[], where: string): string[] {
  if (applied.length === 0) return [`Nothing to apply to ${where}: every table is as the definitions want.`, ...unchangedLine(unchanged)];
  return [`Applied ${applied.length} statement(s) to ${where}:`, '', ...applied.flatMap((sql) => [statement(sql), '']), ...unchangedLine(unchanged)];
}

function renderPlan(plan: MigrationPlan, where: string): string[] {
  const lines = [`Dry run: nothing applied to ${where}.`];
  if (plan.tables.length === 0 && plan.refusals.length === 0) lines.push('Nothing would be applied: every table is as the definitions want.');
  for (const table of plan.tables) {
    const action = table.recreate
      ? `recreated empty, its aggregates lost (${table.problems.join('; ')})`
      : table.resort
        ? `copied into a table sorted the new way, nothing lost (${table.problems.join('; ')})`
        : table.statements[0]?.startsWith('CREATE')
          ? 'created'
          : 'extended';
    lines.push('', `-- ${table.layout.table} (${table.layout.type}): would be ${action}`, ...table.statements.map(statement));
  }
  if (plan.refusals.length > 0) {
    lines.push('', 'Refused: these would lose data; undo the definition change, or run with --allow-destructive to recreate them empty:', ...plan.refusals.map((r) => `  ${r}`));
  }
  if (plan.unchanged.length > 0) lines.push('', ...unchangedLine(plan.unchanged));
  return lines;
}

function planJson(plan: MigrationPlan) {
  return {
    tables: plan.tables.map((t) => ({ table: t.layout.table, type: t.layout.type, recreate: t.recreate, resort: t.resort, problems: t.problems, statements: t.statements })),
    unchanged: plan.unchanged,
    refusals: plan.refusals,
  };
}
