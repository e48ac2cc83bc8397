/**
 * The processor under a registry outage, on real Kafka and the real registry behind a switchable
 * proxy: batches whose writer schema cannot be fetched pause their partition and are retried, the
 * consumer never crashes, nothing is published or dead-lettered while the registry is away, and
 * every event comes out exactly once when it returns. Also checks the per-outcome counters.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { readTopic } from '../../../services/cli/dlq/read-topic.ts';
import { encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { registerTestEventType } from '../../harness/gateway.ts';
import { testKafka } from '../../harness/kafka.ts';
import { counterValue, startTestProcessor, writeTestPipelines } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';

/** Forwards to `target`, or answers 503 while `down`. */
async function switchableProxy(target: string): Promise<{ url: string; setDown(down: boolean): void; refused: () => number }> {
  let down = false;
  let refused = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (down) {
        refused++;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error_code":50301,"message":"down for the test"}');
        return;
      }
      const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, ...(body === undefined ? {} : { body }) })
        .then(async (answer) => res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer())))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registerCleanup(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, setDown: (d) => (down = d), refused: () => refused };
}

describe('processor backpressure', () => {
  it('pauses partitions while the registry is away and publishes everything once it is back', async () => {
    const registry = await startTestRegistry();
    const { type, schema } = await registerTestEventType(registry.url, 'purchase');
    const proxy = await switchableProxy(registry.url);
    const processor = await startTestProcessor({ registryUrl: proxy.url, pipelinesDir: writeTestPipelines({ [type]: 'purchase' }) });

    proxy.setDown(true);
    const schemaId = ((await (await fetch(`${registry.url}/subjects/weir.raw.${type}-value/versions/latest`)).json()) as { id: number }).id;
    const avroType = avro.Type.forSchema(schema as avro.Schema);
    const t = Date.now() - 60_000;
    const producer = testKafka().producer();
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const total = 40;
    await producer.send({
      topic: `weir.raw.${type}`,
      acks: -1,
      messages: Array.from({ length: total }, (_, i) => {
        const value = avroType.toBuffer({ event_id: `e-${i}`, event_time: t, order_id: `o-${i}`, user_id: `u${i}`, session_id: null, amount_minor: i % 10 === 0 ? -1 : i, tax_minor: 0, currency: 'EUR', items_count: 1, payment_method: 'CARD', coupon_code: null, properties: {} });
        return { key: `u${i}`, value: encodeFrame(schemaId, value), headers: { 'weir-event-id': `e-${i}` } };
      }),
    });

    await waitFor('a batch retried after a pause', async () => (await counterValue(processor.metrics, 'weir_processor_batch_retries_total')) >= 2, { timeoutMs: 60_000 });
    expect(proxy.refused()).toBeGreaterThan(0);
    expect((await fetch(`${processor.component.url()}/readyz`)).status).toBe(200); // the consumer did not crash
    expect(await counterValue(processor.metrics, 'weir_processor_consumed_total')).toBe(0);
    expect(await counterValue(processor.metrics, 'weir_processor_dead_lettered_total')).toBe(0); // transient: never dead-lettered

    proxy.setDown(false);
    await waitFor(`all ${total} processed`, async () => (await counterValue(processor.metrics, 'weir_processor_consumed_total')) === total, { timeoutMs: 60_000 });
    const count = (name: string, labels?: Record<string, string>) => counterValue(processor.metrics, name, labels);
    expect(await count('weir_processor_valid_total')).toBe(36);
    expect(await count('weir_processor_invalid_total', { reason: 'out_of_range' })).toBe(4);
    expect(await count('weir_processor_transformed_total')).toBe(36);
    expect(await count('weir_processor_published_total')).toBe(36);
    expect(await count('weir_processor_dead_lettered_total', { reason: 'out_of_range' })).toBe(4);
    const page = await (await fetch(`${processor.component.url()}/metrics`)).text();
    expect(page).toMatch(/^weir_processor_lag_seconds\{topic="weir\.raw\.[a-z0-9_]+",partition="\d+"\} \d/m);
    expect(page).toContain('weir_processor_paused_partitions 0');

    const ids: string[] = [];
    await readTopic(testKafka(), `weir.clean.${type}`, { onRecords: (_p, records) => void ids.push(...records.map((r) => String(r.headers?.['weir-event-id']))) });
    expect(ids).toHaveLength(36);
    expect(new Set(ids).size).toBe(36);
  });
});
