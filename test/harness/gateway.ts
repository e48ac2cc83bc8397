/** A real ingest gateway for integration tests: on a free port, against a given registry and Kafka. */
import fs from 'node:fs';
import { Registry } from 'prom-client';
import { hashKey, type WriteKey } from '../../services/gateway/auth/write-keys.ts';
import { gatewaySpec, type GatewayConfig } from '../../services/gateway/config.ts';
import { createGatewayComponent, type GatewayComponent } from '../../services/gateway/gateway-component.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { createLogger, silentLogger } from '../../services/shared/logger.ts';
import { registerCleanup } from './cleanup.ts';
import { testBrokers, testKafka } from './kafka.ts';
import { uniqueName } from './unique.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';

export interface TestGateway {
  readonly url: string;
  readonly component: GatewayComponent;
  readonly metrics: Registry;
}

export interface TestGatewayOptions {
  registryUrl: string;
  keys: readonly WriteKey[];
  brokers?: readonly string[];
  config?: Partial<GatewayConfig>;
}

/** A write key for tests: its secret, and the stored (hashed) form. */
export function testKey(id: string, options: { types?: readonly string[] | '*'; eventsPerSecond?: number; burst?: number } = {}): { secret: string; key: WriteKey } {
  const secret = `wk_test_${id}_${uniqueName('k')}`;
  const types = options.types ?? '*';
  return {
    secret,
    key: {
      id,
      hash: hashKey(secret),
      types: types === '*' ? '*' : new Set(types),
      eventsPerSecond: options.eventsPerSecond ?? 1_000_000,
      burst: options.burst ?? 1_000_000,
    },
  };
}

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const defaults = defaultsOf(gatewaySpec);
  const config: GatewayConfig = { ...defaults, port: 0, host: '127.0.0.1', registryUrl: options.registryUrl, rawTopicPartitions: 2, ...options.config };
  const metrics = new Registry();
  const logger = process.env.WEIR_TEST_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger();
  const brokers = options.brokers ?? testBrokers();
  const kafka = createKafka({ brokers, clientId: 'weir-test-gateway', retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } });
  const component = createGatewayComponent({ config, keys: options.keys, brokers, kafka, logger, metrics });
  registerCleanup(() => component.stop());
  await component.start();
  return { url: component.url(), component, metrics };
}

/** The starter schema of `type` from schemas/events, registered under a fresh type name so tests never share raw topics. */
export async function registerTestEventType(registryUrl: string, starter: 'page_view' | 'purchase' | 'api_request'): Promise<{ type: string; schema: object }> {
  const schema = JSON.parse(fs.readFileSync(new URL(`../../schemas/events/${starter}.avsc`, import.meta.url), 'utf8')) as object;
  const type = uniqueName(starter).replace(/[^a-z0-9_]/g, '_');
  const response = await fetch(`${registryUrl}/subjects/weir.raw.${type}-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  if (!response.ok) throw new Error(`registering ${type}: HTTP ${response.status} ${await response.text()}`);
  registerCleanup(async () => {
    // The gateway makes the raw topic on first use; remove it with the type.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      if ((await admin.listTopics()).includes(`weir.raw.${type}`)) await admin.deleteTopics({ topics: [`weir.raw.${type}`] });
    } finally {
      await admin.disconnect();
    }
  });
  return { type, schema };
}
