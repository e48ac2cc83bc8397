/**
 * A broker that dies mid-load: while it is down the gateway answers 503 with Retry-After (never a
 * 2xx it cannot keep), and once it is back every event that got a 2xx is in Kafka.
 */
import { describe, expect, it } from 'vitest';
import { startLocalKafka } from '../../../deploy/local/kafka/local-kafka.ts';
import { createKafka } from '../../../services/shared/kafka/client.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { registerTestEventType, startTestGateway, testKey } from '../../harness/gateway.ts';
import { uniqueGroupId } from '../../harness/kafka.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';

describe('gateway during a broker outage', () => {
  it('answers 503 while the broker is down and loses no acknowledged event', async () => {
    // Its own broker: this test kills it.
    const kafka = await startLocalKafka({ nodes: 1, heapMb: 384 });
    registerCleanup(() => kafka.stop());
    const registry = await startTestRegistry();
    const { type } = await registerTestEventType(registry.url, 'page_view');
    const writer = testKey('outage');
    const gateway = await startTestGateway({ registryUrl: registry.url, keys: [writer.key], brokers: kafka.brokers, config: { publishTimeoutMs: 1_500 } });

    const acknowledged = new Set<string>();
    const statuses = new Map<number, number>();
    let sequence = 0;
    const send = async (): Promise<number> => {
      const batch = Array.from({ length: 10 }, () => ({ type, id: `e-${sequence++}`, url: 'https://o', anonymous_id: 'a', session_id: 's', device_type: 'BOT' }));
      const response = await fetch(`${gateway.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer.secret}` },
        body: JSON.stringify(batch),
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 200) for (const e of batch) acknowledged.add(e.id);
      if (response.status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await response.arrayBuffer();
      return response.status;
    };

    for (let i = 0; i < 20; i++) expect(await send()).toBe(200);
    await kafka.nodes[0]!.kill();
    let unavailable = 0;
    await waitFor('three 503 answers while the broker is down', async () => ((await send()) === 503 ? ++unavailable >= 3 : false), { timeoutMs: 60_000, intervalMs: 0 });
    await kafka.nodes[0]!.restart();
    let recovered = 0;
    await waitFor('20 accepted batches after the broker is back', async () => ((await send()) === 200 ? ++recovered >= 20 : false), { timeoutMs: 90_000, intervalMs: 0 });

    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(400);

    const consumer = createKafka({ brokers: kafka.brokers, clientId: 'outage-check' }).consumer({ groupId: uniqueGroupId('outage') });
    await consumer.connect();
    registerCleanup(() => consumer.disconnect());
    await consumer.subscribe({ topic: `weir.raw.${type}`, fromBeginning: true });
    const seen = new Set<string>();
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(String(message.headers?.['weir-event-id'])) });
    await waitFor('every acknowledged event in Kafka', () => [...acknowledged].every((id) => seen.has(id)), { timeoutMs: 60_000 });
  });
});
