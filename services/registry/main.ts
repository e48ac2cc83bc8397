/**
 * The schema registry on its own: `node services/registry/main.ts` (docker-compose and clusters run
 * it like this; `npm start` runs it inside the local stack). Instances share the `_schemas` topic.
 */
import { DEFAULT_BROKERS } from '../shared/kafka/brokers-setting.ts';
import { createKafka } from '../shared/kafka/client.ts';
import { runService } from '../shared/lifecycle/run-service.ts';
import { loadRegistryConfig } from './config.ts';
import { createRegistryComponent } from './registry-component.ts';

await runService({
  name: 'weir-registry',
  loadConfig: loadRegistryConfig,
  build: ({ config, logger, metrics }) =>
    createRegistryComponent({
      config,
      kafka: createKafka({ brokers: config.kafkaBrokers ?? DEFAULT_BROKERS, clientId: 'weir-registry', logger }),
      logger,
      metrics,
    }),
});
