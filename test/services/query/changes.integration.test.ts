/**
 * Answers kept while the aggregator writes elsewhere, on the ClickHouse server (18.16) and on
 * chDB: the real aggregator's change rows, polled by the real query API, keep an answer over a
 * final range while new events land after it, and a late event corrected into the range makes
 * it run again with the new count.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestAggregator, writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { createTestDatabase, embeddedStore, serverStore } from '../../harness/clickhouse.ts';
import { startTestQuery, type TestQuery } from '../../harness/query.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { createSalesType, T0, type Sale, type SalesType } from '../aggregator/fixtures/sales.ts';
import type { ClickHouseStore } from '../../../services/shared/clickhouse/store.ts';

const HOUR = 3_600_000;
const CACHE_MS = 100;
const DEFINITION = {
  dimensions: ['shop'],
  measures: [{ kind: 'count', name: 'sales' }],
  windows: [{ kind: 'tumbling', sizeMs: 60_000 }],
  allowedOutOfOrdernessMs: 1_000,
  graceMs: 1_000,
  lateEvents: 'correct',
};

const sale = (id: string, t: number, partition: number): Sale => ({ event_id: id, event_time: t, shop: partition === 0 ? 'a' : 'b', user: `u-${id}`, amount: partition });
/** 120 sales in the first half hour, on both partitions, and one an hour later on each: every window of the first hour closes. */
const FIRST = [...Array.from({ length: 120 }, (_, i) => sale(`first-${i}`, T0 + i * 15_000, i % 2)), sale('closer-0', T0 + 2 * HOUR, 0), sale('closer-1', T0 + 2 * HOUR, 1)];
const LATER = Array.from({ length: 20 }, (_, i) => sale(`later-${i}`, T0 + 2 * HOUR + 1_000 + i * 1_000, i % 2));
const FIRST_HOUR = { from: new Date(T0).toISOString(), to: new Date(T0 + HOUR).toISOString(), granularity: '1h' };
const THIRD_HOUR = { from: new Date(T0 + 2 * HOUR).toISOString(), to: new Date(T0 + 3 * HOUR).toISOString(), granularity: '1h' };

type Answer = { rows: Array<{ open: boolean; values: { sales: number } }>; meta: { cacheAgeMs: number } };

describe.each([
  ['the ClickHouse server', serverStore],
  ['chDB embedded', embeddedStore],
])('kept answers on %s', (_name, openStore) => {
  let api: TestQuery;
  let sales: SalesType;
  let store: ClickHouseStore;
  let database: string;
  const ask = async (range: Record<string, string>) => (await api.request('/v1/query', { body: { type: sales.type, measures: ['sales'], ...range } })).body as Answer;
  const total = (a: Answer) => a.rows.reduce((n, r) => n + r.values.sales, 0);

  beforeAll(async () => {
    const registryUrl = (await startTestRegistry()).url;
    sales = await createSalesType(registryUrl, 2);
    store = await openStore();
    database = await createTestDatabase(store, 'changes');
    const aggregatesDir = writeAggregateDefinitions({ [sales.type]: DEFINITION });
    await startTestAggregator({ registryUrl, store, database, aggregatesDir });
    await sales.produce(FIRST, (s) => s.amount);
    api = await startTestQuery({ registryUrl, store, database, aggregatesDir, config: { cacheMs: CACHE_MS } });
  }, 120_000);

  it('keeps an answer over a final range while flushes write after it, and runs it again when a late event is corrected into it', async () => {
    await waitFor('the first hour queryable and final', async () => {
      const a = await ask(FIRST_HOUR);
      return total(a) === 120 && a.rows.every((r) => !r.open);
    }, { timeoutMs: 60_000, intervalMs: 100 });
    const first = await ask(FIRST_HOUR);
    const keptFrom = Date.now() - first.meta.cacheAgeMs;

    await sales.produce(LATER, (s) => s.amount);
    await waitFor('the later sales queryable', async () => total(await ask(THIRD_HOUR)) === 2 + LATER.length, { timeoutMs: 60_000, intervalMs: 100 });
    const [changes] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${database}.agg_${sales.type} WHERE window = '~changes' AND window_watermark >= ${T0 + 2 * HOUR} AND window_count = 0`);
    expect(Number(changes!.n)).toBeGreaterThan(0);
    // Past freshMs + staleMs, the answer is served only because the change rows say the flushes wrote after its range.
    await waitFor('the first answer older than freshMs + staleMs', async () => Date.now() - keptFrom > 4 * CACHE_MS, { timeoutMs: 10_000, intervalMs: 20 });
    const kept = await ask(FIRST_HOUR);
    expect(total(kept)).toBe(120);
    expect(kept.meta.cacheAgeMs).toBeGreaterThan(2 * CACHE_MS);

    await sales.produce([sale('late', T0 + 10 * 60_000, 0)], () => 0);
    await waitFor('the corrected count', async () => total(await ask(FIRST_HOUR)) === 121, { timeoutMs: 60_000, intervalMs: 100 });
    const [late] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${database}.agg_${sales.type} WHERE window = '~changes' AND window_watermark = ${T0 + 10 * 60_000}`);
    expect(Number(late!.n)).toBe(1);
  });
});
