/**
 * The aggregator on real Kafka, the real registry and a real ClickHouse server (the SQL every
 * supported version accepts): clean records on two partitions fold into tumbling and hopping
 * windows whose merged rows equal totals computed here from the same events; a late event goes to
 * the aggregator's dead-letter topic and changes nothing; a second aggregator, started after the
 * first stopped, restores the state from ClickHouse and continues without losing or double
 * counting; and two aggregators sharing the partitions write the same totals as one.
 */
import avro from 'avsc';
import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { readTopic } from '../../../services/cli/dlq/read-topic.ts';
import { encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { startTestAggregator, writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { createTestDatabase, embeddedStore, serverStore } from '../../harness/clickhouse.ts';
import { connectedAdmin, testKafka, uniqueGroupId } from '../../harness/kafka.ts';
import { counterValue } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { CLEAN_SCHEMA, createSalesType, expectedTotals, SALES_MEASURES, storedCount, storedTotals, T0, type Sale } from './fixtures/sales.ts';

const DEFINITION = {
  dimensions: ['shop'],
  measures: [...SALES_MEASURES, { kind: 'quantile', name: 'amount_p50', field: 'amount', q: 0.5 }],
  windows: [{ kind: 'tumbling', sizeMs: 10_000 }, { kind: 'hopping', sizeMs: 20_000, advanceMs: 10_000 }],
  allowedOutOfOrdernessMs: 1_000,
  graceMs: 1_000,
  lateEvents: 'dlq',
};

const sale = (i: number): Sale => ({ event_id: `e-${i}`, event_time: T0 + (i % 400) * 100 + Math.floor(i / 400) * 40_000, shop: i % 3 === 0 ? 'a' : 'b', user: `u${i % 7}`, amount: i });
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => sale(from + i));

describe('aggregator', () => {
  it.each([
    ['the ClickHouse server', serverStore],
    ['chDB embedded', embeddedStore],
  ])('on %s: writes windowed totals that equal a recomputation, dead-letters late events, and resumes exactly after a restart', async (_name, openStore) => {
    const registryUrl = (await startTestRegistry()).url;
    const sales = await createSalesType(registryUrl, 2);
    const store = await openStore();
    const database = await createTestDatabase(store, 'agg');
    const aggregatesDir = writeAggregateDefinitions({ [sales.type]: DEFINITION });
    const groupId = uniqueGroupId('aggregator');

    const first = await startTestAggregator({ registryUrl, store, database, aggregatesDir, groupId });
    const firstHalf = range(0, 400);
    await sales.produce(firstHalf);
    await waitFor('the first 400 sales in ClickHouse', async () => (await storedCount(store, database, sales.type)) === 400, { timeoutMs: 60_000 });
    expect(await storedTotals(store, database, sales.type)).toEqual(expectedTotals(firstHalf));
    await first.component.stop();

    // A second aggregator of the group: the state comes back from ClickHouse.
    const second = await startTestAggregator({ registryUrl, store, database, aggregatesDir, groupId });
    const all = [...firstHalf, ...range(400, 400)]; // 40 s later: closes the first windows
    await sales.produce(all.slice(400));
    await waitFor('all 800 sales in ClickHouse', async () => (await storedCount(store, database, sales.type)) === 800, { timeoutMs: 60_000 });
    expect(await storedTotals(store, database, sales.type)).toEqual(expectedTotals(all));

    // Late: a sale in the first window, now long closed, goes to the dead-letter topic and counts nowhere.
    await sales.produce([{ ...sale(0), event_id: 'late-1', amount: 2 }]);
    await waitFor('the late sale dead-lettered', async () => (await counterValue(second.metrics, 'weir_aggregator_late_events_total', { action: 'dead_letter' })) === 1, { timeoutMs: 30_000 });
    await second.component.flush();
    expect(await storedTotals(store, database, sales.type)).toEqual(expectedTotals(all));
    const dead: string[] = [];
    await readTopic(testKafka(), `weir.aggregator-dlq.${sales.type}`, { onRecords: (_p, records) => void dead.push(...records.map((r) => String(r.headers?.['weir-dlq-reason']))) });
    expect(dead).toEqual(['late']);

    // The hopping windows hold each sale twice (20 s windows every 10 s).
    const [hopping] = await store.query<{ n: string }>(`SELECT sum(window_count) AS n FROM ${database}.agg_${sales.type} FINAL WHERE window = 'hopping_20s_10s' AND window_superseded = 0`);
    expect(Number(hopping!.n)).toBe(1_600);
    const [closed] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${database}.agg_${sales.type} FINAL WHERE window = 'tumbling_10s' AND window_final = 1`);
    expect(Number(closed!.n)).toBeGreaterThan(0);
  });

  it('aggregates records written with an older clean schema in the reader shape, defaults filled', async () => {
    const registryUrl = (await startTestRegistry()).url;
    const sales = await createSalesType(registryUrl, 2); // v1
    const v2 = { ...CLEAN_SCHEMA, fields: [...CLEAN_SCHEMA.fields, { name: 'channel', type: 'string', default: 'web' }] };
    const registered = await fetch(`${registryUrl}/subjects/${sales.topic}-value/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(v2) }) });
    const { id: v2Id } = (await registered.json()) as { id: number };
    const store = await serverStore();
    const database = await createTestDatabase(store, 'agg');
    const aggregatesDir = writeAggregateDefinitions({ [sales.type]: { ...DEFINITION, dimensions: ['channel'], windows: [{ kind: 'tumbling', sizeMs: 10_000 }] } });
    await startTestAggregator({ registryUrl, store, database, aggregatesDir });
    await sales.produce(range(0, 30)); // v1: no channel
    const v2Type = avro.Type.forSchema(v2 as avro.Schema);
    const producer = testKafka().producer();
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    await producer.send({ topic: sales.topic, acks: -1, messages: range(30, 20).map((s) => ({ partition: 0, value: encodeFrame(v2Id, v2Type.toBuffer({ ...s, channel: 'app' })) })) });
    const byChannel = async () => new Map((await store.query<{ channel: string; n: string }>(`SELECT channel, sum(window_count) AS n FROM ${database}.agg_${sales.type} FINAL WHERE window = 'tumbling_10s' GROUP BY channel`)).map((r) => [r.channel, Number(r.n)]));
    await waitFor('50 sales in ClickHouse', async () => [...(await byChannel()).values()].reduce((a, b) => a + b, 0) === 50, { timeoutMs: 60_000 });
    expect(await byChannel()).toEqual(new Map([['web', 30], ['app', 20]]));
  });

  it('writes session windows, and corrections for late events under the "correct" policy', async () => {
    const registryUrl = (await startTestRegistry()).url;
    const sessions = await createSalesType(registryUrl, 1);
    const corrected = await createSalesType(registryUrl, 1);
    const store = await serverStore();
    const database = await createTestDatabase(store, 'agg');
    const aggregatesDir = writeAggregateDefinitions({
      [sessions.type]: { ...DEFINITION, dimensions: ['user'], windows: [{ kind: 'session', gapMs: 5_000 }], allowedOutOfOrdernessMs: 10_000, graceMs: 0 },
      [corrected.type]: { ...DEFINITION, windows: [{ kind: 'tumbling', sizeMs: 10_000 }], allowedOutOfOrdernessMs: 0, graceMs: 0, lateEvents: 'correct' },
    });
    const aggregator = await startTestAggregator({ registryUrl, store, database, aggregatesDir });
    const at = (i: number, seconds: number, user = 'u1'): Sale => ({ event_id: `e-${i}`, event_time: T0 + seconds * 1_000, shop: 'a', user, amount: i });

    // u1: 0 s, 3 s, 6 s make one session [0, 11); 20 s starts another; 13 s, out of order (10 s
    // allowed), joins neither, as its own [13, 18) ends before 20 s; then 16 s bridges [13, 18) and
    // [20, 25) into [13, 25). u2: one event at 9 s, one session.
    await sessions.produce([at(0, 0), at(1, 3), at(2, 6), at(3, 20), at(4, 13), at(5, 16), at(6, 9, 'u2')], () => 0);
    const sessionRows = async () => store.query<{ user: string; s: string; e: string; n: string }>(
      `SELECT user, toUInt32(window_start) - ${T0 / 1000} AS s, toUInt32(window_end) - ${T0 / 1000} AS e, window_count AS n FROM ${database}.agg_${sessions.type} FINAL
       WHERE window = 'session_5s' AND window_superseded = 0 ORDER BY user, s`);
    await waitFor('7 events in sessions', async () => (await sessionRows()).reduce((n, r) => n + Number(r.n), 0) === 7, { timeoutMs: 30_000 });
    expect((await sessionRows()).map((r) => [r.user, Number(r.s), Number(r.e), Number(r.n)])).toEqual([
      ['u1', 0, 11, 3],
      ['u1', 13, 25, 3],
      ['u2', 9, 14, 1],
    ]);

    // Tumbling 10 s, no grace: 25 s closes [0, 10); a sale at 2 s then is a correction row of it.
    await corrected.produce([at(0, 1), at(1, 25), at(2, 2)], () => 0);
    await waitFor('the correction written', async () => (await storedCount(store, database, corrected.type)) === 3, { timeoutMs: 30_000 });
    expect(await storedTotals(store, database, corrected.type)).toEqual(expectedTotals([at(0, 1), at(1, 25), at(2, 2)]));
    const [correction] = await store.query<{ c: string; f: string }>(`SELECT window_correction AS c, window_final AS f FROM ${database}.agg_${corrected.type} FINAL WHERE window = 'tumbling_10s' AND window_correction != 0`);
    expect(Number(correction!.c)).toBe(3); // the late sale's offset + 1
    expect(Number(correction!.f)).toBe(1);
    expect(await counterValue(aggregator.metrics, 'weir_aggregator_late_events_total', { action: 'corrected' })).toBe(1);
  });

  it('keeps open windows under the cap by evicting what ClickHouse has, and reads them back for later events without losing any', async () => {
    const registryUrl = (await startTestRegistry()).url;
    const sales = await createSalesType(registryUrl, 2);
    const store = await serverStore();
    const database = await createTestDatabase(store, 'agg');
    // An hour of out-of-orderness: nothing closes, so only eviction can bound the state.
    const aggregatesDir = writeAggregateDefinitions({ [sales.type]: { ...DEFINITION, windows: [{ kind: 'tumbling', sizeMs: 10_000 }], allowedOutOfOrdernessMs: 3_600_000 } });
    const aggregator = await startTestAggregator({ registryUrl, store, database, aggregatesDir, config: { maxOpenWindows: 100 } });
    const spread = (i: number): Sale => ({ event_id: `e-${i}`, event_time: T0 + (i % 200) * 1_000, shop: `s${i % 50}`, user: `u${i % 11}`, amount: i });
    const all = Array.from({ length: 4_000 }, (_, i) => spread(i)); // 20 windows x 50 shops = 1000 open windows
    for (let i = 0; i < 2_000; i += 250) await sales.produce(all.slice(i, i + 250));
    await waitFor('the first 2000 sales in ClickHouse', async () => (await storedCount(store, database, sales.type)) === 2_000, { timeoutMs: 60_000 });
    for (let i = 2_000; i < 4_000; i += 250) await sales.produce(all.slice(i, i + 250)); // the same windows again
    await waitFor('all 4000 sales in ClickHouse', async () => (await storedCount(store, database, sales.type)) === 4_000, { timeoutMs: 60_000 });
    expect(await storedTotals(store, database, sales.type)).toEqual(expectedTotals(all));
    expect(await counterValue(aggregator.metrics, 'weir_aggregator_evicted_windows_total')).toBeGreaterThan(0);
    expect(await counterValue(aggregator.metrics, 'weir_aggregator_read_back_windows_total')).toBeGreaterThan(0);
    const open = await counterValue(aggregator.metrics, 'weir_aggregator_open_windows');
    expect(open).toBeLessThanOrEqual(100);
    // One distinct and one quantile field: a 16 KiB HLL and a 27 KiB sketch a window.
    expect(await counterValue(aggregator.metrics, 'weir_aggregator_state_bytes')).toBeGreaterThan(open * 40_000);
  });

  it('gives the same totals with two aggregators sharing the partitions as with one', async () => {
    const registryUrl = (await startTestRegistry()).url;
    const sales = await createSalesType(registryUrl, 4);
    const store = await serverStore();
    const database = await createTestDatabase(store, 'agg');
    const aggregatesDir = writeAggregateDefinitions({ [sales.type]: DEFINITION });
    const groupId = uniqueGroupId('aggregator');
    const one = await startTestAggregator({ registryUrl, store, database, aggregatesDir, groupId });
    const two = await startTestAggregator({ registryUrl, store, database, aggregatesDir, groupId });
    const admin = await connectedAdmin();
    await waitFor('both aggregators in the group, with partitions', async () => {
      const [group] = (await admin.describeGroups([groupId])).groups;
      return group?.state === 'Stable' && group.members.length === 2 && group.members.every((m) => Object.values(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).flat().length > 0);
    }, { timeoutMs: 30_000 });
    const all = range(0, 2_000);
    for (let i = 0; i < all.length; i += 200) await sales.produce(all.slice(i, i + 200));
    await waitFor('all 2000 sales in ClickHouse', async () => (await storedCount(store, database, sales.type)) === 2_000, { timeoutMs: 60_000 });
    expect(await storedTotals(store, database, sales.type)).toEqual(expectedTotals(all));
    const folded = [await counterValue(one.metrics, 'weir_aggregator_events_total'), await counterValue(two.metrics, 'weir_aggregator_events_total')];
    expect(folded[0]! + folded[1]!).toBe(2_000);
    expect(Math.min(...folded), 'each aggregator folded some of the sales').toBeGreaterThan(0);
  });
});
