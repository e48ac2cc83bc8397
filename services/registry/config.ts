/** Settings of the schema registry service. */
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

export const registrySpec = {
  port: portSetting('WEIR_REGISTRY_PORT', DEFAULT_PORTS.registry, { doc: 'HTTP port of the schema registry' }),
  host: stringSetting('WEIR_REGISTRY_HOST', '0.0.0.0', { doc: 'address the schema registry listens on' }),
  topic: stringSetting('WEIR_REGISTRY_TOPIC', '_schemas', {
    doc: "compacted topic holding the registry's schemas and config (Confluent's default name)",
  }),
  maxBodyBytes: intSetting('WEIR_REGISTRY_MAX_BODY_BYTES', 4 * 1024 * 1024, {
    doc: 'larger request bodies are refused with 413',
    min: 1_024,
    unit: 'bytes',
  }),
  writeTimeoutMs: intSetting('WEIR_REGISTRY_WRITE_TIMEOUT_MS', 30_000, {
    doc: 'how long a registration may take to be stored before it fails with 50002',
    min: 1_000,
    unit: 'ms',
  }),
};

/** For the registry run on its own (`node services/registry/main.ts`): it also needs brokers. */
export const standaloneRegistrySpec = {
  ...registrySpec,
  kafkaBrokers: kafkaBrokersSetting,
};

export type RegistryConfig = ConfigOf<typeof registrySpec>;

export function loadRegistryConfig(env: Env): ConfigOf<typeof standaloneRegistrySpec> {
  return loadConfig(standaloneRegistrySpec, env);
}
