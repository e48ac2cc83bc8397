/**
 * The `weir` command line. `runCli` takes its arguments, environment, streams and working
 * directory from the caller (bin/weir.js passes the process's; tests pass their own) and
 * returns the exit code: 0 ok, 1 the schemas or the registry said no, 2 a usage error or an
 * unreachable registry. Run directly (`node services/cli/main.ts ...`), it does what bin does.
 */
import { isAggregateError } from '../aggregator/definition/aggregate-errors.ts';
import { isPipelineError } from '../processor/pipeline/pipeline-errors.ts';
import { isWeirError, messageOf } from '../shared/errors.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';
import { isRegistryClientError, type RegistryClientErrorCode } from '../shared/registry/registry-client-error.ts';
import { isCliError } from './cli-errors.ts';
import { createCommandGroup, type CliContext } from './command.ts';
import { demoCommand } from './commands/demo.ts';
import { dlqCommand } from './commands/dlq.ts';
import { migrateCommand } from './commands/migrate.ts';
import { pipelinesCommand } from './commands/pipelines.ts';
import { schemasCommand } from './commands/schemas.ts';
import { verifyCommand } from './commands/verify.ts';
import { REGISTRY_URL_ENV } from './common-options.ts';

const weir = createCommandGroup({
  name: 'weir',
  summary: 'weir',
  description: ['The command line of weir, the self-hosted streaming ingestion platform.'],
  commands: [schemasCommand, pipelinesCommand, dlqCommand, migrateCommand, verifyCommand, demoCommand],
});

const UNREACHABLE_HINT =
  `Is the registry running? Start weir with \`npm start\` (its registry listens on port ${DEFAULT_PORTS.registry}), ` +
  `or point at a running registry with --registry-url <url> or ${REGISTRY_URL_ENV}.`;

/** 1 when the registry said no, 2 when it could not be asked. */
const REGISTRY_EXIT_CODES: Record<RegistryClientErrorCode, 1 | 2> = { REGISTRY_REFUSED: 1, REGISTRY_UNREACHABLE: 2, REGISTRY_BAD_ANSWER: 2 };

export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  try {
    return await weir.run(argv, { ...context, path: 'weir' });
  } catch (error) {
    if (isRegistryClientError(error)) {
      const lines = [`weir: ${error.message}`];
      if (error.code === 'REGISTRY_UNREACHABLE') lines.push(UNREACHABLE_HINT);
      context.stderr.write(`${lines.join('\n')}\n`);
      return REGISTRY_EXIT_CODES[error.code];
    }
    const other = otherFailure(error);
    if (other !== undefined) {
      context.stderr.write(`weir: ${other.message}\n`);
      return other.exitCode;
    }
    if (!isCliError(error)) throw error;
    const command = typeof error.details['command'] === 'string' ? error.details['command'] : 'weir';
    const lines = [`${command}: ${error.message}`];
    if (error.code === 'USAGE' && error.details['command'] !== undefined) lines.push(`Run '${command} --help' for usage.`);
    context.stderr.write(`${lines.join('\n')}\n`);
    return error.exitCode;
  }
}

/**
 * Failures of the services' own modules the commands run: invalid pipeline or aggregate definitions (1), bad settings
 * or secrets (2), Kafka not answering (2). Anything else is a bug, thrown with its stack.
 */
function otherFailure(error: unknown): { message: string; exitCode: 1 | 2 } | undefined {
  if (isPipelineError(error) || isAggregateError(error)) return { message: error.message, exitCode: 1 };
  if (isWeirError(error)) return { message: error.message, exitCode: 2 };
  const name = (error as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string' && name.startsWith('KafkaJS')) {
    return { message: `Kafka: ${messageOf(error)}. ${KAFKA_HINT}`, exitCode: 2 };
  }
  return undefined;
}

const KAFKA_HINT = `Is Kafka running? \`npm start\` runs one on port ${DEFAULT_PORTS.kafka}; point at another with --brokers or KAFKA_BROKERS.`;

/** Runs the CLI with this process's arguments and streams; resolves to the exit code. */
export function runFromProcess(): Promise<number> {
  return runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
}

if (import.meta.main) process.exitCode = await runFromProcess();
