/**
 * One small interface over both ClickHouse engines weir runs on: the embedded one (chDB, the
 * current engine in-process, zero setup, the default for `npm start`) and a ClickHouse server over
 * HTTP (production, docker-compose, and the apt server in tests). Both are driven by
 * @clickhouse/client; chDB plugs in as its connection, so the SQL and result handling are the same.
 */
import {
  createClient,
  ClickHouseError,
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  type ClickHouseSettings,
} from '@clickhouse/client';
import { WeirError, messageOf } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { clientLogger } from './client-logger.ts';

export type ClickHouseTarget =
  | { readonly kind: 'embedded'; readonly path: string }
  | { readonly kind: 'server'; readonly url: URL; readonly username?: string; readonly password?: string };

export type QueryParams = Readonly<Record<string, unknown>>;

/** The settings every service reads to find ClickHouse (CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD). */
export interface ClickHouseSettingsOf {
  readonly clickhouseUrl: URL | undefined;
  readonly clickhouseUser: string | undefined;
  readonly clickhousePassword: string | undefined;
}

/** The server those settings name, or chDB embedded in `embeddedPath` when CLICKHOUSE_URL is unset. */
export function clickHouseTarget(settings: ClickHouseSettingsOf, embeddedPath: string): ClickHouseTarget {
  if (settings.clickhouseUrl === undefined) return { kind: 'embedded', path: embeddedPath };
  return {
    kind: 'server',
    url: settings.clickhouseUrl,
    ...(settings.clickhouseUser === undefined ? {} : { username: settings.clickhouseUser }),
    ...(settings.clickhousePassword === undefined ? {} : { password: settings.clickhousePassword }),
  };
}

export interface ClickHouseStore {
  readonly kind: ClickHouseTarget['kind'];
  /** Where it is, for logs and banners: a data directory or a URL without credentials. */
  readonly location: string;
  /** True when the engine answers. Never throws. */
  ping(): Promise<boolean>;
  /** The engine's version string, e.g. "26.7.2.1" or "18.16.1". */
  version(): Promise<string>;
  /** DDL and other statements without a result. */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Rows as objects. `params` bind `{name:Type}` placeholders (ClickHouse 19.11.3+ and chDB). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Rows with what the engine read for them; `settings` apply to this statement only (e.g. readonly, limits). */
  select<T = Record<string, unknown>>(sql: string, options?: SelectOptions): Promise<SelectResult<T>>;
  /** Inserts rows as JSONEachRow into `table` (optionally `db.table`). */
  insert(table: string, rows: readonly Record<string, unknown>[], settings?: ClickHouseSettings): Promise<void>;
  /** Releases the connection (and, embedded, the engine). Idempotent. */
  close(): Promise<void>;
}

export interface SelectOptions {
  readonly params?: QueryParams | undefined;
  readonly settings?: ClickHouseSettings | undefined;
}

export interface SelectResult<T> {
  readonly rows: T[];
  /** Rows the engine read to answer (its `statistics.rows_read`). */
  readonly rowsRead: number;
  readonly elapsedMs: number;
}

export interface StoreOptions {
  logger?: Logger;
  /** Per-request timeout, ms (default 30 s). */
  requestTimeoutMs?: number;
  /** Settings sent with every request. */
  settings?: ClickHouseSettings;
}

function describeTarget(target: ClickHouseTarget): string {
  if (target.kind === 'embedded') return `embedded chDB at ${target.path}`;
  const url = new URL(target.url);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}

async function createConnectedClient(target: ClickHouseTarget, options: StoreOptions): Promise<ClickHouseClient> {
  const common = {
    request_timeout: options.requestTimeoutMs ?? 30_000,
    ...(options.settings === undefined ? {} : { clickhouse_settings: options.settings }),
    // Without a logger the client would print to the console; weir's services always pass theirs.
    log: { LoggerClass: clientLogger(options.logger ?? silentLogger()) },
  };
  if (target.kind === 'server') {
    return createClient({
      ...common,
      url: target.url.toString(),
      ...(target.username === undefined ? {} : { username: target.username }),
      ...(target.password === undefined ? {} : { password: target.password }),
    });
  }
  // Imported lazily: the native engine is loaded only by processes that embed it.
  const { createChdbConnection } = await import('chdb/connection');
  // chdb types its connection against @clickhouse/client-common, which @clickhouse/client 1.23
  // bundles as a private copy: the same interface under two declarations, hence the cast.
  const connection = createChdbConnection({ path: target.path }) as unknown as ClickHouseClientConfigOptions['connection'];
  return createClient({ ...common, connection });
}

/**
 * The engine's error code when it rejected a statement, undefined when the statement never reached
 * it. chDB throws client-common's ClickHouseError, a different class from @clickhouse/client's own
 * copy, so the check is by shape; servers older than 19.x answer "Code: 81, e.displayText() = ...",
 * which the client leaves as a plain Error.
 */
function rejection(error: unknown): { code: number; type: string | undefined } | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidate = error as Partial<ClickHouseError>;
  if ((error instanceof ClickHouseError || error.constructor.name === 'ClickHouseError') && /^\d+$/.test(String(candidate.code))) {
    return { code: Number(candidate.code), type: candidate.type };
  }
  const legacy = /^Code: (\d+)[,.]/.exec(error.message);
  return legacy ? { code: Number(legacy[1]), type: undefined } : undefined;
}

export async function createClickHouseStore(target: ClickHouseTarget, options: StoreOptions = {}): Promise<ClickHouseStore> {
  const location = describeTarget(target);
  let client: ClickHouseClient;
  try {
    client = await createConnectedClient(target, options);
  } catch (error) {
    throw new WeirError('CLICKHOUSE_UNAVAILABLE', `could not open ClickHouse (${location}): ${messageOf(error)}`, {
      cause: error,
      details: { location },
    });
  }

  const fail = (error: unknown, sql: string): WeirError => {
    const statement = sql.trim().slice(0, 300);
    const rejected = rejection(error);
    if (rejected) {
      return new WeirError('CLICKHOUSE_QUERY_FAILED', `ClickHouse (${location}) rejected a statement: ${messageOf(error)}`, {
        cause: error,
        details: { location, clickhouseCode: rejected.code, clickhouseType: rejected.type, statement },
      });
    }
    return new WeirError('CLICKHOUSE_UNAVAILABLE', `ClickHouse (${location}) could not be reached: ${messageOf(error)}`, {
      cause: error,
      details: { location, statement },
    });
  };

  async function select<T>(sql: string, options: SelectOptions = {}): Promise<SelectResult<T>> {
    try {
      const result = await client.query({
        query: sql,
        format: 'JSON',
        ...(options.params === undefined ? {} : { query_params: { ...options.params } }),
        ...(options.settings === undefined ? {} : { clickhouse_settings: options.settings }),
      });
      const body = await result.json<T>();
      return { rows: body.data, rowsRead: Number(body.statistics?.rows_read ?? 0), elapsedMs: Number(body.statistics?.elapsed ?? 0) * 1000 };
    } catch (error) {
      throw fail(error, sql);
    }
  }

  const query = async <T>(sql: string, params?: QueryParams): Promise<T[]> => (await select<T>(sql, { params })).rows;

  let closing: Promise<void> | undefined;
  return {
    kind: target.kind,
    location,
    async ping() {
      const result = await client.ping().catch(() => ({ success: false }));
      return result.success;
    },
    async version() {
      const [row] = await query<{ v: string }>('SELECT version() AS v');
      if (!row) throw fail(new Error('no row from SELECT version()'), 'SELECT version()');
      return row.v;
    },
    async command(sql, params) {
      try {
        await client.command({ query: sql, ...(params === undefined ? {} : { query_params: { ...params } }) });
      } catch (error) {
        throw fail(error, sql);
      }
    },
    query,
    select,
    async insert(table, rows, settings) {
      if (rows.length === 0) return;
      try {
        await client.insert({
          table,
          values: rows as Record<string, unknown>[],
          format: 'JSONEachRow',
          ...(settings === undefined ? {} : { clickhouse_settings: settings }),
        });
      } catch (error) {
        throw fail(error, `INSERT INTO ${table}`);
      }
    },
    close() {
      closing ??= client.close();
      return closing;
    },
  };
}
