/**
 * SQL injection, on the ClickHouse server (values escaped: it predates query parameters) and on
 * chDB (values bound): a corpus of hostile strings in every parameter of a query. Wherever a name
 * or a setting is expected, each gets a 400 and no statement reaches ClickHouse at all. Where a
 * dimension's text value is expected, the string is data: it is compared literally, matching
 * exactly the events whose dimension holds that very text, and nothing else happens.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { quoteString } from '../../../services/shared/clickhouse/sql-literal.ts';
import type { ClickHouseStore, SelectOptions } from '../../../services/shared/clickhouse/store.ts';
import { startTestAggregator, writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { createTestDatabase, embeddedStore, serverStore } from '../../harness/clickhouse.ts';
import { startTestQuery, type TestQuery } from '../../harness/query.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { createSalesType, T0, type Sale } from '../aggregator/fixtures/sales.ts';

const CORPUS = [
  "'",
  "\\'",
  '\\',
  "'; DROP TABLE x; --",
  '" OR 1=1 --',
  "a' OR '1'='1",
  '1; SELECT * FROM system.users',
  "x' UNION ALL SELECT name, 1 FROM system.tables --",
  '/* comment */ sales',
  '-- comment',
  'sales FORMAT TSV',
  "' FORMAT Native",
  'SETTINGS readonly = 0',
  "' SETTINGS max_result_rows = 0 --",
  '{p0:String}',
  '`sales`',
  'sales) FROM x; DROP DATABASE weir; --',
  '\u0000',
  'a\nb\r\tc',
  '😀 ünïcödé \u202e gnp.exe',
  'ＤＲＯＰ ＴＡＢＬＥ',
  '%27%3B%20DROP',
];

const RANGE = { from: new Date(T0).toISOString(), to: new Date(T0 + 3_600_000).toISOString() };

describe.each([
  ['the ClickHouse server (escaped)', serverStore],
  ['chDB (bound parameters)', embeddedStore],
])('query injection on %s', (_name, openStore) => {
  let api: TestQuery;
  let type: string;
  let store: ClickHouseStore;
  let database: string;
  const statements: Array<{ sql: string; options: SelectOptions | undefined }> = [];

  beforeAll(async () => {
    const registryUrl = (await startTestRegistry()).url;
    const sales = await createSalesType(registryUrl, 1);
    type = sales.type;
    store = await openStore();
    database = await createTestDatabase(store, 'inj');
    const aggregatesDir = writeAggregateDefinitions({
      [type]: { dimensions: ['shop', 'user'], measures: [{ kind: 'count', name: 'sales' }, { kind: 'sum', name: 'revenue', field: 'amount' }], windows: [{ kind: 'tumbling', sizeMs: 60_000 }] },
    });
    await startTestAggregator({ registryUrl, store, database, aggregatesDir });
    // One sale per hostile string, held as its shop: the strings are legitimate data.
    const rows: Sale[] = CORPUS.map((shop, i) => ({ event_id: `i-${i}`, event_time: T0 + i * 1_000, shop, user: 'u', amount: i + 1 }));
    await sales.produce([...rows, { event_id: 'plain', event_time: T0 + 60_000, shop: 'plain', user: 'u', amount: 1_000 }], () => 0);
    // The query API sees ClickHouse through a recorder of every statement it sends.
    const recording: ClickHouseStore = {
      ...store,
      select: (sql, options) => {
        statements.push({ sql, options });
        return store.select(sql, options);
      },
    };
    api = await startTestQuery({ registryUrl, store: recording, database, aggregatesDir });
    await waitFor('every sale queryable', async () => {
      const { body } = await api.request('/v1/query', { body: { type, measures: ['sales'], ...RANGE, granularity: '1h' } });
      return body.rows?.[0]?.values.sales === CORPUS.length + 1;
    }, { timeoutMs: 60_000, intervalMs: 250 });
  }, 120_000);

  /** Sends a query, expecting a 400 that names where the fault is and no statement sent to ClickHouse. */
  async function refused(query: unknown, at: RegExp | string, path = '/v1/query') {
    const before = statements.length;
    const response = query === undefined ? await api.request(path) : await api.request(path, { body: query });
    expect(response.status, `${JSON.stringify(query)} -> ${JSON.stringify(response.body)}`).toBe(400);
    expect(response.body.error.problems.some((p: { at: string }) => (typeof at === 'string' ? p.at === at : at.test(p.at))), JSON.stringify(response.body)).toBe(true);
    expect(statements.length, `a statement reached ClickHouse for ${JSON.stringify(query)}`).toBe(before);
  }

  it('refuses every hostile string where a name, a time or a setting goes, before ClickHouse', async () => {
    const base = { type, measures: ['sales'], ...RANGE };
    for (const bad of CORPUS) {
      await refused({ ...base, type: bad }, 'type');
      await refused({ ...base, measures: ['sales', bad] }, 'measures[1]');
      await refused({ ...base, groupBy: [bad] }, 'groupBy[0]');
      await refused({ ...base, filters: [{ dimension: bad, op: 'eq', value: 'x' }] }, 'filters[0].dimension');
      await refused({ ...base, filters: [{ dimension: 'shop', op: bad, value: 'x' }] }, 'filters[0].op');
      await refused({ ...base, from: bad }, 'from');
      await refused({ ...base, to: bad }, 'to');
      await refused({ type, measures: ['sales'], last: bad }, 'last');
      await refused({ ...base, timeZone: bad }, 'timeZone');
      await refused({ ...base, granularity: bad }, 'granularity');
      await refused({ ...base, window: bad }, 'window');
      await refused({ ...base, orderBy: [bad] }, 'orderBy[0]');
      await refused({ ...base, limit: bad }, 'limit');
      await refused({ ...base, fill: bad }, 'fill');
      await refused({ ...base, groupBy: ['shop'], topN: { n: 1, by: bad } }, 'topN.by');
      await refused({ ...base, [bad]: 1 }, bad);
      const get = (extra: Record<string, string>) => `/v1/query?${new URLSearchParams({ type, measures: 'sales', ...extra })}`;
      await refused(undefined, 'measures[0]', `/v1/query?${new URLSearchParams({ type, measures: bad })}`);
      await refused(undefined, 'filter[0]', get({ filter: bad.replace(/:/g, '') }));
      await refused(undefined, /./, get({ [bad]: '1' }));
    }
    // ClickHouse settings, formats and statements passed as URL parameters are not parameters of the API.
    for (const name of ['readonly', 'max_result_rows', 'max_execution_time', 'query', 'database', 'default_format', 'param_p0', 'format']) {
      await refused(undefined, name, `/v1/query?${new URLSearchParams({ type, measures: 'sales', [name]: name === 'query' ? 'DROP TABLE x' : '0' })}`);
    }
  }, 120_000);

  it('compares hostile text as data: each matches exactly its own event, and the tables are untouched', async () => {
    for (const [i, bad] of CORPUS.entries()) {
      for (const filter of [{ dimension: 'shop', op: 'eq', value: bad }, { dimension: 'shop', op: 'in', values: [bad, "'"] }, { dimension: 'shop', op: 'prefix', value: bad }]) {
        const { status, body } = await api.request('/v1/query', { body: { type, measures: ['sales', 'revenue'], groupBy: ['shop'], filters: [filter], granularity: '1h', ...RANGE } });
        expect(status, JSON.stringify(filter)).toBe(200);
        const own = (body.rows as Array<{ dimensions: { shop: string }; values: { revenue: number } }>).find((r) => r.dimensions.shop === bad);
        expect(own?.values.revenue, JSON.stringify(filter)).toBe(i + 1);
        if (filter.op === 'eq') expect(body.rows, JSON.stringify(filter)).toHaveLength(1);
      }
      const neq = await api.request('/v1/query', { body: { type, measures: ['sales'], filters: [{ dimension: 'shop', op: 'neq', value: bad }], granularity: '1h', ...RANGE } });
      expect(neq.body.rows[0].values.sales).toBe(CORPUS.length);
      const sent = statements.at(-1)!;
      // Bound, the value travels apart from the statement; escaped, it is one literal of the one function.
      if (store.kind === 'embedded') expect(Object.values(sent.options?.params ?? {})).toContain(bad);
      else expect(sent.sql).toContain(`!= ${quoteString(bad)}`);
    }
    const [tables] = await store.query<{ n: string }>(`SELECT count() AS n FROM system.tables WHERE database = '${database}'`);
    expect(Number(tables!.n)).toBeGreaterThanOrEqual(1);
    const [all] = await store.query<{ n: string }>(`SELECT sum(window_count) AS n FROM ${database}.agg_${type} FINAL WHERE window = 'tumbling_1m'`);
    expect(Number(all!.n)).toBe(CORPUS.length + 1);
  }, 120_000);
});
