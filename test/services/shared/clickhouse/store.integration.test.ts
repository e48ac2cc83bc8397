/**
 * The same ClickHouse round trip through weir's one store interface, on both engines: embedded
 * chDB (current ClickHouse) and a real server over HTTP (Debian's 18.16 here, a current one under
 * testcontainers or CLICKHOUSE_URL). The SQL is kept to what every supported engine runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isWeirError } from '../../../../services/shared/errors.ts';
import type { ClickHouseStore } from '../../../../services/shared/clickhouse/store.ts';
import { createTestDatabase, embeddedStore, serverStore } from '../../../harness/clickhouse.ts';

const engines: [string, () => Promise<ClickHouseStore>][] = [
  ['embedded chDB', embeddedStore],
  ['ClickHouse server over HTTP', serverStore],
];

describe.each(engines)('%s', (_name, open) => {
  let store: ClickHouseStore;
  beforeAll(async () => {
    store = await open();
  });

  it('answers ping and reports its version', async () => {
    expect(await store.ping()).toBe(true);
    expect(await store.version()).toMatch(/^\d+\.\d+/);
  });

  it('creates a table, inserts rows and aggregates them', async () => {
    const db = await createTestDatabase(store);
    await store.command(`CREATE TABLE ${db}.events (page String, user_id String, ms UInt32) ENGINE = MergeTree ORDER BY (page, user_id)`);
    const rows = [
      { page: '/home', user_id: 'u1', ms: 120 },
      { page: '/home', user_id: 'u2', ms: 80 },
      { page: '/home', user_id: 'u1', ms: 100 },
      { page: '/cart', user_id: 'u3', ms: 300 },
    ];
    await store.insert(`${db}.events`, rows);
    const result = await store.query<{ page: string; views: string; users: string; total_ms: string; max_ms: number }>(
      `SELECT page, toString(count()) AS views, toString(uniqExact(user_id)) AS users, toString(sum(ms)) AS total_ms, max(ms) AS max_ms
       FROM ${db}.events GROUP BY page ORDER BY page`,
    );
    expect(result).toEqual([
      { page: '/cart', views: '1', users: '1', total_ms: '300', max_ms: 300 },
      { page: '/home', views: '3', users: '2', total_ms: '300', max_ms: 120 },
    ]);
  });

  it('merges partial aggregate states, as weir aggregators will write them', async () => {
    const db = await createTestDatabase(store);
    await store.command(`CREATE TABLE ${db}.raw (k String, v UInt64) ENGINE = Null`);
    await store.command(
      `CREATE TABLE ${db}.agg (k String, n AggregateFunction(count), s AggregateFunction(sum, UInt64), u AggregateFunction(uniq, UInt64))
       ENGINE = AggregatingMergeTree ORDER BY k`,
    );
    await store.command(
      `CREATE MATERIALIZED VIEW ${db}.mv TO ${db}.agg AS SELECT k, countState() AS n, sumState(v) AS s, uniqState(v) AS u FROM ${db}.raw GROUP BY k`,
    );
    // Two inserts stand for two aggregator instances writing partial states of the same key.
    await store.insert(`${db}.raw`, [{ k: 'a', v: 1 }, { k: 'a', v: 2 }, { k: 'b', v: 5 }]);
    await store.insert(`${db}.raw`, [{ k: 'a', v: 2 }, { k: 'a', v: 7 }]);
    const result = await store.query<{ k: string; n: string; s: string; u: string }>(
      `SELECT k, toString(countMerge(n)) AS n, toString(sumMerge(s)) AS s, toString(uniqMerge(u)) AS u FROM ${db}.agg GROUP BY k ORDER BY k`,
    );
    expect(result).toEqual([
      { k: 'a', n: '4', s: '12', u: '3' },
      { k: 'b', n: '1', s: '5', u: '1' },
    ]);
  });

  it('turns a bad statement into a CLICKHOUSE_QUERY_FAILED error with the server code', async () => {
    const error = await store.query('SELECT * FROM no_such_database_here.no_table').catch((e: unknown) => e);
    expect(isWeirError(error, 'CLICKHOUSE_QUERY_FAILED')).toBe(true);
    expect((error as { details: { clickhouseCode: number } }).details.clickhouseCode).toBeGreaterThan(0);
  });
});
