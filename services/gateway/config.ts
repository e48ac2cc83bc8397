/** Settings of the ingest gateway. */
import {
  enumSetting,
  intSetting,
  loadConfig,
  optionalString,
  portSetting,
  stringSetting,
  type ConfigOf,
  type Env,
  type Setting,
} from '../shared/config/settings.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';
import { resolveKeys, type WriteKey } from './auth/write-keys.ts';

function jsonSetting<T>(env: string, doc: string, defaultValue: T, check: (value: unknown) => T): Setting<T> {
  return {
    env,
    doc,
    defaultValue,
    defaultText: JSON.stringify(defaultValue),
    parse(raw) {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw 'valid JSON';
      }
      return check(value);
    },
  };
}

export const gatewaySpec = {
  port: portSetting('WEIR_GATEWAY_PORT', DEFAULT_PORTS.gateway, { doc: 'HTTP port of the ingest gateway' }),
  host: stringSetting('WEIR_GATEWAY_HOST', '0.0.0.0', { doc: 'address the gateway listens on' }),
  registryUrl: stringSetting('WEIR_REGISTRY_URL', `http://127.0.0.1:${DEFAULT_PORTS.registry}`, { doc: 'schema registry the gateway reads event schemas from' }),
  writeKeys: optionalString('WEIR_WRITE_KEYS', { doc: 'write keys as JSON: [{"id","sha256","types":"*"|[...],"eventsPerSecond","burst"}]' }),
  writeKeysFile: optionalString('WEIR_WRITE_KEYS_FILE', { doc: 'file holding the write keys JSON (instead of WEIR_WRITE_KEYS)' }),
  devKey: optionalString('WEIR_DEV_KEY', { doc: 'a key that may write every type, for local development; npm start makes one when unset' }),
  maxBodyBytes: intSetting('WEIR_GATEWAY_MAX_BODY_BYTES', 1_048_576, { doc: 'request body limit, after decompression', min: 1_024, unit: 'bytes' }),
  maxEventBytes: intSetting('WEIR_GATEWAY_MAX_EVENT_BYTES', 32_768, { doc: 'per-event limit', min: 256, unit: 'bytes' }),
  maxBatchEvents: intSetting('WEIR_GATEWAY_MAX_BATCH_EVENTS', 1_000, { doc: 'events per request', min: 1, unit: 'events' }),
  maxPastSkewMs: intSetting('WEIR_GATEWAY_MAX_PAST_SKEW_MS', 7 * 24 * 3_600_000, { doc: 'oldest accepted event time, before receipt', min: 0, unit: 'ms' }),
  maxFutureSkewMs: intSetting('WEIR_GATEWAY_MAX_FUTURE_SKEW_MS', 300_000, { doc: 'latest accepted event time, after receipt', min: 0, unit: 'ms' }),
  lingerMs: intSetting('WEIR_GATEWAY_LINGER_MS', 2, { doc: 'wait for more events before sending a batch to Kafka when none is in flight', min: 0, max: 1_000, unit: 'ms' }),
  maxBufferedBytes: intSetting('WEIR_GATEWAY_MAX_BUFFERED_BYTES', 64 * 1_048_576, { doc: 'events waiting for Kafka; over it requests get 503', min: 65_536, unit: 'bytes' }),
  publishTimeoutMs: intSetting('WEIR_GATEWAY_PUBLISH_TIMEOUT_MS', 10_000, { doc: 'a request whose events Kafka has not acknowledged by then gets 503', min: 100, unit: 'ms' }),
  compression: enumSetting('WEIR_GATEWAY_COMPRESSION', ['none', 'gzip', 'lz4', 'snappy', 'zstd'] as const, 'none', { doc: 'compression of batches sent to Kafka' }),
  rawTopicPartitions: intSetting('WEIR_RAW_TOPIC_PARTITIONS', 3, { doc: 'partitions of each raw topic the gateway creates', min: 1, max: 10_000, unit: 'partitions' }),
  schemaTtlMs: intSetting('WEIR_GATEWAY_SCHEMA_TTL_MS', 30_000, { doc: 'how long a fetched event schema is used before it is refreshed', min: 100, unit: 'ms' }),
  keyFields: jsonSetting<Readonly<Record<string, readonly string[]>>>(
    'WEIR_GATEWAY_KEY_FIELDS',
    'message key field per type, as JSON {"type": ["field", ...]}; other types use user_id, then tenant_id, then the event id',
    {},
    (value) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw 'a JSON object of type -> [field, ...]';
      for (const [type, fields] of Object.entries(value)) {
        if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string')) throw `an array of field names for ${type}`;
      }
      return Object.freeze(value as Record<string, string[]>);
    },
  ),
  corsOrigins: optionalString('WEIR_GATEWAY_CORS_ORIGINS', { doc: 'origins browsers may send from: comma-separated, or *; unset allows none' }),
};

export type GatewayConfig = ConfigOf<typeof gatewaySpec>;

export const DEFAULT_KEY_FIELDS = Object.freeze(['user_id', 'tenant_id']);

export function loadGatewayConfig(env: Env): GatewayConfig {
  return loadConfig(gatewaySpec, env);
}

/** The write keys from WEIR_WRITE_KEYS(_FILE), plus the dev key; refuses to run with none. */
export function resolveWriteKeys(config: Pick<GatewayConfig, 'writeKeys' | 'writeKeysFile' | 'devKey'>): WriteKey[] {
  return resolveKeys({
    inline: { value: config.writeKeys, variable: 'WEIR_WRITE_KEYS' },
    file: { value: config.writeKeysFile, variable: 'WEIR_WRITE_KEYS_FILE' },
    devKey: config.devKey,
    noneMessage: 'the gateway has no write keys: set WEIR_WRITE_KEYS or WEIR_WRITE_KEYS_FILE (or WEIR_DEV_KEY for local development)',
  });
}
