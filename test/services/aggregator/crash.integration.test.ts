/**
 * Exactly once into ClickHouse across crashes: 1M sales flow into a clean topic while an
 * aggregator process is killed with SIGKILL three times (at about 20%, 50% and 80% of the input
 * committed) and started again. ClickHouse is queried all along and never shows more than was
 * produced; afterwards `weir verify` finds every window exact, and the 10 s windows equal totals
 * computed here from the input.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../../../services/cli/main.ts';
import type { ServiceProcess } from '../../harness/service-process.ts';
import { writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { startAggregatorProcess } from '../../harness/aggregator-process.ts';
import { createTestDatabase, serverStore } from '../../harness/clickhouse.ts';
import { connectedAdmin, testBrokers, uniqueGroupId } from '../../harness/kafka.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { caughtUp, committedTotal } from '../processor/fixtures/exactly-once.ts';
import { createSalesType, expectedTotals, SALES_MEASURES, storedCount, storedTotals, T0, type Sale } from './fixtures/sales.ts';

const TOTAL = 1_000_000;
const BATCH = 20_000;
/** Sales produced but not yet committed by the aggregator, at most: the feed keeps flowing. */
const MAX_AHEAD = 200_000;
const PARTITIONS = 4;

/** 10 ms of event time apart, in order on each partition: about 2.8 hours of sales. */
const sale = (i: number): Sale => ({ event_id: `e-${i}`, event_time: T0 + i * 10, shop: `s${i % 5}`, user: `u${i % 1_000}`, amount: i % 997 });

describe('aggregator killed with SIGKILL', () => {
  it('writes every window exactly once across three crashes of 1M sales', { timeout: 400_000 }, async () => {
    const registryUrl = (await startTestRegistry()).url;
    const sales = await createSalesType(registryUrl, PARTITIONS);
    const store = await serverStore();
    const database = await createTestDatabase(store, 'agg_crash');
    const aggregatesDir = writeAggregateDefinitions({
      [sales.type]: {
        dimensions: ['shop'],
        measures: SALES_MEASURES,
        windows: [{ kind: 'tumbling', sizeMs: 10_000 }, { kind: 'tumbling', sizeMs: 60_000 }],
        allowedOutOfOrdernessMs: 1_000,
        graceMs: 1_000,
      },
    });
    const admin = await connectedAdmin();
    const groupId = uniqueGroupId('aggregator-crash');
    const progress = () => committedTotal(admin, groupId, sales.topic);

    let run = 0;
    const start = async (): Promise<ServiceProcess> => {
      run++;
      const p = await startAggregatorProcess({
        registryUrl, aggregatesDir, database, groupId, name: `aggregator run ${run}`,
        env: { WEIR_AGGREGATOR_SESSION_TIMEOUT_MS: '6000', WEIR_AGGREGATOR_FLUSH_INTERVAL_MS: '500' },
      });
      await p.ready();
      return p;
    };
    const t0 = Date.now();
    let aggregator = await start();
    let produced = 0;
    const seen: number[] = [];
    const feed = (async () => {
      while (produced < TOTAL) {
        await waitFor('the aggregator within reach of the feed', async () => produced - (await progress()) < MAX_AHEAD, { timeoutMs: 120_000, intervalMs: 100 });
        const n = Math.min(BATCH, TOTAL - produced);
        const from = produced;
        await sales.produce(Array.from({ length: n }, (_, j) => sale(from + j)), (s) => Number(s.event_id.slice(2)) % PARTITIONS);
        produced += n;
        // ClickHouse during the run: never more than what was produced.
        const count = await storedCount(store, database, sales.type);
        seen.push(count);
        if (count > produced) throw new Error(`ClickHouse counts ${count} sales, but only ${produced} were produced`);
      }
    })();
    let feedError: unknown;
    feed.catch((error: unknown) => (feedError = error));

    const kills: string[] = [];
    for (const fraction of [0.2, 0.5, 0.8]) {
      await waitFor(`${fraction * 100}% of the input committed`, async () => {
        if (feedError !== undefined) throw feedError;
        return (await progress()) >= fraction * TOTAL;
      }, { timeoutMs: 180_000, intervalMs: 100 });
      await aggregator.child.kill();
      const killedAt = Date.now();
      const committedAtKill = await progress();
      aggregator = await start();
      await waitFor('the restarted aggregator committing again', async () => (await progress()) > committedAtKill, { timeoutMs: 120_000, intervalMs: 100 });
      kills.push(`  SIGKILL at ${committedAtKill} committed, ${produced} produced: committing again after ${Date.now() - killedAt} ms`);
    }
    await feed;
    await waitFor('the aggregator caught up with the clean topic', () => caughtUp(admin, groupId, [sales.topic]), { timeoutMs: 180_000, intervalMs: 250 });
    const seconds = (Date.now() - t0) / 1000;
    await aggregator.child.stop();

    const stored = await storedCount(store, database, sales.type);
    process.stdout.write(`aggregator crash test: ${TOTAL} sales in ${seconds.toFixed(1)} s with 3 SIGKILLs (${Math.round(TOTAL / seconds)} sales/s); ClickHouse queried ${seen.length} times during the run, counts ${seen[0]} .. ${seen.at(-1)}, at the end ${stored}\n${kills.join('\n')}\n`);
    expect(stored).toBe(TOTAL);
    // weir verify recomputes every window from the clean topic and compares with ClickHouse.
    let out = '';
    const sink = { write: (text: string) => (out += text) };
    const code = await runCli(
      ['verify', '--type', sales.type, '--aggregates', aggregatesDir, '--registry-url', registryUrl, '--brokers', testBrokers().join(','), '--clickhouse-url', inject('clickhouseUrl'), '--database', database],
      { env: {}, stdout: sink, stderr: sink, cwd: process.cwd() },
    );
    process.stdout.write(out.split('\n').slice(0, 8).map((line) => `  ${line}`).join('\n') + '\n');
    expect(out).toContain('Every window matches.');
    expect(code, out).toBe(0);
    // And by hand: the 10 s windows equal totals computed here.
    const want = expectedTotals((function* () {
      for (let i = 0; i < TOTAL; i++) yield sale(i);
    })());
    const got = await storedTotals(store, database, sales.type);
    expect(got.size).toBe(want.size);
    const wrong = [...want].filter(([k, w]) => {
      const g = got.get(k);
      return g === undefined || g.n !== w.n || g.total !== w.total || g.max !== w.max || Math.abs(g.users - w.users) > Math.max(1, w.users * 0.02);
    });
    expect(wrong.slice(0, 10), `${wrong.length} of ${want.size} windows differ`).toEqual([]);
  });
});
