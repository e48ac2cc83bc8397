/**
 * The stream processor on its own: `node services/processor/main.ts` (docker-compose and clusters
 * run it like this). Processors scale with partitions: run more with the same
 * WEIR_PROCESSOR_GROUP_ID and they share the raw topics' partitions.
 */
import { DEFAULT_BROKERS } from '../shared/kafka/brokers-setting.ts';
import { createKafka } from '../shared/kafka/client.ts';
import { runService } from '../shared/lifecycle/run-service.ts';
import { loadProcessorConfig } from './config.ts';
import { createProcessorComponent } from './processor-component.ts';

await runService({
  name: 'weir-processor',
  loadConfig: loadProcessorConfig,
  build: ({ config, logger, metrics }) =>
    createProcessorComponent({
      config,
      kafka: createKafka({ brokers: config.kafkaBrokers ?? DEFAULT_BROKERS, clientId: 'weir-processor', logger }),
      secrets: (name) => process.env[name],
      logger,
      metrics,
    }),
});
