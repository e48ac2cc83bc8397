/** Settings of `npm start`, the local stack. Every one is an environment variable with a default. */
import { registrySpec } from '../registry/config.ts';
import { loggingSpec } from '../shared/logging-config.ts';
import {
  intSetting,
  loadConfig,
  optionalHostPortList,
  optionalString,
  optionalUrl,
  portSetting,
  stringSetting,
  type ConfigOf,
  type Env,
} from '../shared/config/settings.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';

export const stackSpec = {
  dataDir: stringSetting('WEIR_DATA_DIR', '.weir', {
    doc: 'directory for the local broker and the embedded ClickHouse; kept between runs',
  }),
  kafkaBrokers: optionalHostPortList('KAFKA_BROKERS', {
    doc: 'use these Kafka brokers (host:port,...) instead of starting a local one',
  }),
  kafkaPort: portSetting('WEIR_KAFKA_PORT', DEFAULT_PORTS.kafka, { doc: 'port of the local broker' }),
  kafkaHeapMb: intSetting('WEIR_KAFKA_HEAP_MB', 512, { doc: 'max heap of the local broker JVM', min: 128, max: 16_384, unit: 'MiB' }),
  clickhouseUrl: optionalUrl('CLICKHOUSE_URL', {
    doc: 'use this ClickHouse server (http[s]://host:8123) instead of the embedded engine',
    protocols: ['http:', 'https:'],
  }),
  clickhouseUser: optionalString('CLICKHOUSE_USER', { doc: 'user for CLICKHOUSE_URL' }),
  clickhousePassword: optionalString('CLICKHOUSE_PASSWORD', { doc: 'password for CLICKHOUSE_URL' }),
  ...loggingSpec('pretty'),
  ...registrySpec,
};

export type StackConfig = ConfigOf<typeof stackSpec>;

export function loadStackConfig(env: Env): StackConfig {
  return loadConfig(stackSpec, env);
}
