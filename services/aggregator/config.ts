/** Settings of the windowed aggregator. */
import { intSetting, portSetting, stringSetting, type ConfigOf } from '../shared/config/settings.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';

export const aggregatorSpec = {
  port: portSetting('WEIR_AGGREGATOR_PORT', DEFAULT_PORTS.aggregator, { doc: 'HTTP port of the aggregator (/metrics, /healthz, /readyz)' }),
  host: stringSetting('WEIR_AGGREGATOR_HOST', '0.0.0.0', { doc: 'address the aggregator listens on' }),
  aggregatesDir: stringSetting('WEIR_AGGREGATES_DIR', 'schemas/aggregates', { doc: 'folder of aggregate definitions (<type>.json)' }),
  groupId: stringSetting('WEIR_AGGREGATOR_GROUP_ID', 'weir-aggregator', { doc: 'consumer group of the aggregators' }),
  database: stringSetting('WEIR_CLICKHOUSE_DATABASE', 'weir', { doc: 'ClickHouse database of the aggregate tables (agg_<type>)' }),
  flushIntervalMs: intSetting('WEIR_AGGREGATOR_FLUSH_INTERVAL_MS', 1_000, { doc: 'how often open windows are written to ClickHouse, so live totals are this fresh', min: 100, max: 60_000, unit: 'ms' }),
  maxOpenWindows: intSetting('WEIR_AGGREGATOR_MAX_OPEN_WINDOWS', 100_000, { doc: 'open (window, dimensions) states held before consuming waits for a flush', min: 100, unit: 'windows' }),
  sessionTimeoutMs: intSetting('WEIR_AGGREGATOR_SESSION_TIMEOUT_MS', 30_000, { doc: 'an aggregator silent this long leaves the group and its partitions move', min: 6_000, unit: 'ms' }),
};

export type AggregatorConfig = ConfigOf<typeof aggregatorSpec>;
