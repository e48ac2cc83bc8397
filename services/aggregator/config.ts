/** Settings of the windowed aggregator. */
import { intSetting, loadConfig, optionalString, optionalUrl, portSetting, stringSetting, type ConfigOf, type Env } from '../shared/config/settings.ts';
import { kafkaBrokersSetting } from '../shared/kafka/brokers-setting.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';

export const aggregatorSpec = {
  port: portSetting('WEIR_AGGREGATOR_PORT', DEFAULT_PORTS.aggregator, { doc: 'HTTP port of the aggregator (/metrics, /healthz, /readyz)' }),
  host: stringSetting('WEIR_AGGREGATOR_HOST', '0.0.0.0', { doc: 'address the aggregator listens on' }),
  aggregatesDir: stringSetting('WEIR_AGGREGATES_DIR', 'schemas/aggregates', { doc: 'folder of aggregate definitions (<type>.json)' }),
  groupId: stringSetting('WEIR_AGGREGATOR_GROUP_ID', 'weir-aggregator', { doc: 'consumer group of the aggregators' }),
  database: stringSetting('WEIR_CLICKHOUSE_DATABASE', 'weir', { doc: 'ClickHouse database of the aggregate tables (agg_<type>)' }),
  flushIntervalMs: intSetting('WEIR_AGGREGATOR_FLUSH_INTERVAL_MS', 1_000, { doc: 'how often open windows are written to ClickHouse, so live totals are this fresh', min: 100, max: 60_000, unit: 'ms' }),
  maxOpenWindows: intSetting('WEIR_AGGREGATOR_MAX_OPEN_WINDOWS', 100_000, { doc: 'open (window, dimensions) states held in memory; past it, windows ClickHouse has are evicted and read back when needed', min: 100, unit: 'windows' }),
  sessionTimeoutMs: intSetting('WEIR_AGGREGATOR_SESSION_TIMEOUT_MS', 30_000, { doc: 'an aggregator silent this long leaves the group and its partitions move', min: 6_000, unit: 'ms' }),
};

export type AggregatorConfig = ConfigOf<typeof aggregatorSpec>;

/** For the aggregator run on its own (`node services/aggregator/main.ts`): brokers, registry and ClickHouse too. */
export const standaloneAggregatorSpec = {
  ...aggregatorSpec,
  kafkaBrokers: kafkaBrokersSetting,
  registryUrl: stringSetting('WEIR_REGISTRY_URL', `http://127.0.0.1:${DEFAULT_PORTS.registry}`, { doc: 'schema registry the aggregator reads the clean schemas from' }),
  clickhouseUrl: optionalUrl('CLICKHOUSE_URL', { doc: 'ClickHouse server (http[s]://host:8123); unset: chDB embedded in WEIR_CLICKHOUSE_PATH', protocols: ['http:', 'https:'] }),
  clickhouseUser: optionalString('CLICKHOUSE_USER', { doc: 'user for CLICKHOUSE_URL' }),
  clickhousePassword: optionalString('CLICKHOUSE_PASSWORD', { doc: 'password for CLICKHOUSE_URL' }),
  clickhousePath: stringSetting('WEIR_CLICKHOUSE_PATH', '.weir/clickhouse', { doc: 'data directory of the embedded chDB, when CLICKHOUSE_URL is unset (one process per directory)' }),
};

export function loadAggregatorConfig(env: Env): ConfigOf<typeof standaloneAggregatorSpec> {
  return loadConfig(standaloneAggregatorSpec, env);
}
