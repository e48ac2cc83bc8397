/**
 * `weir verify` and `weir migrate` on real Kafka, the real registry and the ClickHouse server:
 * windows an aggregator wrote match their recomputation from the clean topic exactly (a late
 * event dead-lettered and left out on both sides), a tampered row is named with its expected and
 * stored count; migrate plans, creates, leaves an up-to-date table alone, and refuses to drop a
 * dimension unless told to recreate the table.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../../../services/cli/main.ts';
import type { ClickHouseStore } from '../../../services/shared/clickhouse/store.ts';
import { startTestAggregator, writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { createTestDatabase, serverStore } from '../../harness/clickhouse.ts';
import { testBrokers } from '../../harness/kafka.ts';
import { counterValue } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { createSalesType, storedCount, T0, type Sale } from '../aggregator/fixtures/sales.ts';

const DEFINITION = {
  dimensions: ['shop'],
  measures: [
    { kind: 'count', name: 'sales' },
    { kind: 'sum', name: 'revenue', field: 'amount' },
    { kind: 'min', name: 'smallest', field: 'amount' },
    { kind: 'max', name: 'biggest', field: 'amount' },
    { kind: 'avg', name: 'average', field: 'amount' },
    { kind: 'distinct', name: 'buyers', field: 'user' },
    { kind: 'quantile', name: 'amount_p50', field: 'amount', q: 0.5 },
    { kind: 'quantile', name: 'amount_p90', field: 'amount', q: 0.9 },
  ],
  windows: [{ kind: 'tumbling', sizeMs: 10_000 }, { kind: 'hopping', sizeMs: 20_000, advanceMs: 10_000 }, { kind: 'session', gapMs: 5_000 }],
  allowedOutOfOrdernessMs: 1_000,
  graceMs: 1_000,
  lateEvents: 'dlq',
};

const sale = (i: number): Sale => ({ event_id: `e-${i}`, event_time: T0 + (i % 400) * 100 + Math.floor(i / 400) * 40_000, shop: i % 3 === 0 ? 'a' : 'b', user: `u${i % 37}`, amount: i });

async function weir(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env: {}, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd: process.cwd() });
  return { code, stdout, stderr };
}

async function tableColumns(store: ClickHouseStore, database: string, table: string): Promise<string[]> {
  const rows = await store.query<{ name: string }>(`SELECT name FROM system.columns WHERE database = '${database}' AND table = '${table}'`);
  return rows.map((r) => r.name);
}

/** A registry with a fresh sale type on `partitions` partitions, and a fresh database on the ClickHouse server. */
async function setup(partitions: number, prefix: string) {
  const registryUrl = (await startTestRegistry()).url;
  const sales = await createSalesType(registryUrl, partitions);
  const store = await serverStore();
  return { registryUrl, sales, store, database: await createTestDatabase(store, prefix) };
}

describe('weir verify', () => {
  it('finds every window exact after the aggregator, and names a tampered one', async () => {
    const { registryUrl, sales, store, database } = await setup(2, 'verify');
    const aggregatesDir = writeAggregateDefinitions({ [sales.type]: DEFINITION });
    const aggregator = await startTestAggregator({ registryUrl, store, database, aggregatesDir });

    const all = Array.from({ length: 600 }, (_, i) => sale(i));
    for (let i = 0; i < all.length; i += 150) await sales.produce(all.slice(i, i + 150));
    await waitFor('all 600 sales in ClickHouse', async () => (await storedCount(store, database, sales.type)) === 600, { timeoutMs: 60_000 });
    await sales.produce([{ ...sale(3), event_id: 'late-1' }]);
    await waitFor('the late sale dead-lettered', async () => (await counterValue(aggregator.metrics, 'weir_aggregator_late_events_total', { action: 'dead_letter' })) === 1);
    await aggregator.component.flush();

    const args = ['verify', '--type', sales.type, '--aggregates', aggregatesDir, '--registry-url', registryUrl, '--brokers', testBrokers().join(','), '--clickhouse-url', inject('clickhouseUrl'), '--database', database];
    const ok = await weir(args);
    expect(ok.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('verify '))).toEqual([]);
    expect(ok.stdout).toContain(`${database}.agg_${sales.type} against weir.clean.${sales.type} (all windows):`);
    expect(ok.stdout).toContain('recomputed from   601 record(s) in 2 partition(s): 600 folded, 0 as corrections, 1 late (dead-lettered, in no window), 0 undecodable');
    expect(ok.stdout).toContain('Every window matches.');
    expect(ok.code, ok.stdout).toBe(0);
    const json = JSON.parse((await weir([...args, '--json'])).stdout) as { ok: boolean; windows: { checked: number; exact: number } };
    expect(json.ok).toBe(true);
    // Per shop: 6 tumbling and 7 hopping windows, and one session (both partitions' start in the same second).
    expect(json.windows).toMatchObject({ checked: 28, exact: 28 });

    // A row for the same key with a higher version and another count: ReplacingMergeTree keeps it.
    const key = `window = 'tumbling_10s' AND toUInt32(window_start) = ${(T0 + 10_000) / 1000} AND shop = 'a' AND window_partition = 0 AND window_correction = 0`;
    const [row] = await store.query<Record<string, unknown>>(`SELECT * FROM ${database}.agg_${sales.type} FINAL WHERE ${key}`);
    expect(row).toBeDefined();
    const count = Number(row!['window_count']);
    await store.insert(`${database}.agg_${sales.type}`, [{ ...row, window_count: count + 5, window_version: String(BigInt(String(row!['window_version'])) + 1_000n) }]);

    const tampered = await weir([...args, '--since', String(T0), '--until', new Date(T0 + 30_000).toISOString()]);
    expect(tampered.code, tampered.stdout).toBe(1);
    expect(tampered.stdout).toContain('  mismatched        1');
    const expected = all.filter((s) => s.shop === 'a' && s.event_time >= T0 + 10_000 && s.event_time < T0 + 20_000).length;
    const start = new Date(T0 + 10_000).toISOString().replace('.000Z', 'Z');
    expect(tampered.stdout).toContain(`  tumbling_10s ${start} shop="a": differs\n    sales expected ${expected}, ClickHouse ${expected + 5}\n`);
  });
});

describe('weir migrate', () => {
  it('plans, creates, leaves an up-to-date table alone, and drops a dimension only with --allow-destructive', async () => {
    const { registryUrl, sales, store, database } = await setup(1, 'migrate');
    const table = `agg_${sales.type}`;
    const migrate = (dir: string, ...flags: string[]) => weir(['migrate', '--aggregates', dir, '--registry-url', registryUrl, '--clickhouse-url', inject('clickhouseUrl'), '--database', database, ...flags]);
    const byShop = writeAggregateDefinitions({ [sales.type]: DEFINITION });

    const plan = await migrate(byShop, '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`Dry run: nothing applied to ${database} on `);
    expect(plan.stdout).toContain(`-- ${table} (${sales.type}): would be created\nCREATE TABLE IF NOT EXISTS \`${database}\`.\`${table}\` (`);
    expect(await tableColumns(store, database, table)).toEqual([]);

    const created = await migrate(byShop);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^Applied 1 statement\\(s\\) to ${database} on .*:\n\nCREATE TABLE IF NOT EXISTS`));
    expect(await tableColumns(store, database, table)).toContain('shop');

    const again = await migrate(byShop);
    expect(again).toEqual({ code: 0, stdout: expect.stringContaining(`every table is as the definitions want.\nUnchanged: ${table}\n`), stderr: '' });

    const overall = writeAggregateDefinitions({ [sales.type]: { ...DEFINITION, dimensions: [] } });
    const refusedPlan = await migrate(overall, '--dry-run');
    expect(refusedPlan.code).toBe(1);
    expect(refusedPlan.stdout).toContain(`Refused: these would lose data; undo the definition change, or run with --allow-destructive to recreate them empty:\n  ${database}.${table} (${sales.type}): column shop is no longer in the definition`);
    const refused = await migrate(overall);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`weir migrate: the aggregate tables cannot follow the definitions without losing data:\n  ${database}.${table} (${sales.type}): column shop is no longer in the definition`);
    expect(await tableColumns(store, database, table)).toContain('shop');

    const recreated = await migrate(overall, '--allow-destructive');
    expect(recreated.code, recreated.stderr).toBe(0);
    expect(recreated.stdout).toContain(`Applied 2 statement(s)`);
    expect(recreated.stdout).toContain(`DROP TABLE \`${database}\`.\`${table}\`;`);
    expect(await tableColumns(store, database, table)).not.toContain('shop');
  });

  it('re-sorts a table whose indexBy changed by copying its rows, losing none', async () => {
    const { registryUrl, sales, store, database } = await setup(1, 'resort');
    const table = `agg_${sales.type}`;
    const fq = `\`${database}\`.\`${table}\``;
    const migrate = (dir: string, ...flags: string[]) => weir(['migrate', '--aggregates', dir, '--registry-url', registryUrl, '--clickhouse-url', inject('clickhouseUrl'), '--database', database, ...flags]);
    const sortingKey = async () => (await store.query<{ sorting_key: string }>(`SELECT sorting_key FROM system.tables WHERE database = '${database}' AND name = '${table}'`))[0]?.sorting_key;
    expect((await migrate(writeAggregateDefinitions({ [sales.type]: DEFINITION }))).code).toBe(0);
    expect(await sortingKey()).toBe('window, window_start, shop, window_partition, window_correction');
    // Two versions of every (window start, shop), in two inserts: FINAL keeps the later one.
    const rows = (version: number) =>
      Array.from({ length: 300 }, (_, i) => ({ window: 'tumbling_10s', window_start: 1_700_000_000 + (i % 100) * 10, shop: `s${i % 3}`, window_partition: 0, window_correction: 0, window_version: version, window_count: version * 1000 + i }));
    await store.insert(`${database}.${table}`, rows(1));
    await store.insert(`${database}.${table}`, rows(2));
    const totals = `SELECT count() AS windows, sum(window_count) AS events FROM ${fq} FINAL`;
    const before = await store.query<{ windows: string; events: string }>(totals);
    expect(before).toEqual([{ windows: '300', events: String(rows(2).reduce((sum, r) => sum + r.window_count, 0)) }]);

    const byShopFirst = writeAggregateDefinitions({ [sales.type]: { ...DEFINITION, indexBy: ['shop'] } });
    const plan = await migrate(byShopFirst, '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      `-- ${table} (${sales.type}): would be copied into a table sorted the new way, nothing lost (sorted by (window, window_start, shop, window_partition, window_correction), the definition now sorts by (window, shop, window_start, window_partition, window_correction))`,
    );
    expect(await sortingKey()).toBe('window, window_start, shop, window_partition, window_correction');

    const applied = await migrate(byShopFirst);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Applied 6 statement(s)');
    expect(await sortingKey()).toBe('window, shop, window_start, window_partition, window_correction');
    expect(await store.query(totals)).toEqual(before);
    const leftovers = await store.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${database}' ORDER BY name`);
    expect(leftovers.map((t) => t.name)).toEqual([table, 'weir_migrations']);
    expect((await migrate(byShopFirst)).stdout).toContain(`Unchanged: ${table}`);
  });
});
