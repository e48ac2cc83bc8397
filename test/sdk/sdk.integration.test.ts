/**
 * The SDK against a running gateway (real Kafka, real registry): events refused with 429 or 503
 * are retried and land exactly once, bad events are reported and never retried, and close()
 * flushes everything still buffered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createWeirClient, type FieldError } from '../../sdk/src/index.ts';
import { registerCleanup } from '../harness/cleanup.ts';
import { registerTestEventType, startTestGateway, testKey } from '../harness/gateway.ts';
import { testKafka, uniqueGroupId } from '../harness/kafka.ts';
import { startTestRegistry } from '../harness/registry.ts';
import { waitFor } from '../harness/wait-for.ts';

/** How many times each event id is in the topic, once `expected` messages are there. */
async function idCounts(topic: string, expected: number): Promise<Map<string, number>> {
  const consumer = testKafka().consumer({ groupId: uniqueGroupId('sdk-read') });
  await consumer.connect();
  registerCleanup(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const counts = new Map<string, number>();
  let total = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = String(message.headers?.['weir-event-id']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
      total++;
    },
  });
  await waitFor(`${expected} events on ${topic}`, () => total >= expected);
  return counts;
}

async function refusals(metricsUrl: string, code: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`weir_gateway_requests_refused_total{code="${code}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('SDK against the gateway', () => {
  let registryUrl: string;
  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
  });

  const pageView = (type: string, i: number) => ({ type, url: `https://sdk.example/${i}`, anonymous_id: `a${i % 7}`, session_id: 's', device_type: 'DESKTOP' as const });

  it('retries 429s and delivers each event exactly once', async () => {
    const { type } = await registerTestEventType(registryUrl, 'page_view');
    const limited = testKey('sdk-rate', { eventsPerSecond: 400, burst: 100 });
    const gateway = await startTestGateway({ registryUrl, keys: [limited.key] });
    const client = createWeirClient({ endpoint: gateway.url, writeKey: limited.secret, maxBatchEvents: 100, flushIntervalMs: 5, maxConcurrentRequests: 4, minBackoffMs: 20 });
    const ids: string[] = [];
    for (let i = 0; i < 600; i++) {
      const result = client.track(pageView(type, i));
      if (!result.queued) throw new Error(`event ${i} was not queued: ${result.reason}`);
      ids.push(result.id);
    }
    const closed = await client.close({ timeoutMs: 60_000 });
    expect(closed).toMatchObject({ accepted: 600, rejected: 0, dropped: 0, timedOut: false });
    expect(await refusals(`${gateway.url}/metrics`, 'RATE_LIMITED')).toBeGreaterThan(0);
    expect(client.stats().retries).toBeGreaterThan(0);
    const counts = await idCounts(`weir.raw.${type}`, 600);
    expect(counts.size).toBe(600);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(ids.every((id) => counts.get(id) === 1)).toBe(true);
  });

  it('retries 503s from a full publish buffer and delivers each event exactly once', async () => {
    const { type } = await registerTestEventType(registryUrl, 'page_view');
    const writer = testKey('sdk-503');
    // A small buffer and a long linger: concurrent requests pile up and the later ones get 503.
    const gateway = await startTestGateway({ registryUrl, keys: [writer.key], config: { maxBufferedBytes: 65_536, lingerMs: 200 } });
    const client = createWeirClient({ endpoint: gateway.url, writeKey: writer.secret, maxBatchEvents: 100, flushIntervalMs: 5, maxConcurrentRequests: 4, minBackoffMs: 20 });
    for (let i = 0; i < 800; i++) client.track(pageView(type, i));
    const closed = await client.close({ timeoutMs: 60_000 });
    expect(closed).toMatchObject({ accepted: 800, dropped: 0, timedOut: false });
    expect(await refusals(`${gateway.url}/metrics`, 'UNAVAILABLE')).toBeGreaterThan(0);
    const counts = await idCounts(`weir.raw.${type}`, 800);
    expect(counts.size).toBe(800);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('reports invalid events without retrying them, and flushes everything on close', async () => {
    const { type } = await registerTestEventType(registryUrl, 'page_view');
    const writer = testKey('sdk-close');
    const gateway = await startTestGateway({ registryUrl, keys: [writer.key] });
    const rejected: { url: unknown; errors: readonly FieldError[] }[] = [];
    const client = createWeirClient({
      endpoint: gateway.url,
      writeKey: writer.secret,
      // Nothing leaves before close(): a full minute to fill a batch of 10 000.
      flushIntervalMs: 60_000,
      maxBatchEvents: 1_000,
      onRejected: (event, errors) => rejected.push({ url: (event as { url?: unknown }).url, errors }),
    });
    for (let i = 0; i < 250; i++) client.track(pageView(type, i));
    client.track({ type, url: 'https://bad', anonymous_id: 'a', session_id: 's', device_type: 'PHONE' } as never);
    expect(client.stats()).toMatchObject({ queued: 251, sent: 0 });
    const closed = await client.close({ timeoutMs: 30_000 });
    expect(closed).toMatchObject({ accepted: 250, rejected: 1, dropped: 0, timedOut: false });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.errors.map((e) => `${e.path} ${e.reason}`)).toEqual(['/device_type not_in_enum']);
    expect(client.stats().retries).toBe(0);
    const counts = await idCounts(`weir.raw.${type}`, 250);
    expect(counts.size).toBe(250);
  });
});
