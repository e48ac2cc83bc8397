/**
 * The demo component against a real gateway (real registry, real Kafka): a bounded run whose every
 * event is accepted, lands once in its raw topic, and passes the processor's pipeline as decoded
 * from Kafka; and a run under a tight rate limit, whose 429s are waited out without losing one.
 */
import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDemoComponent } from '../../../services/demo/demo-component.ts';
import { DEMO_TYPES, type DemoType } from '../../../services/demo/event-generator.ts';
import { loadPipelines } from '../../../services/processor/pipeline/load-pipelines.ts';
import type { Pipeline } from '../../../services/processor/pipeline/pipeline.ts';
import { decodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { silentLogger } from '../../../services/shared/logger.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { registerTestEventType, startTestGateway, testKey } from '../../harness/gateway.ts';
import { connectedAdmin } from '../../harness/kafka.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { readTopicsToEnd } from '../../harness/topic-reader.ts';
import { waitFor } from '../../harness/wait-for.ts';

const root = path.join(import.meta.dirname, '../../..');

/** The value of a counter on the gateway's /metrics, summed over the label sets whose text contains `match`. */
async function counter(gatewayUrl: string, name: string, match = ''): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(match))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('demo mode against the gateway', () => {
  let registryUrl: string;
  let pipelines: ReadonlyMap<string, Pipeline>;

  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
    const schemaText = (type: string) => fs.readFileSync(path.join(root, 'schemas/events', `${type}.avsc`), 'utf8');
    pipelines = await loadPipelines(path.join(root, 'schemas/pipelines'), { latestReaderSchema: async (type) => ({ text: schemaText(type), origin: type }) });
  });

  /** The starter schemas under fresh names, so this test's raw topics are its own. */
  async function registerTypes(): Promise<Record<DemoType, string>> {
    const names = {} as Record<DemoType, string>;
    for (const type of DEMO_TYPES) names[type] = (await registerTestEventType(registryUrl, type)).type;
    return names;
  }

  it('sends a bounded run whose every event is accepted, lands once in Kafka and passes its pipeline', async () => {
    const typeNames = await registerTypes();
    const writer = testKey('demo');
    const gateway = await startTestGateway({ registryUrl, keys: [writer.key] });
    const demo = createDemoComponent({ gatewayUrl: gateway.url, key: writer.secret, ratePerSecond: 300, maxEvents: 600, seed: 2026, typeNames, logger: silentLogger() });
    registerCleanup(() => demo.stop());
    await demo.start();
    await waitFor('600 demo events answered', () => demo.stats().accepted + demo.stats().rejected + demo.stats().errors >= 600, { timeoutMs: 30_000 });
    await demo.stop();
    expect(demo.stats()).toEqual({ sent: 600, accepted: 600, rejected: 0, errors: 0, bad: 0 });
    expect(await counter(gateway.url, 'weir_gateway_events_accepted_total')).toBe(600);

    const byName = new Map(Object.entries(typeNames).map(([starter, name]) => [`weir.raw.${name}`, starter]));
    const records = await readTopicsToEnd(await connectedAdmin(), [...byName.keys()]);
    expect(records).toHaveLength(600);
    expect(new Set(records.map((r) => r.headers['weir-event-id'])).size).toBe(600);
    const readers = new Map(DEMO_TYPES.map((t) => [t, avro.Type.forSchema(JSON.parse(fs.readFileSync(path.join(root, 'schemas/events', `${t}.avsc`), 'utf8')) as avro.Schema)]));
    const failed: unknown[] = [];
    const perType = new Map<string, number>();
    for (const record of records) {
      const starter = byName.get(record.topic)!;
      perType.set(starter, (perType.get(starter) ?? 0) + 1);
      // The writer schema is the starter schema registered under another name: the same fields.
      const value = readers.get(starter as DemoType)!.fromBuffer(decodeFrame(record.value!).body) as Record<string, unknown>;
      const result = pipelines.get(starter)!.process(value, { now: Date.now(), secrets: () => 'demo-integration-secret' });
      if (!result.ok) failed.push({ starter, value, result });
    }
    expect(failed.slice(0, 3)).toEqual([]);
    expect([...perType.keys()].sort()).toEqual([...DEMO_TYPES].sort());
  });

  it('waits out the rate limit of its key (429 with Retry-After) and still delivers every event', async () => {
    const typeNames = await registerTypes();
    const limited = testKey('demo-limited', { eventsPerSecond: 150, burst: 60 });
    const gateway = await startTestGateway({ registryUrl, keys: [limited.key] });
    const demo = createDemoComponent({ gatewayUrl: gateway.url, key: limited.secret, ratePerSecond: 600, maxEvents: 450, seed: 9, typeNames, logger: silentLogger() });
    registerCleanup(() => demo.stop());
    await demo.start();
    await waitFor('450 demo events answered', () => demo.stats().accepted + demo.stats().rejected + demo.stats().errors >= 450, { timeoutMs: 60_000 });
    await demo.stop();
    expect(demo.stats()).toEqual({ sent: 450, accepted: 450, rejected: 0, errors: 0, bad: 0 });
    expect(await counter(gateway.url, 'weir_gateway_requests_refused_total', 'RATE_LIMITED')).toBeGreaterThan(0);
    expect(await counter(gateway.url, 'weir_gateway_events_accepted_total')).toBe(450);
  });
});
