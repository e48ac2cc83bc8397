/**
 * The schema registry on its own: `node services/registry/main.ts` (docker-compose and clusters run
 * it like this; `npm start` runs it inside the local stack).
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { isWeirError } from '../shared/errors.ts';
import { createKafka } from '../shared/kafka/client.ts';
import { StopInOrder } from '../shared/lifecycle/stop-in-order.ts';
import { stopOnSignals } from '../shared/lifecycle/stop-on-signals.ts';
import { loggingSpec, createLoggerFromConfig } from '../shared/logging-config.ts';
import { loadConfig } from '../shared/config/settings.ts';
import { loadRegistryConfig } from './config.ts';
import { createRegistryComponent } from './registry-component.ts';

// 1. Configuration, validated once.
const [config, logging] = (() => {
  try {
    return [loadRegistryConfig(process.env), loadConfig(loggingSpec('json'), process.env)] as const;
  } catch (error) {
    process.stderr.write(`weir registry: ${isWeirError(error) ? error.message : String(error)}\n`);
    return process.exit(2);
  }
})();

// 2. Logger, metrics, shutdown order.
const logger = createLoggerFromConfig(logging, 'weir-registry');
const metrics = new Registry();
collectDefaultMetrics({ register: metrics });
const stopper = new StopInOrder(logger);
stopOnSignals({ logger, stop: () => stopper.stopAll(), hardTimeoutMs: logging.shutdownTimeoutMs });

// 3. Kafka client and the registry.
const kafka = createKafka({ brokers: config.kafkaBrokers ?? ['127.0.0.1:9092'], clientId: 'weir-registry', logger });
const registry = createRegistryComponent({ config, kafka, logger, metrics });
try {
  await registry.start();
  stopper.add('registry', () => registry.stop());
} catch (error) {
  logger.fatal({ err: error }, 'the schema registry could not start');
  await registry.stop().catch(() => undefined);
  process.exit(1);
}
