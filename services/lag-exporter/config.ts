/** Settings of the consumer-group lag exporter. */
import { intSetting, loadConfig, portSetting, stringSetting, type ConfigOf, type Env, type Setting } from '../shared/config/settings.ts';
import { kafkaBrokersSetting } from '../shared/kafka/brokers-setting.ts';
import { DEFAULT_PORTS } from '../shared/ports.ts';

/** A regular expression setting, compiled once at boot; the error names the variable. */
function regexSetting(env: string, defaultSource: string, doc: string): Setting<RegExp> {
  return Object.freeze({
    env,
    doc,
    defaultText: defaultSource,
    defaultValue: new RegExp(defaultSource),
    parse(raw: string): RegExp {
      try {
        return new RegExp(raw);
      } catch {
        throw 'a JavaScript regular expression';
      }
    },
  });
}

export const lagExporterSpec = {
  port: portSetting('WEIR_LAG_EXPORTER_PORT', DEFAULT_PORTS.lagExporter, { doc: 'HTTP port of the lag exporter (/metrics, /healthz, /readyz)' }),
  host: stringSetting('WEIR_LAG_EXPORTER_HOST', '0.0.0.0', { doc: 'address the lag exporter listens on' }),
  intervalMs: intSetting('WEIR_LAG_EXPORTER_INTERVAL_MS', 5_000, { doc: 'how often the lag of every consumer group is read from Kafka (a scrape of /metrics only reads the last result)', min: 500, max: 600_000, unit: 'ms' }),
  groupsInclude: regexSetting('WEIR_LAG_EXPORTER_GROUPS_INCLUDE', '.*', 'consumer groups whose lag is exported (a regular expression, searched in the group id)'),
  // `^_` is the convention for internal groups (Confluent's _confluent-*, Kafka Streams internals).
  groupsExclude: regexSetting('WEIR_LAG_EXPORTER_GROUPS_EXCLUDE', '^_', 'consumer groups left out even when included (a regular expression, searched in the group id)'),
};

export type LagExporterConfig = ConfigOf<typeof lagExporterSpec>;

/** For the exporter run on its own (`node services/lag-exporter/main.ts`): it also needs brokers. */
export const standaloneLagExporterSpec = {
  ...lagExporterSpec,
  kafkaBrokers: kafkaBrokersSetting,
};

export function loadLagExporterConfig(env: Env): ConfigOf<typeof standaloneLagExporterSpec> {
  return loadConfig(standaloneLagExporterSpec, env);
}
