/**
 * The ClickHouse options `weir migrate` and `weir verify` share: which server (`--clickhouse-url`,
 * else CLICKHOUSE_URL; user and password from the URL, else CLICKHOUSE_USER and
 * CLICKHOUSE_PASSWORD), which database (`--database`, else WEIR_CLICKHOUSE_DATABASE, else weir),
 * and the store opened on them. The variables are the aggregator's own (services/aggregator/config.ts).
 */
import { aggregatorSpec, standaloneAggregatorSpec } from '../../aggregator/config.ts';
import { createClickHouseStore, type ClickHouseStore, type ClickHouseTarget } from '../../shared/clickhouse/store.ts';
import { isWeirError, WeirError } from '../../shared/errors.ts';
import { usageError, type CommandContext } from '../command.ts';

const URL_SETTING = standaloneAggregatorSpec.clickhouseUrl;
const USER_ENV = standaloneAggregatorSpec.clickhouseUser.env;
const PASSWORD_ENV = standaloneAggregatorSpec.clickhousePassword.env;
const DATABASE = aggregatorSpec.database;

export const CLICKHOUSE_OPTIONS = { 'clickhouse-url': { type: 'string' }, database: { type: 'string' } } as const;

export const CLICKHOUSE_HELP_ROWS = [
  ['--clickhouse-url <url>', `ClickHouse server, http(s)://host:8123 (default: $${URL_SETTING.env}; credentials from the URL, else $${USER_ENV} and $${PASSWORD_ENV})`],
  ['--database <name>', `Database of the aggregate tables (default: $${DATABASE.env}, else ${DATABASE.defaultValue})`],
] as const;

export interface ClickHouseChoice {
  readonly target: Extract<ClickHouseTarget, { kind: 'server' }>;
  readonly database: string;
}

/**
 * The server and database to use. Without a server URL the command cannot run: `withoutServer`
 * says what to do instead, as a usage error.
 */
export function resolveClickHouse(context: CommandContext, values: { readonly 'clickhouse-url'?: string | undefined; readonly database?: string | undefined }, withoutServer: string): ClickHouseChoice {
  const fromEnv = context.env[URL_SETTING.env]?.trim();
  const [raw, source] = values['clickhouse-url'] !== undefined ? [values['clickhouse-url'], '--clickhouse-url'] : [fromEnv, URL_SETTING.env];
  if (raw === undefined || raw.trim() === '') {
    if (source === '--clickhouse-url') throw usageError(context, '--clickhouse-url needs a URL such as http://localhost:8123');
    throw usageError(context, `no ClickHouse server: pass --clickhouse-url <url> or set ${URL_SETTING.env}. ${withoutServer}`);
  }
  let url: URL | undefined;
  try {
    url = URL_SETTING.parse(raw);
  } catch (expected) {
    throw usageError(context, `${source} ${JSON.stringify(raw)} is invalid: expected ${String(expected)}`);
  }
  if (url === undefined) throw usageError(context, `${source} needs a URL such as http://localhost:8123`);
  const username = decodeURIComponent(url.username) || context.env[USER_ENV] || undefined;
  const password = decodeURIComponent(url.password) || context.env[PASSWORD_ENV] || undefined;
  url.username = '';
  url.password = '';
  const database = values.database ?? context.env[DATABASE.env] ?? DATABASE.defaultValue;
  if (database.trim() === '') throw usageError(context, `${values.database === undefined ? DATABASE.env : '--database'} needs a database name`);
  return {
    target: { kind: 'server', url, ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) },
    database,
  };
}

export interface OpenedClickHouse {
  readonly store: ClickHouseStore;
  /** The server's version, e.g. "18.16.1". */
  readonly version: string;
}

/** A store on the chosen server, asked for its version; CLICKHOUSE_UNAVAILABLE (exit 2) with a hint when it does not answer. */
export async function openClickHouse(choice: ClickHouseChoice): Promise<OpenedClickHouse> {
  const store = await createClickHouseStore(choice.target, { requestTimeoutMs: 60_000 });
  try {
    return { store, version: await store.version() };
  } catch (error) {
    await store.close();
    if (!isWeirError(error, 'CLICKHOUSE_UNAVAILABLE')) throw error;
    throw new WeirError('CLICKHOUSE_UNAVAILABLE', `${error.message}\nIs ClickHouse running? Point at it with --clickhouse-url <url> or ${URL_SETTING.env}.`, { cause: error, details: error.details });
  }
}
