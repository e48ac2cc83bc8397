/**
 * Options several commands take (`--registry-url`, `--brokers`, `--dir`, `--json`), their help rows, and how
 * each turns into a checked value: the option, else its environment variable, else the default.
 */
import path from 'node:path';
import { DEFAULT_BROKERS, kafkaBrokersSetting } from '../shared/kafka/brokers-setting.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';
import { usageError, type CommandContext } from './command.ts';

export const REGISTRY_URL_ENV = 'WEIR_REGISTRY_URL';
export const DEFAULT_REGISTRY_URL = `http://localhost:${DEFAULT_PORTS.registry}`;
/** Relative to the working directory: the checkout's root when run through `npx weir`. */
export const DEFAULT_SCHEMA_DIR = 'schemas/events';

export const REGISTRY_URL_OPTION = { 'registry-url': { type: 'string' } } as const;
export const DIR_OPTION = { dir: { type: 'string' } } as const;
export const JSON_OPTION = { json: { type: 'boolean' } } as const;

export const HELP_ROWS = {
  registryUrl: ['--registry-url <url>', `Schema registry (default: $${REGISTRY_URL_ENV}, else ${DEFAULT_REGISTRY_URL})`],
  dir: ['--dir <path>', `Folder of the <type>.avsc files (default: ${DEFAULT_SCHEMA_DIR})`],
  json: ['--json', 'Print the result as JSON on stdout'],
  help: ['-h, --help', 'Show this help'],
} as const satisfies Record<string, readonly [string, string]>;

/** The registry's base URL: `--registry-url`, else WEIR_REGISTRY_URL, else the local default. */
export function resolveRegistryUrl(context: CommandContext, option: string | undefined): string {
  const fromEnv = context.env[REGISTRY_URL_ENV]?.trim();
  const [raw, source] =
    option !== undefined ? [option, '--registry-url'] : fromEnv ? [fromEnv, REGISTRY_URL_ENV] : [DEFAULT_REGISTRY_URL, 'default'];
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw usageError(context, `${source} ${JSON.stringify(raw)} is not an http(s) URL such as ${DEFAULT_REGISTRY_URL}`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw usageError(context, `${source} ${JSON.stringify(raw)} must not have a query or fragment: give the registry's base URL`);
  }
  return url.href.replace(/\/+$/, '');
}

/** The schema folder, absolute: `--dir` (relative to the working directory), else schemas/events. */
export function resolveSchemaDir(context: CommandContext, option: string | undefined): string {
  if (option !== undefined && option.trim() === '') throw usageError(context, '--dir needs a path');
  return path.resolve(context.cwd, option ?? DEFAULT_SCHEMA_DIR);
}

export const BROKERS_OPTION = { brokers: { type: 'string' } } as const;
export const BROKERS_HELP_ROW = ['--brokers <host:port,...>', `Kafka brokers (default: $${kafkaBrokersSetting.env}, else ${DEFAULT_BROKERS.join(',')})`] as const;

/** The Kafka brokers: `--brokers`, else KAFKA_BROKERS, else the local default; checked like the services check theirs. */
export function resolveBrokers(context: CommandContext, option: string | undefined): readonly string[] {
  const [raw, source] = option !== undefined ? [option, '--brokers'] : [context.env[kafkaBrokersSetting.env], kafkaBrokersSetting.env];
  if (raw === undefined || raw.trim() === '') {
    if (option !== undefined) throw usageError(context, '--brokers needs a comma-separated list of host:port');
    return DEFAULT_BROKERS;
  }
  try {
    return kafkaBrokersSetting.parse(raw) ?? DEFAULT_BROKERS;
  } catch (expected) {
    throw usageError(context, `${source} ${JSON.stringify(raw)} is invalid: expected ${String(expected)}`);
  }
}
