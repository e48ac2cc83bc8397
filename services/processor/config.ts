/** Settings of the stream processor. Secrets named by the pipelines (e.g. WEIR_PII_SECRET) are read from the environment too, and checked at start. */
import {
  intSetting,
  loadConfig,
  portSetting,
  stringSetting,
  type ConfigOf,
  type Env,
} from '../shared/config/settings.ts';
import { kafkaBrokersSetting } from '../shared/kafka/brokers-setting.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';

export const processorSpec = {
  port: portSetting('WEIR_PROCESSOR_PORT', DEFAULT_PORTS.processor, { doc: 'HTTP port of the processor (/metrics, /healthz, /readyz)' }),
  host: stringSetting('WEIR_PROCESSOR_HOST', '0.0.0.0', { doc: 'address the processor listens on' }),
  registryUrl: stringSetting('WEIR_REGISTRY_URL', `http://127.0.0.1:${DEFAULT_PORTS.registry}`, { doc: 'schema registry the processor reads writer schemas from' }),
  pipelinesDir: stringSetting('WEIR_PIPELINES_DIR', 'schemas/pipelines', { doc: 'folder of pipeline definitions (<type>.json)' }),
  groupId: stringSetting('WEIR_PROCESSOR_GROUP_ID', 'weir-processor', { doc: 'consumer group of the processors; also the prefix of their transactional ids' }),
  rawTopicPartitions: intSetting('WEIR_RAW_TOPIC_PARTITIONS', 3, { doc: 'partitions of a raw topic the processor makes when no gateway has yet', min: 1, max: 10_000, unit: 'partitions' }),
  partitionsConcurrently: intSetting('WEIR_PROCESSOR_CONCURRENCY', 3, { doc: 'partitions processed at the same time by one processor', min: 1, max: 1_000, unit: 'partitions' }),
  dedupMaxIds: intSetting('WEIR_PROCESSOR_DEDUP_MAX_IDS', 1_000_000, { doc: 'event ids remembered for dropping duplicates, over all partitions (about 100 bytes each)', min: 1, unit: 'ids' }),
  sessionTimeoutMs: intSetting('WEIR_PROCESSOR_SESSION_TIMEOUT_MS', 30_000, { doc: 'a processor silent this long leaves the group and its partitions move', min: 6_000, unit: 'ms' }),
  transactionTimeoutMs: intSetting('WEIR_PROCESSOR_TRANSACTION_TIMEOUT_MS', 60_000, { doc: 'the broker aborts a batch transaction open this long', min: 1_000, unit: 'ms' }),
};

/** For the processor run on its own (`node services/processor/main.ts`): it also needs brokers. */
export const standaloneProcessorSpec = {
  ...processorSpec,
  kafkaBrokers: kafkaBrokersSetting,
};

export type ProcessorConfig = ConfigOf<typeof processorSpec>;

export function loadProcessorConfig(env: Env): ConfigOf<typeof standaloneProcessorSpec> {
  return loadConfig(standaloneProcessorSpec, env);
}
