/**
 * Every weir service as its own process (`node services/<name>/main.ts`, as docker-compose runs
 * them) on the run's Kafka and ClickHouse, for three test types made from the starter types with
 * their shipped pipelines and aggregates. The query API and the lag exporter join when their
 * entry points exist. Each process is stopped by PID on cleanup (service-process.ts).
 */
import fs from 'node:fs';
import { inject } from 'vitest';
import { startAggregatorProcess } from '../../harness/aggregator-process.ts';
import { writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { registerTestEventType } from '../../harness/gateway.ts';
import { testKafka, uniqueGroupId } from '../../harness/kafka.ts';
import { startProcessorProcess } from '../../harness/processor-process.ts';
import { writeTestPipelines } from '../../harness/processor.ts';
import { startServiceProcess, type ServiceProcess } from '../../harness/service-process.ts';
import { uniqueName } from '../../harness/unique.ts';

const root = new URL('../../../', import.meta.url).pathname;
export const STARTERS = ['page_view', 'purchase', 'api_request'] as const;
export type Starter = (typeof STARTERS)[number];

export interface WeirProcesses {
  /** Test type name of each starter type. */
  readonly types: Readonly<Record<Starter, string>>;
  readonly devKey: string;
  /** Job name (as in deploy/prometheus/prometheus.yml) -> its process. */
  readonly jobs: ReadonlyMap<string, ServiceProcess>;
  readonly groups: { readonly processor: string; readonly aggregator: string };
}

export const optionalStages = {
  query: 'services/query/main.ts',
  'lag-exporter': 'services/lag-exporter/main.ts',
} as const;

export function stageExists(job: keyof typeof optionalStages): boolean {
  return fs.existsSync(`${root}${optionalStages[job]}`);
}

export async function startWeirProcesses(database: string, options: { maxOpenWindows: number }): Promise<WeirProcesses> {
  const schemasTopic = uniqueName('schemas');
  let aggregatorDlqTopics: string[] = [];
  registerCleanup(async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const topics = [schemasTopic, ...aggregatorDlqTopics].filter((t) => existing.has(t));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } finally {
      await admin.disconnect();
    }
  });
  const registry = await startServiceProcess({ main: 'services/registry/main.ts', httpPrefix: 'WEIR_REGISTRY', name: 'registry', env: { WEIR_REGISTRY_TOPIC: schemasTopic } });
  await registry.ready();

  const types = {} as Record<Starter, string>;
  for (const starter of STARTERS) types[starter] = (await registerTestEventType(registry.url, starter)).type;
  aggregatorDlqTopics = STARTERS.map((s) => `weir.aggregator-dlq.${types[s]}`);
  const pipelinesDir = writeTestPipelines(Object.fromEntries(STARTERS.map((s) => [types[s], s])));
  const aggregatesDir = writeAggregateDefinitions(
    Object.fromEntries(
      STARTERS.map((s) => {
        const { source: _source, ...definition } = JSON.parse(fs.readFileSync(`${root}schemas/aggregates/${s}.json`, 'utf8')) as Record<string, unknown>;
        return [types[s], definition];
      }),
    ),
  );
  const devKey = `wk_dev_${uniqueName('k')}`;
  const groups = { processor: uniqueGroupId('processor'), aggregator: uniqueGroupId('aggregator') };
  const common = { WEIR_REGISTRY_URL: registry.url, WEIR_RAW_TOPIC_PARTITIONS: '2' };

  const jobs = new Map<string, ServiceProcess>([['registry', registry]]);
  jobs.set('gateway', await startServiceProcess({ main: 'services/gateway/main.ts', httpPrefix: 'WEIR_GATEWAY', name: 'gateway', env: { ...common, WEIR_DEV_KEY: devKey } }));
  jobs.set('processor', await startProcessorProcess({ registryUrl: registry.url, pipelinesDir, groupId: groups.processor, name: 'processor', env: common }));
  // The processor registers the clean schemas the aggregator and the query API read at start.
  await Promise.all([...jobs.values()].map((p) => p.ready(90_000)));
  jobs.set(
    'aggregator',
    await startAggregatorProcess({
      registryUrl: registry.url,
      aggregatesDir,
      database,
      groupId: groups.aggregator,
      name: 'aggregator',
      env: { WEIR_AGGREGATOR_MAX_OPEN_WINDOWS: String(options.maxOpenWindows), WEIR_AGGREGATOR_FLUSH_INTERVAL_MS: '200', WEIR_AGGREGATOR_SESSION_TIMEOUT_MS: '10000' },
    }),
  );
  if (stageExists('query')) {
    jobs.set(
      'query',
      await startServiceProcess({
        main: optionalStages.query,
        httpPrefix: 'WEIR_QUERY',
        name: 'query',
        env: { ...common, WEIR_DEV_KEY: devKey, WEIR_AGGREGATES_DIR: aggregatesDir, WEIR_CLICKHOUSE_DATABASE: database, CLICKHOUSE_URL: inject('clickhouseUrl') },
      }),
    );
  }
  if (stageExists('lag-exporter')) {
    jobs.set(
      'lag-exporter',
      await startServiceProcess({
        main: optionalStages['lag-exporter'],
        httpPrefix: 'WEIR_LAG_EXPORTER',
        name: 'lag exporter',
        env: { WEIR_LAG_EXPORTER_GROUPS_INCLUDE: `^(${groups.processor}|${groups.aggregator})$`, WEIR_LAG_EXPORTER_INTERVAL_MS: '500' },
      }),
    );
  }
  await Promise.all([...jobs.values()].map((p) => p.ready(90_000)));
  return { types, devKey, jobs, groups };
}
