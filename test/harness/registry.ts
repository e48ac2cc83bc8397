/** A real schema registry for integration tests: the Kafka-backed service on a unique topic and a free port. */
import { Registry } from 'prom-client';
import { registrySpec, type RegistryConfig } from '../../services/registry/config.ts';
import { createRegistryComponent, type RegistryComponent } from '../../services/registry/registry-component.ts';
import { createLogger, silentLogger } from '../../services/shared/logger.ts';
import { registerCleanup } from './cleanup.ts';
import { testKafka } from './kafka.ts';
import { uniqueName } from './unique.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';

export interface TestRegistry {
  readonly url: string;
  readonly topic: string;
  readonly component: RegistryComponent;
}

/** Starts a registry on `topic` (default: a fresh one, deleted on cleanup); stopped on cleanup. */
export async function startTestRegistry(options: { topic?: string } = {}): Promise<TestRegistry> {
  const topic = options.topic ?? uniqueName('schemas');
  if (options.topic === undefined) {
    registerCleanup(async () => {
      const admin = testKafka().admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: [topic] });
      } finally {
        await admin.disconnect();
      }
    });
  }
  const defaults = defaultsOf(registrySpec);
  const config: RegistryConfig = { ...defaults, port: 0, host: '127.0.0.1', topic };
  const component = createRegistryComponent({ config, kafka: testKafka('weir-test-registry'), logger: process.env.WEIR_TEST_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger(), metrics: new Registry() });
  registerCleanup(() => component.stop());
  await component.start();
  return { url: component.url(), topic, component };
}
