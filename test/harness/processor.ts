/** A real stream processor for integration tests, on pipelines written for the test's own event types. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { processorSpec, type ProcessorConfig } from '../../services/processor/config.ts';
import { topicsOf } from '../../services/processor/pipeline/pipeline.ts';
import { createProcessorComponent, type ProcessorComponent } from '../../services/processor/processor-component.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { createRegistryClient } from '../../services/shared/registry/registry-client.ts';
import { createLogger, silentLogger } from '../../services/shared/logger.ts';
import { registerCleanup } from './cleanup.ts';
import { testBrokers, testKafka, uniqueGroupId } from './kafka.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';

export const TEST_PII_SECRET = 'test-pii-secret';

export interface TestProcessor {
  readonly component: ProcessorComponent;
  readonly metrics: Registry;
  readonly groupId: string;
}

export interface TestProcessorOptions {
  registryUrl: string;
  pipelinesDir: string;
  groupId?: string;
  secrets?: Readonly<Record<string, string>>;
  config?: Partial<ProcessorConfig>;
}

/**
 * A folder of pipeline definitions: for each test type, the shipped definition of its starter
 * type (with `source` renamed), plus the shipped tables. Removed on cleanup, with the clean and
 * dead-letter topics of its types.
 */
export function writeTestPipelines(types: Readonly<Record<string, 'page_view' | 'purchase' | 'api_request'>>): string {
  const shipped = new URL('../../schemas/pipelines/', import.meta.url).pathname;
  const files: Record<string, unknown> = {};
  for (const [type, starter] of Object.entries(types)) {
    const definition = JSON.parse(fs.readFileSync(path.join(shipped, `${starter}.json`), 'utf8')) as Record<string, unknown>;
    files[`${type}.json`] = { ...definition, source: type };
  }
  const dir = writePipelineFiles(files, Object.keys(types).flatMap((type) => [topicsOf(type).clean, topicsOf(type).deadLetter]));
  fs.cpSync(path.join(shipped, 'tables'), path.join(dir, 'tables'), { recursive: true });
  return dir;
}

/**
 * A fresh folder holding `files` (by path in the folder; objects are written as JSON), for
 * definitions written by the test itself. Removed on cleanup, with those of `topics` that exist.
 */
export function writePipelineFiles(files: Readonly<Record<string, unknown>>, topics: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-test-pipelines-'));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  registerCleanup(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const present = topics.filter((t) => existing.has(t));
      if (present.length > 0) await admin.deleteTopics({ topics: present });
    } finally {
      await admin.disconnect();
    }
  });
  return dir;
}

/** Registers `schema` under weir.raw.<type>-value in the test registry; its global id. */
export async function registerRawSchema(registryUrl: string, type: string, schema: object): Promise<number> {
  const { id } = await createRegistryClient({ baseUrl: registryUrl }).register(`${topicsOf(type).raw}-value`, JSON.stringify(schema));
  return id;
}

/** Starts a processor (stopped on cleanup); give the same `groupId` to several to share partitions. */
export async function startTestProcessor(options: TestProcessorOptions): Promise<TestProcessor> {
  const defaults = defaultsOf(processorSpec);
  const groupId = options.groupId ?? uniqueGroupId('processor');
  const config: ProcessorConfig = {
    ...defaults,
    port: 0,
    host: '127.0.0.1',
    registryUrl: options.registryUrl,
    pipelinesDir: options.pipelinesDir,
    groupId,
    rawTopicPartitions: 2,
    sessionTimeoutMs: 10_000,
    ...options.config,
  };
  const secrets = options.secrets ?? { WEIR_PII_SECRET: TEST_PII_SECRET };
  const metrics = new Registry();
  const logger = process.env.WEIR_TEST_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger();
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'weir-test-processor', retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 } });
  const component = createProcessorComponent({ config, kafka, secrets: (name) => secrets[name], logger, metrics });
  registerCleanup(() => component.stop());
  await component.start();
  return { component, metrics, groupId };
}

/** The sum of a counter of a processor's registry, over the label values that match `labels`. */
export async function counterValue(metrics: Registry, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const metric = metrics.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((sum, v) => sum + v.value, 0);
}
