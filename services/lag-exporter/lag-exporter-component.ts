/**
 * The consumer-group lag exporter: every WEIR_LAG_EXPORTER_INTERVAL_MS it reads the lag of every
 * wanted consumer group on the cluster (weir's and any other) and sets its gauges; /metrics only
 * serves the last result, so scrapes cost Kafka nothing. Collections never overlap.
 * Stop order: no new collection, close HTTP, disconnect (which ends a running collection), wait for it.
 */
import express from 'express';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { messageOf } from '../shared/errors.ts';
import { startHttpServer, type RunningHttpServer } from '../shared/http/http-server.ts';
import { createOpsRouter } from '../shared/http/ops-routes.ts';
import type { Component, Health } from '../shared/lifecycle/component.ts';
import { sharedPromise } from '../shared/lifecycle/shared-promise.ts';
import type { Logger } from '../shared/logger.ts';
import { collectLag } from './collect-lag.ts';
import type { LagExporterConfig } from './config.ts';
import { createLagExporterMetrics } from './metrics.ts';
import { RecordTimestamps } from './record-timestamps.ts';

export interface LagExporterComponentDeps {
  readonly config: LagExporterConfig;
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly now?: () => number;
}

export interface LagExporterComponent extends Component {
  url(): string;
  /** Collections finished so far, failed ones included. */
  collections(): number;
}

export function createLagExporterComponent(deps: LagExporterComponentDeps): LagExporterComponent {
  const { config, kafka } = deps;
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'lag-exporter' });
  const metrics = createLagExporterMetrics(deps.metrics);
  const filter = { include: config.groupsInclude, exclude: config.groupsExclude };
  let admin: Admin | undefined;
  let timestamps: RecordTimestamps | undefined;
  let server: RunningHttpServer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let collecting: Promise<void> | undefined;
  let running = false;
  let stopping = false;
  let collections = 0;
  let groups = 0;
  let lastCollectedAt: number | undefined;
  let lastError: string | undefined;

  const health = (): Health => ({
    live: true,
    ready: running && !stopping,
    detail: { groups, collections, lastCollectedAt: lastCollectedAt === undefined ? null : new Date(lastCollectedAt).toISOString(), lastError: lastError ?? null },
  });

  async function connectedAdmin(): Promise<Admin> {
    if (admin !== undefined) return admin;
    // Few retries: a failed collection is tried again at the next interval anyway, and stop() waits for a running one.
    const fresh = kafka.admin({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } });
    await fresh.connect();
    admin = fresh;
    return fresh;
  }

  async function collectOnce(): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const report = await collectLag({ admin: await connectedAdmin(), timestamps: timestamps!, filter, now });
      metrics.report(report);
      for (const failure of report.failures) {
        metrics.failed(failure.stage);
        logger.warn({ err: failure.error, stage: failure.stage, group: failure.groupId, topic: failure.topic }, 'part of the lag could not be read; its series keep their last value');
      }
      groups = report.groups.length;
      lastCollectedAt = now();
      lastError = report.failures.length === 0 ? undefined : messageOf(report.failures[0]?.error);
    } catch (error) {
      if (stopping) return; // stop() closed the clients under it
      // The group list itself could not be read: every series stays as it was, and the admin client is made anew.
      metrics.failed('list_groups');
      lastError = messageOf(error);
      logger.warn({ err: error }, 'listing consumer groups failed; retried at the next collection');
      const broken = admin;
      admin = undefined;
      await broken?.disconnect().catch(() => undefined);
    } finally {
      collections++;
      metrics.collected(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  function schedule(): void {
    if (stopping) return;
    timer = setTimeout(() => {
      collecting = collectOnce().finally(() => {
        collecting = undefined;
        schedule();
      });
    }, config.intervalMs);
    timer.unref();
  }

  // The clients are closed before the running collection is awaited: with Kafka away it could retry for longer than a shutdown may take.
  const stop = sharedPromise(async () => {
    stopping = true;
    clearTimeout(timer);
    running = false;
    await server?.stop();
    await admin?.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'disconnecting the admin client failed'));
    await timestamps?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the fetch client failed'));
    await collecting;
  });

  return {
    name: 'lag-exporter',
    health,
    url: () => server?.url ?? '',
    collections: () => collections,
    async start() {
      const cluster = await (await connectedAdmin()).describeCluster();
      timestamps = new RecordTimestamps({
        bootstrapBrokers: cluster.brokers.map((b) => `${b.host}:${b.port}`),
        clientId: 'weir-lag-exporter',
        onError: (error, where) => logger.debug({ err: error, ...where }, 'fetching a record timestamp failed'),
      });
      await collectOnce();
      running = true;
      schedule();
      const app = express();
      app.disable('x-powered-by');
      app.use(createOpsRouter({ metrics: deps.metrics, health }));
      server = await startHttpServer(app, { port: config.port, host: config.host, portVariable: 'WEIR_LAG_EXPORTER_PORT' });
      logger.info({ url: server.url, groups, intervalMs: config.intervalMs }, 'lag exporter running');
    },
    stop,
  };
}
