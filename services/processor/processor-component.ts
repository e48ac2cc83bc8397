/**
 * The stream processor as one component: loads the pipelines (reader schemas from the registry),
 * checks their secrets, makes the clean and dead-letter topics, registers the output schemas, then
 * runs one consumer group over every raw topic with a transactional producer per partition, and
 * serves /metrics, /healthz and /readyz. Stop order: leave the group (kafkajs finishes the batch
 * in hand, whose transaction commits), close the producers, disconnect, close HTTP.
 */
import express from 'express';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { startHttpServer, type RunningHttpServer } from '../shared/http/http-server.ts';
import { createOpsRouter } from '../shared/http/ops-routes.ts';
import type { Component, Health } from '../shared/lifecycle/component.ts';
import { sharedPromise } from '../shared/lifecycle/shared-promise.ts';
import type { Logger } from '../shared/logger.ts';
import { createRegistryClient } from '../shared/registry/registry-client.ts';
import type { ProcessorConfig } from './config.ts';
import { DuplicateCache } from './dedup/duplicate-cache.ts';
import { createProcessorMetrics } from './metrics.ts';
import { PartitionPauses } from './partition-pauses.ts';
import { PartitionProducers } from './partition-producers.ts';
import { loadPipelines } from './pipeline/load-pipelines.ts';
import { latestReaderSchema, resolveSecrets } from './pipeline-setup.ts';
import { processBatch, type PipelineRuntime } from './process-batch.ts';
import { ResolverCache } from './process-record.ts';
import { ensurePipelineTopics } from './processor-topics.ts';
import { fetchSchemaByIdFrom, WriterSchemas } from './writer-schemas.ts';

export interface ProcessorComponentDeps {
  readonly config: ProcessorConfig;
  readonly kafka: Kafka;
  /** Secrets by environment variable name (process.env in main). */
  readonly secrets: (name: string) => string | undefined;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly now?: () => number;
}

export interface ProcessorComponent extends Component {
  url(): string;
  /** The event types running, once started. */
  types(): readonly string[];
}

export function createProcessorComponent(deps: ProcessorComponentDeps): ProcessorComponent {
  const { config, kafka } = deps;
  const logger = deps.logger.child({ component: 'processor', group: config.groupId });
  const metrics = createProcessorMetrics(deps.metrics);
  const registry = createRegistryClient({ baseUrl: config.registryUrl, timeoutMs: 5_000 });
  const writerSchemas = new WriterSchemas({ fetchSchema: fetchSchemaByIdFrom(config.registryUrl) });
  const producers = new PartitionProducers({ kafka, groupId: config.groupId, transactionTimeoutMs: config.transactionTimeoutMs, logger });
  const dedup = new DuplicateCache({ maxIds: config.dedupMaxIds });
  const pauses = new PartitionPauses({ onChange: (paused) => metrics.pausedPartitions(paused) });
  const admin: Admin = kafka.admin();
  let consumer: Consumer | undefined;
  let server: RunningHttpServer | undefined;
  let runtimes = new Map<string, PipelineRuntime>();
  let running = false;
  let crashed: string | undefined;
  let stopping = false;
  /** topic:partition of the last assignment, the duplicate cache's keys. */
  let owned = new Set<string>();

  const health = (): Health => ({
    live: crashed === undefined,
    ready: running && !stopping && crashed === undefined,
    detail: { consumer: crashed ?? (running ? 'running' : 'not running'), pipelines: [...runtimes.values()].map((r) => r.pipeline.type), producers: producers.size, pausedPartitions: pauses.paused },
  });

  const committedOffset = async (topic: string, partition: number): Promise<bigint | undefined> => {
    const [answer] = await admin.fetchOffsets({ groupId: config.groupId, topics: [topic] });
    const offset = answer?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || BigInt(offset) < 0n ? undefined : BigInt(offset);
  };

  const stop = sharedPromise(async () => {
    stopping = true;
    await consumer?.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'leaving the group failed'));
    pauses.stop();
    running = false;
    await producers.closeAll();
    await admin.disconnect().catch(() => undefined);
    await server?.stop();
  });

  return {
    name: 'processor',
    health,
    url: () => server?.url ?? '',
    types: () => [...runtimes.values()].map((r) => r.pipeline.type),
    async start() {
      const pipelines = await loadPipelines(config.pipelinesDir, { latestReaderSchema: (type) => latestReaderSchema(registry, type) });
      // Read once at start, like the rest of the config: the hot path looks them up in a map.
      const secrets = resolveSecrets(pipelines.values(), deps.secrets, config.pipelinesDir);
      await admin.connect();
      const next = new Map<string, PipelineRuntime>();
      for (const pipeline of pipelines.values()) {
        await ensurePipelineTopics(pipeline.topics, { admin, rawPartitions: config.rawTopicPartitions, logger });
        const { id } = await registry.register(pipeline.outputSubject, JSON.stringify(pipeline.outputSchema));
        next.set(pipeline.topics.raw, { pipeline, outputSchemaId: id, resolvers: new ResolverCache(pipeline.readerType) });
        logger.info({ type: pipeline.type, from: pipeline.topics.raw, to: pipeline.topics.clean, outputSchemaId: id }, 'pipeline ready');
      }
      runtimes = next;
      metrics.knownTypes([...pipelines.values()].map((p) => p.type));

      const c = kafka.consumer({
        groupId: config.groupId,
        sessionTimeout: config.sessionTimeoutMs,
        heartbeatInterval: Math.min(3_000, Math.floor(config.sessionTimeoutMs / 3)),
        readUncommitted: false,
        // Keeps a batch's clean output under the broker's default 1 MB request limit.
        maxBytesPerPartition: 512 * 1024,
      });
      consumer = c;
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        const assigned = payload.memberAssignment;
        logger.info({ assigned }, 'partitions assigned');
        const nowOwned = new Set(Object.entries(assigned).flatMap(([topic, parts]) => parts.map((p) => `${topic}:${p}`)));
        for (const key of owned) {
          if (nowOwned.has(key)) continue;
          dedup.dropPartition(key);
          const at = key.lastIndexOf(':');
          metrics.forgetPartition(key.slice(0, at), Number(key.slice(at + 1)));
        }
        owned = nowOwned;
        void producers.retain(assigned);
      });
      c.on(c.events.CRASH, ({ payload }) => {
        logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
        if (!payload.restart) crashed = `crashed: ${payload.error.message}`;
      });
      await c.connect();
      await c.subscribe({ topics: [...runtimes.keys()], fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: config.partitionsConcurrently,
        eachBatch: (payload) =>
          processBatch(payload, {
            pipelines: runtimes,
            producers,
            writerSchemas,
            dedup,
            groupId: config.groupId,
            secrets: (name) => secrets.get(name),
            committedOffset,
            metrics,
            pauses,
            logger,
            now: deps.now ?? Date.now,
          }),
      });
      running = true;

      const app = express();
      app.disable('x-powered-by');
      app.use(createOpsRouter({ metrics: deps.metrics, health }));
      server = await startHttpServer(app, { port: config.port, host: config.host, portVariable: 'WEIR_PROCESSOR_PORT' });
      logger.info({ url: server.url, types: [...pipelines.keys()] }, 'processor running');
    },
    stop,
  };
}
