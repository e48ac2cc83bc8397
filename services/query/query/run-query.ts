/**
 * Runs a checked query on ClickHouse: plan the buckets, compile one SELECT, run it read-only with
 * a row limit and a time limit, evaluate, shape. ClickHouse's refusals become the query API's
 * errors: too many rows (400), too slow (504), unreachable (503); a table the aggregator has not
 * made yet is an empty answer, not an error.
 */
import type { ClickHouseSettings } from '@clickhouse/client';
import { isWeirError } from '../../shared/errors.ts';
import type { ClickHouseStore } from '../../shared/clickhouse/store.ts';
import { QueryError } from '../query-error.ts';
import { formatDuration } from '../time/durations.ts';
import { formatInZone } from '../time/zone-clock.ts';
import { compileQuery } from './compile-sql.ts';
import { evaluateRows, type ResultRow } from './evaluate-rows.ts';
import { planBuckets, type BucketPlan } from './plan-buckets.ts';
import type { QuerySpec } from './query-spec.ts';
import { shapeResult } from './shape-result.ts';
import { createBinder } from './sql-binder.ts';

/** ClickHouse may return this many group rows per row a response may have (top N and limits cut them after). */
export const GROUP_ROWS_FACTOR = 10;

const CLICKHOUSE_TOO_MANY_ROWS = 396;
const CLICKHOUSE_TIMEOUT = 159;
const CLICKHOUSE_UNKNOWN_TABLE = 60;

export interface QueryRunnerOptions {
  readonly store: ClickHouseStore;
  readonly database: string;
  /** Bind values as query parameters (the server supports them). */
  readonly bindParameters: boolean;
  readonly maxRows: number;
  readonly maxBuckets: number;
  readonly timeoutMs: number;
  readonly now?: () => number;
}

export interface QueryOutcome {
  readonly spec: QuerySpec;
  readonly plan: BucketPlan;
  readonly rows: readonly ResultRow[];
  readonly truncated: boolean;
  readonly rowsRead: number;
  readonly elapsedMs: number;
  /** Set when the answer was shared from an earlier run (cached-runner.ts): how old it is. */
  readonly cacheAgeMs?: number;
}

export interface QueryRunner {
  run(spec: QuerySpec): Promise<QueryOutcome>;
}

export function createQueryRunner(options: QueryRunnerOptions): QueryRunner {
  const now = options.now ?? Date.now;
  const limits = { max_result_rows: String(options.maxRows * GROUP_ROWS_FACTOR), result_overflow_mode: 'throw', max_execution_time: Math.max(1, Math.ceil(options.timeoutMs / 1000)) } as const;
  // A server takes settings per HTTP request. chDB applies request settings to its one session,
  // where they would stay (and make the aggregator's inserts read-only): there they go in the
  // statement's own SETTINGS clause, readonly last so the limits before it still apply.
  const embedded = options.store.kind === 'embedded';
  const settings: ClickHouseSettings | undefined = embedded ? undefined : { readonly: '2', ...limits };
  const clause = embedded ? `\nSETTINGS max_result_rows = ${limits.max_result_rows}, result_overflow_mode = 'throw', max_execution_time = ${limits.max_execution_time}, readonly = 1` : '';
  return {
    async run(spec) {
      const t = now();
      const started = performance.now();
      const plan = planBuckets(spec, t, options.maxBuckets);
      const compiled = compileQuery(spec, plan, options.database, createBinder(options.bindParameters));
      let result;
      try {
        result = await options.store.select<Record<string, unknown>>(compiled.sql + clause, { params: compiled.params, settings });
      } catch (error) {
        throw clickHouseFailure(error, spec, options);
      }
      const shaped = shapeResult(evaluateRows(result.rows, spec, plan, compiled, t), spec, plan, t, options.maxRows);
      return { spec, plan, rows: shaped.rows, truncated: shaped.truncated, rowsRead: result.rowsRead, elapsedMs: performance.now() - started };
    },
  };
}

function clickHouseFailure(error: unknown, spec: QuerySpec, options: QueryRunnerOptions): QueryError {
  if (isWeirError(error, 'CLICKHOUSE_UNAVAILABLE')) return new QueryError('UNAVAILABLE', 'ClickHouse cannot be reached; try again shortly', { headers: { 'Retry-After': '5' }, cause: error });
  const code = isWeirError(error) ? Number(error.details?.['clickhouseCode']) : NaN;
  if (code === CLICKHOUSE_TOO_MANY_ROWS) {
    return new QueryError('QUERY_TOO_LARGE', `the query groups into more than ${options.maxRows * GROUP_ROWS_FACTOR} rows: filter, group by fewer dimensions, or coarsen the granularity`, { cause: error });
  }
  if (code === CLICKHOUSE_TIMEOUT) return new QueryError('QUERY_TIMEOUT', `the query took longer than ${options.timeoutMs} ms: shorten the range or coarsen the granularity`, { cause: error });
  if (code === CLICKHOUSE_UNKNOWN_TABLE) return new QueryError('UNAVAILABLE', `no data for ${spec.type.type} yet: the aggregator has not created its table`, { headers: { 'Retry-After': '5' }, cause: error });
  return new QueryError('INTERNAL', 'ClickHouse could not run the query', { cause: error });
}

/** Each answer's JSON bytes up to its `cacheAgeMs`, made once per answer however often it is shared. */
const serialized = new WeakMap<readonly ResultRow[], Buffer>();
const AGE_TAIL = 'null}}';

/**
 * The answer's JSON as bytes: `queryResponse` serialized and encoded once per answer (a shared
 * day of hourly buckets by 100 tenants is 360 KB), then this caller's `cacheAgeMs` and the close.
 */
export function queryResponseBytes(outcome: QueryOutcome): { readonly head: Buffer; readonly tail: string } {
  let head = serialized.get(outcome.rows);
  if (head === undefined) {
    const text = JSON.stringify(queryResponse({ ...outcome, cacheAgeMs: undefined }));
    if (!text.endsWith(`"cacheAgeMs":${AGE_TAIL}`)) throw new Error('the answer no longer ends with meta.cacheAgeMs');
    head = Buffer.from(text.slice(0, -AGE_TAIL.length));
    serialized.set(outcome.rows, head);
  }
  return { head, tail: `${outcome.cacheAgeMs === undefined ? 'null' : Math.round(outcome.cacheAgeMs)}}}` };
}

/** The JSON body of a query's answer; `meta.cacheAgeMs` stays last (queryResponseBytes relies on it). */
export function queryResponse(outcome: QueryOutcome) {
  const { spec, plan, rows } = outcome;
  const zone = spec.timeZone;
  return {
    rows: rows.map((r) => ({ start: formatInZone(r.start, zone), end: formatInZone(r.end, zone), open: r.open, dimensions: r.dimensions, values: r.values })),
    meta: {
      type: spec.type.type,
      window: plan.window.name,
      granularity: plan.mode === 'rollup' ? formatDuration(plan.granularityMs) : null,
      timeZone: zone,
      from: formatInZone(plan.fromMs, zone),
      to: formatInZone(plan.toMs, zone),
      buckets: plan.mode === 'rollup' ? plan.boundaries.length - 1 : null,
      rows: rows.length,
      truncated: outcome.truncated,
      openBuckets: new Set(rows.filter((r) => r.open).map((r) => r.start)).size,
      rowsRead: outcome.rowsRead,
      elapsedMs: Math.round(outcome.elapsedMs * 10) / 10,
      cacheAgeMs: outcome.cacheAgeMs === undefined ? null : Math.round(outcome.cacheAgeMs),
    },
  };
}
