/**
 * The aggregator on real Kafka, the real registry and a real ClickHouse server (the SQL every
 * supported version accepts): clean records on two partitions fold into tumbling and hopping
 * windows whose merged rows equal totals computed here from the same events; a late event goes to
 * the aggregator's dead-letter topic and changes nothing; a second aggregator, started after the
 * first stopped, restores the state from ClickHouse and continues without losing or double
 * counting.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { readTopic } from '../../../services/cli/dlq/read-topic.ts';
import { createHll, hllAddPosition, hllEstimate } from '../../../services/aggregator/sketches/hll.ts';
import { encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import type { ClickHouseStore } from '../../../services/shared/clickhouse/store.ts';
import { startTestAggregator, writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { createTestDatabase, serverStore } from '../../harness/clickhouse.ts';
import { testKafka, uniqueGroupId } from '../../harness/kafka.ts';
import { counterValue } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { uniqueName } from '../../harness/unique.ts';
import { waitFor } from '../../harness/wait-for.ts';

const CLEAN_SCHEMA = {
  type: 'record',
  name: 'Sale',
  namespace: 'dev.weir.test',
  fields: [
    { name: 'event_id', type: 'string' },
    { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'shop', type: 'string' },
    { name: 'user', type: 'string' },
    { name: 'amount', type: 'long' },
  ],
};
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

interface Sale {
  event_id: string;
  event_time: number;
  shop: string;
  user: string;
  amount: number;
}

const sale = (i: number): Sale => ({ event_id: `e-${i}`, event_time: T0 + (i % 400) * 100 + Math.floor(i / 400) * 40_000, shop: i % 3 === 0 ? 'a' : 'b', user: `u${i % 7}`, amount: i });

/** Per 10 s window start (s) and shop: count, sum, max and distinct users of `sales`. */
function expected(sales: readonly Sale[]): Map<string, { n: number; total: number; max: number; users: number }> {
  const groups = new Map<string, Sale[]>();
  for (const s of sales) {
    const key = `${Math.floor(s.event_time / 10_000) * 10} ${s.shop}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return new Map([...groups].map(([k, g]) => [k, { n: g.length, total: g.reduce((a, s) => a + s.amount, 0), max: Math.max(...g.map((s) => s.amount)), users: new Set(g.map((s) => s.user)).size }]));
}

async function actual(store: ClickHouseStore, database: string, table: string) {
  const rows = await store.query<{ s: string; shop: string; n: string; total: number; mx: number; hll: number[] }>(
    `SELECT toUInt32(window_start) AS s, shop, sum(window_count) AS n, sum(amount__sum) AS total, max(amount__max) AS mx, groupUniqArrayArray(user__hll) AS hll
     FROM ${database}.${table} FINAL WHERE window = 'tumbling_10s' AND window_superseded = 0 GROUP BY s, shop`,
  );
  return new Map(rows.map((r) => {
    const registers = createHll();
    for (const p of r.hll) hllAddPosition(registers, Number(p));
    return [`${Number(r.s) - T0 / 1000} ${r.shop}`, { n: Number(r.n), total: Number(r.total), max: Number(r.mx), users: Math.round(hllEstimate(registers)) }];
  }));
}

const relative = (m: Map<string, unknown>) => new Map([...m].map(([k, v]) => [k.replace(/^(\d+)/, (s) => String(Number(s) - T0 / 1000)), v]));

describe('aggregator', () => {
  it('writes windowed totals that equal a recomputation, dead-letters late events, and resumes exactly after a restart', async () => {
    const registryUrl = (await startTestRegistry()).url;
    const type = uniqueName('sale').replace(/[^a-z0-9_]/g, '_');
    const topic = `weir.clean.${type}`;
    const subject = await fetch(`${registryUrl}/subjects/${topic}-value/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(CLEAN_SCHEMA) }) });
    const { id } = (await subject.json()) as { id: number };
    const admin = testKafka().admin();
    await admin.connect();
    registerCleanup(() => admin.disconnect());
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] });
    registerCleanup(() => admin.deleteTopics({ topics: [topic, `weir.aggregator-dlq.${type}`] }).catch(() => undefined));

    const store = await serverStore();
    const database = await createTestDatabase(store, 'agg');
    const aggregatesDir = writeAggregateDefinitions({
      [type]: {
        dimensions: ['shop'],
        measures: [
          { kind: 'count', name: 'sales' },
          { kind: 'sum', name: 'revenue', field: 'amount' },
          { kind: 'max', name: 'biggest', field: 'amount' },
          { kind: 'distinct', name: 'buyers', field: 'user' },
          { kind: 'quantile', name: 'amount_p50', field: 'amount', q: 0.5 },
        ],
        windows: [{ kind: 'tumbling', sizeMs: 10_000 }, { kind: 'hopping', sizeMs: 20_000, advanceMs: 10_000 }],
        allowedOutOfOrdernessMs: 1_000,
        graceMs: 1_000,
        lateEvents: 'dlq',
      },
    });
    const avroType = avro.Type.forSchema(CLEAN_SCHEMA as avro.Schema);
    const producer = testKafka().producer();
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const produce = (sales: readonly Sale[]) =>
      producer.send({ topic, acks: -1, messages: sales.map((s) => ({ key: s.shop, partition: s.amount % 2, value: encodeFrame(id, avroType.toBuffer(s)) })) });

    const groupId = uniqueGroupId('aggregator');
    const first = await startTestAggregator({ registryUrl, store, database, aggregatesDir, groupId });
    const firstHalf = Array.from({ length: 400 }, (_, i) => sale(i));
    await produce(firstHalf);
    const want = (sales: readonly Sale[]) => relative(expected(sales) as Map<string, unknown>);
    await waitFor('the first 400 sales in ClickHouse', async () => [...(await actual(store, database, `agg_${type}`)).values()].reduce((n, v) => n + v.n, 0) === 400, { timeoutMs: 60_000 });
    expect(await actual(store, database, `agg_${type}`)).toEqual(want(firstHalf));
    await first.component.stop();

    // A second aggregator of the group: the state comes back from ClickHouse.
    const second = await startTestAggregator({ registryUrl, store, database, aggregatesDir, groupId });
    const secondHalf = Array.from({ length: 400 }, (_, i) => sale(400 + i)); // 40 s later: closes the first windows
    await produce(secondHalf);
    const all = [...firstHalf, ...secondHalf];
    await waitFor('all 800 sales in ClickHouse', async () => [...(await actual(store, database, `agg_${type}`)).values()].reduce((n, v) => n + v.n, 0) === 800, { timeoutMs: 60_000 });
    expect(await actual(store, database, `agg_${type}`)).toEqual(want(all));

    // Late: a sale in the first window, now long closed, goes to the dead-letter topic and counts nowhere.
    await produce([{ ...sale(0), event_id: 'late-1', amount: 2 }]);
    await waitFor('the late sale dead-lettered', async () => (await counterValue(second.metrics, 'weir_aggregator_late_events_total', { action: 'dead_letter' })) === 1, { timeoutMs: 30_000 });
    await second.component.flush();
    expect(await actual(store, database, `agg_${type}`)).toEqual(want(all));
    const dead: string[] = [];
    await readTopic(testKafka(), `weir.aggregator-dlq.${type}`, { onRecords: (_p, records) => void dead.push(...records.map((r) => String(r.headers?.['weir-dlq-reason']))) });
    expect(dead).toEqual(['late']);

    // The hopping windows hold each sale twice (20 s windows every 10 s).
    const [hopping] = await store.query<{ n: string }>(`SELECT sum(window_count) AS n FROM ${database}.agg_${type} FINAL WHERE window = 'hopping_20s_10s' AND window_superseded = 0`);
    expect(Number(hopping!.n)).toBe(1_600);
    const [closed] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${database}.agg_${type} FINAL WHERE window = 'tumbling_10s' AND window_final = 1`);
    expect(Number(closed!.n)).toBeGreaterThan(0);
  });
});
