/** Settings of the query API. */
import { intSetting, loadConfig, optionalString, optionalUrl, portSetting, stringSetting, type ConfigOf, type Env } from '../shared/config/settings.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';

export const querySpec = {
  port: portSetting('WEIR_QUERY_PORT', DEFAULT_PORTS.query, { doc: 'HTTP port of the query API' }),
  host: stringSetting('WEIR_QUERY_HOST', '0.0.0.0', { doc: 'address the query API listens on' }),
  readKeys: optionalString('WEIR_READ_KEYS', { doc: 'read keys as JSON: [{"id","sha256","types":"*"|[...]}]' }),
  readKeysFile: optionalString('WEIR_READ_KEYS_FILE', { doc: 'file holding the read keys JSON (instead of WEIR_READ_KEYS)' }),
  maxRows: intSetting('WEIR_QUERY_MAX_ROWS', 10_000, { doc: 'rows a query answer may have (its limit); ClickHouse may group 10 times as many before top N', min: 1, max: 1_000_000, unit: 'rows' }),
  maxBuckets: intSetting('WEIR_QUERY_MAX_BUCKETS', 10_000, { doc: 'time buckets one query may span', min: 1, max: 1_000_000, unit: 'buckets' }),
  timeoutMs: intSetting('WEIR_QUERY_TIMEOUT_MS', 10_000, { doc: 'ClickHouse time limit of one query (max_execution_time, whole seconds)', min: 1_000, max: 600_000, unit: 'ms' }),
  cacheMs: intSetting('WEIR_QUERY_CACHE_MS', 1_000, { doc: 'an answer is shared with callers of the same query this long (and served while refreshed for as long again); 0 turns it off', min: 0, max: 60_000, unit: 'ms' }),
  maxStreamsPerKey: intSetting('WEIR_QUERY_MAX_STREAMS_PER_KEY', 20, { doc: 'open /v1/stream connections one key may hold', min: 1, max: 10_000, unit: 'streams' }),
  streamIntervalMs: intSetting('WEIR_QUERY_STREAM_INTERVAL_MS', 1_000, { doc: 'how often streams look for new data (one cheap check per type, then one query per distinct stream query)', min: 100, max: 60_000, unit: 'ms' }),
  heartbeatMs: intSetting('WEIR_QUERY_HEARTBEAT_MS', 15_000, { doc: 'a comment line on idle streams this often, so proxies keep them open', min: 1_000, max: 300_000, unit: 'ms' }),
  corsOrigins: optionalString('WEIR_QUERY_CORS_ORIGINS', { doc: 'origins browsers may query from: comma-separated, or *; unset allows none' }),
};

export type QueryConfig = ConfigOf<typeof querySpec>;

/** For the query API run on its own (`node services/query/main.ts`): where the definitions, registry and ClickHouse are. */
export const standaloneQuerySpec = {
  ...querySpec,
  aggregatesDir: stringSetting('WEIR_AGGREGATES_DIR', 'schemas/aggregates', { doc: 'folder of aggregate definitions (<type>.json)' }),
  database: stringSetting('WEIR_CLICKHOUSE_DATABASE', 'weir', { doc: 'ClickHouse database of the aggregate tables (agg_<type>)' }),
  registryUrl: stringSetting('WEIR_REGISTRY_URL', `http://127.0.0.1:${DEFAULT_PORTS.registry}`, { doc: 'schema registry the clean schemas are read from' }),
  clickhouseUrl: optionalUrl('CLICKHOUSE_URL', { doc: 'ClickHouse server (http[s]://host:8123); unset: chDB embedded in WEIR_CLICKHOUSE_PATH', protocols: ['http:', 'https:'] }),
  clickhouseUser: optionalString('CLICKHOUSE_USER', { doc: 'user for CLICKHOUSE_URL (a read-only user is enough)' }),
  clickhousePassword: optionalString('CLICKHOUSE_PASSWORD', { doc: 'password for CLICKHOUSE_URL' }),
  clickhousePath: stringSetting('WEIR_CLICKHOUSE_PATH', '.weir/clickhouse', { doc: 'data directory of the embedded chDB, when CLICKHOUSE_URL is unset (one process per directory)' }),
  devKey: optionalString('WEIR_DEV_KEY', { doc: 'a key that may read every type, for local development' }),
};

export type StandaloneQueryConfig = ConfigOf<typeof standaloneQuerySpec>;

export function loadQueryConfig(env: Env): StandaloneQueryConfig {
  return loadConfig(standaloneQuerySpec, env);
}
