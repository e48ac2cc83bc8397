/**
 * The ingest gateway as one component: write keys, rate limits, the schema catalog (from the
 * registry), the publisher (one idempotent @platformatic/kafka producer) and the HTTP API with its ops routes.
 * Stop order: refuse new requests, let in-flight ones finish, flush the publisher, disconnect.
 */
import express from 'express';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { startHttpServer, type RunningHttpServer } from '../shared/http/http-server.ts';
import { createOpsRouter } from '../shared/http/ops-routes.ts';
import { requestMetricsMiddleware } from '../shared/http/request-metrics.ts';
import type { Component, Health } from '../shared/lifecycle/component.ts';
import type { Logger } from '../shared/logger.ts';
import { createRegistryClient } from '../shared/registry/registry-client.ts';
import { RateLimiter } from './auth/rate-limiter.ts';
import { WriteKeys, type WriteKey } from './auth/write-keys.ts';
import { DEFAULT_KEY_FIELDS, type GatewayConfig } from './config.ts';
import { corsMiddleware, parseCorsOrigins } from './http/cors.ts';
import { OPENAPI_DOCUMENT } from './http/openapi.ts';
import { createIngestRouter, gatewayErrorHandler } from './http/routes.ts';
import { ingestBatch } from './ingest/ingest-batch.ts';
import { createGatewayMetrics } from './metrics.ts';
import { createKafkaSender } from './publish/kafka-sender.ts';
import { Publisher } from './publish/publisher.ts';
import { RawTopics } from './publish/raw-topics.ts';
import { SchemaCatalog } from './schemas/schema-catalog.ts';
import { uuidV7 } from './validation/uuid-v7.ts';

export interface GatewayComponentDeps {
  config: GatewayConfig;
  keys: readonly WriteKey[];
  /** The brokers the gateway publishes to. */
  brokers: readonly string[];
  /** For the admin work (making raw topics). */
  kafka: Kafka;
  logger: Logger;
  metrics: Registry;
}

export interface GatewayComponent extends Component {
  url(): string;
}

export function createGatewayComponent(deps: GatewayComponentDeps): GatewayComponent {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'gateway' });
  // A send that cannot finish within the publish timeout has failed its callers anyway: retry a
  // little, then fail the batch so its buffer is freed and callers get 503 at once.
  const sender = createKafkaSender({
    brokers: deps.brokers,
    clientId: 'weir-gateway',
    compression: config.compression,
    requestTimeoutMs: Math.min(5_000, config.publishTimeoutMs),
    retries: 3,
    retryDelayMs: 250,
  });
  const admin: Admin = deps.kafka.admin();
  // The gauge reads the publisher at scrape time, so metrics may be made before it.
  const metrics = createGatewayMetrics(deps.metrics, () => publisher.bufferedBytes);
  const publisher = new Publisher({
    sender,
    logger,
    lingerMs: config.lingerMs,
    maxBufferedBytes: config.maxBufferedBytes,
    publishTimeoutMs: config.publishTimeoutMs,
    onBatch: (messages, bytes, seconds, ok) => metrics.publishBatch(messages, bytes, seconds, ok),
  });
  const schemas = new SchemaCatalog({
    registry: createRegistryClient({ baseUrl: config.registryUrl, timeoutMs: 5_000 }),
    logger,
    ttlMs: config.schemaTtlMs,
    negativeTtlMs: Math.min(config.schemaTtlMs, 5_000),
  });
  const topics = new RawTopics({ admin, partitions: config.rawTopicPartitions, logger });
  let server: RunningHttpServer | undefined;
  let connected = false;
  let stopping = false;

  const health = (): Health => ({
    live: true,
    ready: connected && server !== undefined && !stopping && !publisher.failing,
    detail: { kafka: publisher.failing ? 'failing' : connected ? 'connected' : 'not connected', bufferedBytes: publisher.bufferedBytes },
  });

  return {
    name: 'gateway',
    health,
    url: () => server?.url ?? '',
    async start() {
      await Promise.all([sender.connect(), admin.connect()]);
      connected = true;
      const app = express();
      app.disable('x-powered-by');
      app.use(requestMetricsMiddleware(metrics.http));
      app.use(createOpsRouter({ metrics: deps.metrics, health }));
      app.get('/openapi.json', (_req, res) => void res.json(OPENAPI_DOCUMENT));
      app.use('/v1', corsMiddleware(parseCorsOrigins(config.corsOrigins)));
      app.use(
        createIngestRouter({
          keys: new WriteKeys(deps.keys),
          limiter: new RateLimiter(),
          limits: { maxBodyBytes: config.maxBodyBytes, maxEventBytes: config.maxEventBytes, maxBatchEvents: config.maxBatchEvents },
          ingest: (request) =>
            ingestBatch(request, {
              schemas,
              topics,
              publisher,
              keyFields: (type) => config.keyFields[type] ?? DEFAULT_KEY_FIELDS,
              newId: () => uuidV7(),
              maxPastSkewMs: config.maxPastSkewMs,
              maxFutureSkewMs: config.maxFutureSkewMs,
            }),
          metrics,
          logger,
          now: Date.now,
        }),
      );
      app.use((_req, res) => void res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such endpoint: see /openapi.json', retriable: false } }));
      app.use(gatewayErrorHandler(logger, metrics));
      server = await startHttpServer(app, { port: config.port, host: config.host, portVariable: 'WEIR_GATEWAY_PORT' });
      logger.info({ url: server.url }, 'gateway listening');
    },
    async stop() {
      stopping = true;
      await server?.stop(); // no new requests; in-flight ones finish (their publishes included)
      await publisher.close();
      await Promise.all([sender.close(), admin.disconnect()].map((p) => p.catch(() => undefined)));
    },
  };
}
