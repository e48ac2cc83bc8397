/**
 * The consumer-group lag exporter on its own: `node services/lag-exporter/main.ts`. One is enough
 * per cluster; it joins no group, so it can run anywhere that reaches the brokers.
 */
import { DEFAULT_BROKERS } from '../shared/kafka/brokers-setting.ts';
import { createKafka } from '../shared/kafka/client.ts';
import { runService } from '../shared/lifecycle/run-service.ts';
import { loadLagExporterConfig } from './config.ts';
import { createLagExporterComponent } from './lag-exporter-component.ts';

await runService({
  name: 'weir-lag-exporter',
  loadConfig: loadLagExporterConfig,
  build: ({ config, logger, metrics }) =>
    createLagExporterComponent({
      config,
      kafka: createKafka({ brokers: config.kafkaBrokers ?? DEFAULT_BROKERS, clientId: 'weir-lag-exporter', logger }),
      logger,
      metrics,
    }),
});
