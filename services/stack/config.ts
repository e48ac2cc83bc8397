/** Settings of `npm start`, the local stack. Every one is an environment variable with a default. */
import { aggregatorSpec } from '../aggregator/config.ts';
import { gatewaySpec } from '../gateway/config.ts';
import { lagExporterSpec } from '../lag-exporter/config.ts';
import { processorSpec } from '../processor/config.ts';
import { querySpec } from '../query/config.ts';
import { registrySpec } from '../registry/config.ts';
import { loggingSpec } from '../shared/logging-config.ts';
import {
  intSetting,
  loadConfigs,
  optionalHostPortList,
  optionalString,
  optionalUrl,
  portSetting,
  stringSetting,
  type ConfigOf,
  type Env,
} from '../shared/config/settings.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';

// The stack's gateway reads the stack's own registry, so WEIR_REGISTRY_URL does not apply here.
const { registryUrl: _registryUrl, ...stackGatewaySpec } = gatewaySpec;
const { registryUrl: _processorRegistryUrl, rawTopicPartitions: _processorPartitions, ...stackProcessorSpec } = processorSpec;

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
};

/** Every spec `npm start` reads: its own, and those of the services it runs (each keeps its names). */
export const stackSpecs = { stack: stackSpec, registry: registrySpec, gateway: stackGatewaySpec, processor: stackProcessorSpec, aggregator: aggregatorSpec, query: querySpec, lagExporter: lagExporterSpec } as const;

export interface StackConfig {
  readonly stack: ConfigOf<typeof stackSpec>;
  readonly registry: ConfigOf<typeof registrySpec>;
  readonly gateway: ConfigOf<typeof stackGatewaySpec>;
  readonly processor: ConfigOf<typeof stackProcessorSpec>;
  readonly aggregator: ConfigOf<typeof aggregatorSpec>;
  readonly query: ConfigOf<typeof querySpec>;
  readonly lagExporter: ConfigOf<typeof lagExporterSpec>;
}

/** Reads every spec; one CONFIG_INVALID error lists every bad variable of all of them. */
export function loadStackConfig(env: Env): StackConfig {
  return loadConfigs(stackSpecs, env);
}
