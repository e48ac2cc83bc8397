/**
 * Issue 8's reconciliation, from the services' own /metrics pages, per type:
 *
 *   gateway accepted = processor published + dead-lettered + dropped (duplicates and drop-policy failures)
 *   processor published (clean) = aggregator events (on time) + late (dead_letter and corrected) + undecodable
 *
 * Good, bad (dead-lettered by a rule), duplicate (the same id twice) and late events go through
 * the real gateway, processor and aggregator; once both have caught up, the pages balance
 * exactly with the numbers sent. Two types: one whose late events are dead-lettered, one whose
 * late events are folded as corrections.
 */
import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { writeAggregateDefinitions, startTestAggregator } from '../harness/aggregator.ts';
import { createTestDatabase, serverStore } from '../harness/clickhouse.ts';
import { registerTestEventType, startTestGateway, testKey } from '../harness/gateway.ts';
import { connectedAdmin, uniqueGroupId } from '../harness/kafka.ts';
import { startTestProcessor, writeTestPipelines } from '../harness/processor.ts';
import { startTestRegistry } from '../harness/registry.ts';
import { caughtUp } from '../harness/topic-reader.ts';
import { waitFor } from '../harness/wait-for.ts';

/** The sum of a metric's samples on a Prometheus text page whose labels include `match`. */
function total(page: string, name: string, match: Readonly<Record<string, string>>): number {
  let sum = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = Object.fromEntries([...line.slice(name.length + 1, line.lastIndexOf('}')).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(match).every(([k, v]) => labels[k] === v)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();

/**
 * True when the group has read every record of the transactionally written topic: its committed
 * offset is one short of the end on each partition, the last offset being the commit marker of
 * the processor's last transaction, which no consumer commits past.
 */
async function readPastLastRecord(admin: Admin, groupId: string, topic: string): Promise<boolean> {
  const high = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return high.every((h) => h.high === '0' || Number(committed?.partitions.find((p) => p.partition === h.partition)?.offset) === Number(h.high) - 1);
}

describe('reconciliation from metrics', () => {
  it('balances accepted = clean + dead-lettered + dropped, and clean = aggregated + late + undecodable, per type', { timeout: 180_000 }, async () => {
    const registryUrl = (await startTestRegistry()).url;
    const writer = testKey('writer');
    const gateway = await startTestGateway({ registryUrl, keys: [writer.key], config: { rawTopicPartitions: 1 } });
    const dlqType = (await registerTestEventType(registryUrl, 'purchase')).type;
    const correctType = (await registerTestEventType(registryUrl, 'purchase')).type;
    const types = [dlqType, correctType];
    const processor = await startTestProcessor({ registryUrl, pipelinesDir: writeTestPipelines({ [dlqType]: 'purchase', [correctType]: 'purchase' }), config: { rawTopicPartitions: 1 } });
    const store = await serverStore();
    const database = await createTestDatabase(store, 'reconcile');
    // No disorder allowed and no grace: an event behind the newest one by more than a window is late.
    const definition = { dimensions: ['currency'], measures: [{ kind: 'count', name: 'orders' }, { kind: 'sum', name: 'revenue_minor', field: 'amount_minor' }], windows: [{ kind: 'tumbling', sizeMs: 60_000 }], allowedOutOfOrdernessMs: 0, graceMs: 0 };
    const aggregatorGroup = uniqueGroupId('reconcile_aggregator');
    const aggregator = await startTestAggregator({
      registryUrl, store, database, groupId: aggregatorGroup,
      aggregatesDir: writeAggregateDefinitions({ [dlqType]: { ...definition, lateEvents: 'dlq' }, [correctType]: { ...definition, lateEvents: 'correct' } }),
    });

    const send = async (events: readonly object[]) => {
      const response = await fetch(`${gateway.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${writer.secret}` }, body: JSON.stringify(events) });
      expect(response.status, await response.text()).toBe(200);
    };
    const past = Date.now() - 30 * 60_000; // half an hour ago: within the pipeline's clock_skew rule
    const purchase = (type: string, id: string, time: number, extra: object = {}) => ({ type, id, timestamp: time, order_id: `o-${id}`, amount_minor: 1_000, currency: 'EUR', items_count: 1, user_id: 'u1', ...extra });
    for (const type of types) {
      // One request after another: one raw partition, so the processor and the aggregator see them in this order.
      await send(Array.from({ length: 5 }, (_, i) => purchase(type, `good-${i}`, past + i * 1_000))); // 5 good
      await send([purchase(type, 'good-0', past)]); // 1 duplicate: dropped by the processor
      await send([purchase(type, 'bad-0', past, { currency: 'XXX' }), purchase(type, 'bad-1', past, { currency: 'XXX' })]); // 2 bad: dead-lettered by a rule
      await send([purchase(type, 'now-0', Date.now())]); // 1 good, half an hour ahead: moves the watermark
      await send([purchase(type, 'late-0', past + 2_000), purchase(type, 'late-1', past + 3_000)]); // 2 late: their window closed
    }
    const admin = await connectedAdmin();
    await waitFor('the processor caught up with the raw topics', () => caughtUp(admin, processor.groupId, types.map((t) => `weir.raw.${t}`)), { timeoutMs: 60_000, intervalMs: 100 });
    await waitFor('the aggregator past the last clean record', async () => {
      for (const type of types) if (!(await readPastLastRecord(admin, aggregatorGroup, `weir.clean.${type}`))) return false;
      return true;
    }, { timeoutMs: 60_000, intervalMs: 100 });

    const [gatewayPage, processorPage, aggregatorPage] = await Promise.all([scrape(gateway.url), scrape(processor.component.url()), scrape(aggregator.component.url())]);
    for (const type of types) {
      const accepted = total(gatewayPage, 'weir_gateway_events_accepted_total', { type });
      const consumed = total(processorPage, 'weir_processor_consumed_total', { type });
      const clean = total(processorPage, 'weir_processor_published_total', { type });
      const deadLettered = total(processorPage, 'weir_processor_dead_lettered_total', { type });
      const dropped = total(processorPage, 'weir_processor_dropped_total', { type });
      const duplicates = total(processorPage, 'weir_processor_dropped_total', { type, reason: 'duplicate' });
      const aggregated = total(aggregatorPage, 'weir_aggregator_events_total', { type });
      const late = total(aggregatorPage, 'weir_aggregator_late_events_total', { type });
      const undecodable = total(aggregatorPage, 'weir_aggregator_undecodable_total', { type });
      const figures = { type, accepted, consumed, clean, deadLettered, dropped, duplicates, aggregated, late, undecodable };

      // The two equations, exactly.
      expect(clean + deadLettered + dropped, JSON.stringify(figures)).toBe(accepted);
      expect(aggregated + late + undecodable, JSON.stringify(figures)).toBe(clean);
      // And the numbers sent: 11 accepted; 1 duplicate dropped, 2 dead-lettered; 6 on time and 2 late.
      expect(figures).toEqual({ type, accepted: 11, consumed: 11, clean: 8, deadLettered: 2, dropped: 1, duplicates: 1, aggregated: 6, late: 2, undecodable: 0 });
    }
    expect(total(aggregatorPage, 'weir_aggregator_late_events_total', { type: dlqType, action: 'dead_letter' })).toBe(2);
    expect(total(aggregatorPage, 'weir_aggregator_late_events_total', { type: correctType, action: 'corrected' })).toBe(2);
  });
});
