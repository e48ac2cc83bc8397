/** A real windowed aggregator for integration tests, on aggregate definitions written for the test's own types. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createAggregatorComponent, type AggregatorComponent } from '../../services/aggregator/aggregator-component.ts';
import { aggregatorSpec, type AggregatorConfig } from '../../services/aggregator/config.ts';
import type { ClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { createLogger, silentLogger } from '../../services/shared/logger.ts';
import { registerCleanup } from './cleanup.ts';
import { testBrokers, uniqueGroupId } from './kafka.ts';

export interface TestAggregator {
  readonly component: AggregatorComponent;
  readonly metrics: Registry;
}

/** A folder holding `<type>.json` for each definition; removed on cleanup. */
export function writeAggregateDefinitions(definitions: Readonly<Record<string, object>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-test-aggregates-'));
  for (const [type, definition] of Object.entries(definitions)) fs.writeFileSync(path.join(dir, `${type}.json`), JSON.stringify({ source: type, ...definition }, null, 2));
  registerCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestAggregatorOptions {
  readonly registryUrl: string;
  readonly store: ClickHouseStore;
  readonly database: string;
  readonly aggregatesDir: string;
  readonly groupId?: string;
  readonly config?: Partial<AggregatorConfig>;
}

/** Starts an aggregator (stopped on cleanup); give the same `groupId` to several to share partitions. */
export async function startTestAggregator(options: TestAggregatorOptions): Promise<TestAggregator> {
  const config: AggregatorConfig = {
    ...defaultsOf(aggregatorSpec),
    port: 0,
    host: '127.0.0.1',
    aggregatesDir: options.aggregatesDir,
    database: options.database,
    groupId: options.groupId ?? uniqueGroupId('aggregator'),
    sessionTimeoutMs: 10_000,
    flushIntervalMs: 200,
    ...options.config,
  };
  const metrics = new Registry();
  const logger = process.env.WEIR_TEST_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger();
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'weir-test-aggregator', retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 } });
  const component = createAggregatorComponent({ config, registryUrl: options.registryUrl, kafka, store: options.store, logger, metrics });
  registerCleanup(() => component.stop());
  await component.start();
  return { component, metrics };
}
