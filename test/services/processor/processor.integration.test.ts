/**
 * The processor against real Kafka, the real registry and the real gateway: events sent through
 * the gateway come out of weir.clean.<type> transformed as the pipeline says; failures, garbage
 * and unknown schema ids land in weir.dlq.<type> with their original bytes and reason headers
 * without blocking their partition; duplicates are dropped; and a processor stopped mid-stream and
 * replaced by another of the same group loses nothing and publishes nothing twice.
 */
import { createHmac } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { registerTestEventType, startTestGateway, testKey, type TestGateway } from '../../harness/gateway.ts';
import { testKafka, uniqueGroupId } from '../../harness/kafka.ts';
import { counterValue, startTestProcessor, TEST_PII_SECRET, writeTestPipelines } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { caughtUp } from './fixtures/exactly-once.ts';

interface Received {
  key: string;
  partition: number;
  value: Buffer;
  headers: Record<string, string>;
}

/** Everything a read_committed consumer sees on `topic`, growing as it arrives. */
async function watchTopic(topic: string, kafka: Kafka = testKafka()): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: uniqueGroupId('read'), readUncommitted: false });
  await consumer.connect();
  registerCleanup(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Received[] = [];
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      received.push({
        key: message.key?.toString() ?? '',
        partition,
        value: message.value ?? Buffer.alloc(0),
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
    },
  });
  return received;
}

const hmac = (value: string) => createHmac('sha256', TEST_PII_SECRET).update(value).digest('hex');

describe('stream processor', () => {
  let registryUrl: string;
  let gateway: TestGateway;
  const writer = testKey('writer');

  const send = async (events: readonly object[]) => {
    const response = await fetch(`${gateway.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer.secret}` },
      body: JSON.stringify(events),
    });
    const body = await response.text();
    expect(response.status, body).toBe(200);
  };

  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
    gateway = await startTestGateway({ registryUrl, keys: [writer.key] });
  });

  it('transforms good events into the clean topic, dead-letters failures, garbage and unknown ids, and drops duplicates', async () => {
    const { type } = await registerTestEventType(registryUrl, 'purchase');
    const processor = await startTestProcessor({ registryUrl, pipelinesDir: writeTestPipelines({ [type]: 'purchase' }) });
    const t = Date.now() - 60_000;
    const purchase = (id: string, extra: object = {}) => ({ type, id, timestamp: t, order_id: `o-${id}`, amount_minor: 1999, currency: 'EUR', items_count: 2, user_id: 'u1', ...extra });

    // Garbage first, on both partitions, so that good events after it prove nothing is blocked.
    const producer = testKafka().producer();
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const raw = `weir.raw.${type}`;
    await producer.send({
      topic: raw,
      messages: [0, 1].flatMap((partition) => [
        { partition, key: 'g', value: Buffer.from('not avro at all'), headers: { 'weir-event-id': `garbage-${partition}` } },
        { partition, key: 'g', value: encodeFrame(2_000_000_000, Buffer.from([2, 4, 6])), headers: { 'weir-event-id': `unknown-${partition}` } },
      ]),
    });
    await send([purchase('p-1', { coupon_code: '  Spring10 ' }), purchase('p-2', { user_id: 'u2', currency: 'JPY' }), purchase('bad-1', { currency: 'XXX' })]);
    await send([purchase('p-1', { coupon_code: '  Spring10 ' }), purchase('p-3', { user_id: 'u3' })]); // p-1 again: a client retry

    const clean = await watchTopic(`weir.clean.${type}`);
    const dlq = await watchTopic(`weir.dlq.${type}`);
    await waitFor('3 clean and 5 dead letters', () => clean.length >= 3 && dlq.length >= 5);
    await waitFor('the duplicate counted', async () => (await counterValue(processor.metrics, 'weir_processor_dropped_total', { reason: 'duplicate' })) === 1);

    const decoder = new SchemaRegistry({ host: registryUrl });
    const values = await Promise.all(clean.map(async (r) => ({ ...r, decoded: (await decoder.decode(r.value)) as Record<string, unknown> })));
    const byId = new Map(values.map((v) => [v.decoded['event_id'], v]));
    expect([...byId.keys()].sort()).toEqual(['p-1', 'p-2', 'p-3']);
    expect(byId.get('p-1')!.decoded).toMatchObject({ order_id: 'o-p-1', amount_minor: 1999, currency: 'EUR', currency_exponent: 2, user_id: hmac('u1'), coupon_code: 'spring10', event_time: t });
    expect(byId.get('p-2')!.decoded).toMatchObject({ currency: 'JPY', currency_exponent: 0, user_id: hmac('u2') });
    expect(byId.get('p-1')!.key).toBe('u1'); // the raw key is kept
    expect(byId.get('p-1')!.headers['weir-event-id']).toBe('p-1');

    const reasons = dlq.map((d) => [d.headers['weir-dlq-reason'], d.headers['weir-event-id']]).sort();
    expect(reasons).toEqual([
      ['not_allowed', 'bad-1'],
      ['undecodable', 'garbage-0'],
      ['undecodable', 'garbage-1'],
      ['unknown_schema_id', 'unknown-0'],
      ['unknown_schema_id', 'unknown-1'],
    ]);
    const garbage = dlq.find((d) => d.headers['weir-event-id'] === 'garbage-1')!;
    expect(garbage.value.toString()).toBe('not avro at all');
    expect(garbage.key).toBe('g');
    expect(garbage.partition).toBe(1);
    expect(garbage.headers).toMatchObject({ 'weir-dlq-stage': 'decode', 'weir-dlq-source-topic': raw, 'weir-dlq-source-partition': '1', 'weir-dlq-attempts': '1', 'weir-dlq-field': '' });
    expect(Number(garbage.headers['weir-dlq-source-offset'])).toBeGreaterThanOrEqual(0);
    expect(Math.abs(Number(garbage.headers['weir-dlq-time']) - Date.now())).toBeLessThan(120_000);
    const bad = dlq.find((d) => d.headers['weir-event-id'] === 'bad-1')!;
    expect(bad.headers).toMatchObject({ 'weir-dlq-stage': 'rule', 'weir-dlq-field': 'currency', 'weir-key-id': 'writer' });
    expect(bad.value[0]).toBe(0); // the original Confluent frame, untouched
    expect((await decoder.decode(bad.value)) as Record<string, unknown>).toMatchObject({ event_id: 'bad-1', currency: 'XXX' });

    expect(await counterValue(processor.metrics, 'weir_processor_published_total')).toBe(3);
    expect(await counterValue(processor.metrics, 'weir_processor_dead_lettered_total', { reason: 'undecodable' })).toBe(2);
    const health = await fetch(`${processor.component.url()}/readyz`);
    expect(health.status).toBe(200);
    expect(await (await fetch(`${processor.component.url()}/metrics`)).text()).toContain('weir_processor_lag_offsets');
  });

  it('publishes each event exactly once when a processor is stopped mid-stream and another of the same group takes over', async () => {
    const { type } = await registerTestEventType(registryUrl, 'purchase');
    const pipelinesDir = writeTestPipelines({ [type]: 'purchase' });
    const groupId = uniqueGroupId('processor');
    const first = await startTestProcessor({ registryUrl, pipelinesDir, groupId });
    const clean = await watchTopic(`weir.clean.${type}`);
    const t = Date.now() - 60_000;
    const total = 600;
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ type, id: `e-${from + i}`, timestamp: t, order_id: `o-${from + i}`, amount_minor: from + i, currency: 'USD', items_count: 1, user_id: `u${(from + i) % 17}` }));

    for (let i = 0; i < total / 2; i += 100) await send(batch(i, 100));
    await waitFor('the first processor under way', () => clean.length >= 50);
    const sending = (async () => {
      for (let i = total / 2; i < total; i += 100) await send(batch(i, 100));
    })();
    await first.component.stop(); // mid-stream: the events above are still arriving
    const second = await startTestProcessor({ registryUrl, pipelinesDir, groupId });
    await sending;

    await waitFor(`${total} clean events`, () => clean.length >= total, { timeoutMs: 60_000 });
    const admin = testKafka().admin();
    await admin.connect();
    registerCleanup(() => admin.disconnect());
    // Everything read from the raw topic is committed, so nothing more can come.
    await waitFor('the group caught up with the raw topic', () => caughtUp(admin, groupId, [`weir.raw.${type}`]));
    const published = (await counterValue(first.metrics, 'weir_processor_published_total')) + (await counterValue(second.metrics, 'weir_processor_published_total'));
    expect(published).toBe(total);
    expect(await counterValue(first.metrics, 'weir_processor_published_total')).toBeGreaterThan(0);
    expect(await counterValue(second.metrics, 'weir_processor_published_total')).toBeGreaterThan(0);
    const decoder = new SchemaRegistry({ host: registryUrl });
    const ids = await Promise.all(clean.map(async (r) => ((await decoder.decode(r.value)) as { event_id: string }).event_id));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });

  it('publishes each event exactly once when a second processor joins under load and the partitions are shared', async () => {
    const { type } = await registerTestEventType(registryUrl, 'purchase');
    const pipelinesDir = writeTestPipelines({ [type]: 'purchase' });
    const groupId = uniqueGroupId('processor');
    const first = await startTestProcessor({ registryUrl, pipelinesDir, groupId });
    const clean = await watchTopic(`weir.clean.${type}`);
    const t = Date.now() - 60_000;
    let total = 0;
    const sendHundred = async () => {
      await send(Array.from({ length: 100 }, (_, j) => ({ type, id: `e-${total + j}`, timestamp: t, order_id: `o-${total + j}`, amount_minor: 1, currency: 'USD', items_count: 1, user_id: `u${(total + j) % 31}` })));
      total += 100;
    };
    for (let i = 0; i < 3; i++) await sendHundred();
    await waitFor('the first processor under way', () => clean.length >= 50);
    const second = await startTestProcessor({ registryUrl, pipelinesDir, groupId }); // a rebalance while events flow
    // Events keep flowing until the second processor has published some: it took over a partition.
    while ((await counterValue(second.metrics, 'weir_processor_published_total')) === 0) {
      if (total >= 30_000) throw new Error(`the second processor published nothing after ${total} events`);
      await sendHundred();
      // Paced by the processors, so that the events in flight stay few hundred.
      await waitFor('the processors keeping up', () => clean.length >= total - 300, { timeoutMs: 60_000 });
    }
    for (let i = 0; i < 3; i++) await sendHundred();
    await waitFor(`${total} clean events`, () => clean.length >= total, { timeoutMs: 60_000 });
    const admin = testKafka().admin();
    await admin.connect();
    registerCleanup(() => admin.disconnect());
    await waitFor('the group caught up with the raw topic', () => caughtUp(admin, groupId, [`weir.raw.${type}`]));
    const publishedBy = [await counterValue(first.metrics, 'weir_processor_published_total'), await counterValue(second.metrics, 'weir_processor_published_total')];
    expect(publishedBy[0]! + publishedBy[1]!).toBe(total);
    expect(publishedBy[1], 'the second processor got a partition').toBeGreaterThan(0);
    const decoder = new SchemaRegistry({ host: registryUrl });
    const ids = await Promise.all(clean.map(async (r) => ((await decoder.decode(r.value)) as { event_id: string }).event_id));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });
});
