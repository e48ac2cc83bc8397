/**
 * The schema registry as one component: the Kafka-backed store, the REST API and the ops
 * endpoints on one port. Started after Kafka, stopped before it.
 */
import express from 'express';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { startHttpServer, type RunningHttpServer } from '../shared/http/http-server.ts';
import { createOpsRouter } from '../shared/http/ops-routes.ts';
import { requestMetricsMiddleware } from '../shared/http/request-metrics.ts';
import type { Component, Health } from '../shared/lifecycle/component.ts';
import type { Logger } from '../shared/logger.ts';
import type { RegistryConfig } from './config.ts';
import { createKafkaRegistryStore } from './kafka-registry-store.ts';
import { createRegistryMetrics } from './metrics.ts';
import { createRegistryRouter } from './routes.ts';

export interface RegistryComponentDeps {
  config: RegistryConfig;
  kafka: Kafka;
  logger: Logger;
  metrics: Registry;
}

export interface RegistryComponent extends Component {
  /** The base URL once started, e.g. http://127.0.0.1:8081. */
  url(): string;
}

export function createRegistryComponent(deps: RegistryComponentDeps): RegistryComponent {
  const logger = deps.logger.child({ component: 'registry' });
  // The gauges read the store at scrape time, so they may be made before it.
  const metrics = createRegistryMetrics(deps.metrics, () => store.state(), () => store.appliedOffset());
  const store = createKafkaRegistryStore({
    kafka: deps.kafka,
    topic: deps.config.topic,
    logger,
    writeTimeoutMs: deps.config.writeTimeoutMs,
    onIgnoredRecord: () => metrics.ignoredRecords.inc(),
  });
  let server: RunningHttpServer | undefined;
  let stopping = false;

  const health = (): Health => {
    const storeHealth = store.health();
    return {
      live: storeHealth.live,
      ready: storeHealth.ready && server !== undefined && !stopping,
      detail: { store: storeHealth.detail },
    };
  };

  return {
    name: 'registry',
    health,
    url: () => server?.url ?? '',
    async start() {
      await store.start();
      const app = express();
      app.disable('x-powered-by');
      app.use(requestMetricsMiddleware(metrics.http));
      app.use(createOpsRouter({ metrics: deps.metrics, health }));
      app.use(createRegistryRouter({ store, logger, maxBodyBytes: deps.config.maxBodyBytes }));
      server = await startHttpServer(app, { port: deps.config.port, host: deps.config.host, portVariable: 'WEIR_REGISTRY_PORT' });
      logger.info({ url: server.url, topic: deps.config.topic }, 'schema registry listening');
    },
    async stop() {
      stopping = true;
      await server?.stop(); // no new requests; in-flight ones finish
      await store.stop(); // waits for queued writes, then leaves Kafka
    },
  };
}
