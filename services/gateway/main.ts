/**
 * The ingest gateway on its own: `node services/gateway/main.ts` (docker-compose and clusters run
 * it like this; `npm start` runs it inside the local stack). Gateways are stateless: run as many as
 * the load needs behind a load balancer.
 */
import { loadConfig } from '../shared/config/settings.ts';
import { DEFAULT_BROKERS, kafkaBrokersSetting } from '../shared/kafka/brokers-setting.ts';
import { createKafka } from '../shared/kafka/client.ts';
import { runService } from '../shared/lifecycle/run-service.ts';
import { loadGatewayConfig, resolveWriteKeys } from './config.ts';
import { createGatewayComponent } from './gateway-component.ts';

const brokersSpec = { brokers: kafkaBrokersSetting };

await runService({
  name: 'weir-gateway',
  // Write keys are part of the config: a bad key list stops the gateway at boot.
  loadConfig: (env) => {
    const gateway = loadGatewayConfig(env);
    return { gateway, keys: resolveWriteKeys(gateway), brokers: loadConfig(brokersSpec, env).brokers ?? DEFAULT_BROKERS };
  },
  build: ({ config, logger, metrics }) =>
    createGatewayComponent({
      config: config.gateway,
      keys: config.keys,
      brokers: config.brokers,
      kafka: createKafka({ brokers: config.brokers, clientId: 'weir-gateway', logger }),
      logger,
      metrics,
    }),
});
