/**
 * The query bench's mix, with the answer each query must give (its row count and total count,
 * from the counts the fill folded), and each query's compiled SQL run alone on ClickHouse.
 */
import type { ServerFeatures } from '../../services/aggregator/clickhouse/table-layout.ts';
import type { Catalog } from '../../services/query/catalog.ts';
import { compileQuery } from '../../services/query/query/compile-sql.ts';
import { parseQuery } from '../../services/query/query/parse-query.ts';
import { planBuckets } from '../../services/query/query/plan-buckets.ts';
import { createBinder } from '../../services/query/query/sql-binder.ts';
import type { ClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { quantile } from '../harness/freshness-markers.ts';
import { MINUTE_MS, MINUTES } from './query-fill.ts';
import type { QueryKind } from './query-load.ts';

const HOUR_MINUTES = 60;
const MAX_BUCKETS = 10_000;

export interface MixData {
  readonly type: string;
  readonly tenants: readonly string[];
  readonly dayStartMs: number;
  /** Events per minute and tenant: counts[minute * tenants + tenant]. */
  readonly counts: Uint32Array;
}

export function queryKinds({ type, tenants, dayStartMs, counts }: MixData): QueryKind[] {
  const t = tenants.length;
  const iso = (minute: number) => new Date(dayStartMs + minute * MINUTE_MS).toISOString();
  const day = { from: iso(0), to: iso(MINUTES) };
  const lastHour = { from: iso(MINUTES - HOUR_MINUTES), to: iso(MINUTES) };
  const total = counts.reduce((sum, n) => sum + n, 0);
  const perHour = (hour: number) => tenants.map((_, v) => counts.slice(hour * HOUR_MINUTES * t, (hour + 1) * HOUR_MINUTES * t).reduce((sum, n, i) => (i % t === v ? sum + n : sum), 0));
  const top10 = Array.from({ length: MINUTES / HOUR_MINUTES }, (_, h) => perHour(h).sort((a, b) => b - a).slice(0, 10).reduce((s, n) => s + n, 0)).reduce((s, n) => s + n, 0);
  const lastHourOf = (v: number) => {
    let sum = 0;
    for (let m = MINUTES - HOUR_MINUTES; m < MINUTES; m++) sum += counts[m * t + v]!;
    return sum;
  };
  const oneTenant = (i: number) => i % t;
  return [
    {
      name: 'a 24h x tenant, 1h buckets',
      about: 'a day in 1 h buckets grouped by tenant: 1440 x 100 windows rolled up',
      request: () => ({ path: '/v1/query', body: { type, measures: ['events', 'amount_sum', 'amount_max'], groupBy: ['tenant'], ...day, granularity: '1h' }, expectedTotal: total, expectedRows: 24 * t }),
    },
    {
      name: 'b 1h of a tenant, 1m buckets',
      about: 'the last hour of one tenant (eq filter) in 1 min buckets, with distinct and p99',
      request: (i) => ({
        path: '/v1/query',
        body: { type, measures: ['events', 'amount_sum', 'users', 'latency_p99'], filters: [{ dimension: 'tenant', op: 'eq', value: tenants[oneTenant(i)] }], ...lastHour, granularity: '1m' },
        expectedTotal: lastHourOf(oneTenant(i)),
        expectedRows: HOUR_MINUTES,
      }),
    },
    {
      name: 'c top 10 tenants per hour',
      about: 'top 10 tenants by count in each hour of the day',
      request: () => ({ path: '/v1/query', body: { type, measures: ['events'], groupBy: ['tenant'], topN: { n: 10, by: 'events' }, ...day, granularity: '1h' }, expectedTotal: top10, expectedRows: 24 * Math.min(10, t) }),
    },
    {
      name: 'd the day, distinct + p99',
      about: 'the whole day as one 1 d bucket, with distinct users and p99 latency',
      request: () => ({ path: '/v1/query', body: { type, measures: ['events', 'users', 'latency_p99'], ...day, granularity: '1d' }, expectedTotal: total, expectedRows: 1 }),
    },
    {
      name: 'e GET form of b',
      about: 'b as GET /v1/query?...',
      request: (i) => {
        const params = new URLSearchParams({ type, measures: 'events,amount_sum,users,latency_p99', filter: `tenant:eq:${tenants[oneTenant(i + 37)]}`, ...lastHour, granularity: '1m' });
        return { path: `/v1/query?${params}`, expectedTotal: lastHourOf(oneTenant(i + 37)), expectedRows: HOUR_MINUTES };
      },
    },
  ];
}

/** Per POST kind, the SQL the query API would run, run `runs` times one at a time: ClickHouse's own elapsed and the round trip, medians. */
export async function clickHouseAlone(store: ClickHouseStore, catalog: Catalog, database: string, features: ServerFeatures, kinds: readonly QueryKind[], runs: number): Promise<string[]> {
  const lines: string[] = [];
  for (const kind of kinds) {
    const { body } = kind.request(0);
    if (body === undefined) continue;
    const spec = parseQuery(body, catalog, { maxRows: MAX_BUCKETS, mayRead: () => true });
    const compiled = compileQuery(spec, planBuckets(spec, Date.now(), MAX_BUCKETS), database, createBinder(features.queryParameters));
    const own: number[] = [];
    const trip: number[] = [];
    let rowsRead = 0;
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      const result = await store.select(compiled.sql, { params: compiled.params });
      trip.push(performance.now() - started);
      own.push(result.elapsedMs);
      rowsRead = result.rowsRead;
    }
    lines.push(`  ${kind.name.padEnd(30)} ${quantile(own, 0.5).toFixed(1).padStart(6)} / ${quantile(trip, 0.5).toFixed(1).padStart(6)} ms, ${rowsRead} rows read`);
  }
  return lines;
}
