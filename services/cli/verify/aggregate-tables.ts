/** `--aggregates`: the folder of aggregate definitions `weir migrate` and `weir verify` load (services/aggregator/aggregate-tables.ts). */
import path from 'node:path';
import { aggregatorSpec } from '../../aggregator/config.ts';
import { usageError, type CommandContext } from '../command.ts';

const DIR = aggregatorSpec.aggregatesDir;

export const AGGREGATES_OPTION = { aggregates: { type: 'string' } } as const;
export const AGGREGATES_HELP_ROW = ['--aggregates <dir>', `Aggregate definitions (default: $${DIR.env}, else ${DIR.defaultValue})`] as const;

/** The definitions folder, absolute: `--aggregates`, else WEIR_AGGREGATES_DIR, else schemas/aggregates. */
export function resolveAggregatesDir(context: CommandContext, option: string | undefined): string {
  const dir = option ?? context.env[DIR.env] ?? DIR.defaultValue;
  if (dir.trim() === '') throw usageError(context, `${option === undefined ? DIR.env : '--aggregates'} needs a path`);
  return path.resolve(context.cwd, dir);
}

export { loadAggregateTables, type AggregateTable, type LoadedDefinitions } from '../../aggregator/aggregate-tables.ts';
