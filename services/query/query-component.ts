/**
 * The query API: loads the catalog from the aggregate definitions (checked against the clean
 * schemas in the registry, like the aggregator), then answers queries and streams on its port,
 * next to /metrics, /healthz and /readyz. Until the catalog loads (the registry may not hold the
 * clean schemas yet), it retries every 5 s and answers 503.
 */
import express from 'express';
import type { Registry } from 'prom-client';
import { loadAggregateTables } from '../aggregator/aggregate-tables.ts';
import { serverFeatures, quoteIdentifier as q } from '../aggregator/clickhouse/table-layout.ts';
import type { WriteKeys } from '../gateway/auth/write-keys.ts';
import { corsMiddleware, parseCorsOrigins } from '../gateway/http/cors.ts';
import type { ClickHouseStore } from '../shared/clickhouse/store.ts';
import { isWeirError, messageOf } from '../shared/errors.ts';
import { startHttpServer, type RunningHttpServer } from '../shared/http/http-server.ts';
import { createOpsRouter } from '../shared/http/ops-routes.ts';
import { requestMetricsMiddleware } from '../shared/http/request-metrics.ts';
import type { Component, Health } from '../shared/lifecycle/component.ts';
import type { Logger } from '../shared/logger.ts';
import { buildCatalog, type Catalog } from './catalog.ts';
import type { QueryConfig } from './config.ts';
import { createQueryRouter } from './http/routes.ts';
import { createQueryMetrics } from './metrics.ts';
import { createCachedRunner } from './query/cached-runner.ts';
import { ChangeLog, changesSql, type ChangeLogRow } from './query/change-log.ts';
import { createQueryRunner, type QueryRunner } from './query/run-query.ts';
import { QueryError } from './query-error.ts';
import { StreamHub } from './stream/stream-hub.ts';

export const CATALOG_RETRY_MS = 5_000;
/** Distinct queries whose answers are kept for sharing. */
export const CACHED_ANSWERS = 1_000;

export interface QueryComponentDeps {
  readonly config: QueryConfig;
  readonly keys: WriteKeys;
  readonly store: ClickHouseStore;
  readonly database: string;
  readonly aggregatesDir: string;
  readonly registryUrl: string;
  readonly logger: Logger;
  readonly metrics: Registry;
}

export interface QueryComponent extends Component {
  url(): string;
  types(): readonly string[];
}

export function createQueryComponent(deps: QueryComponentDeps): QueryComponent {
  const { config, store, database } = deps;
  const logger = deps.logger.child({ component: 'query' });
  const metrics = createQueryMetrics(deps.metrics);
  let catalog: Catalog | undefined;
  let catalogProblem = 'loading';
  let runner: QueryRunner | undefined; // fresh from ClickHouse: streams diff against it
  let sharedRunner: QueryRunner | undefined; // answers shared between callers of the same query
  let server: RunningHttpServer | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const fingerprint = async (type: string): Promise<string> => {
    const table = catalog?.get(type)?.table.layout.table;
    if (table === undefined) return 'unknown';
    try {
      const rows = await store.query(`SELECT count() AS n, max(window_version) AS v, max(window_watermark) AS w FROM ${q(database)}.${q(table)} WHERE window = ''`);
      return JSON.stringify(rows[0] ?? {});
    } catch (error) {
      if (isWeirError(error, 'CLICKHOUSE_QUERY_FAILED') && Number(error.details['clickhouseCode']) === 60) return 'missing';
      throw error;
    }
  };
  const changes = new ChangeLog(async (type, scope) => {
    const table = catalog?.get(type)?.table.layout.table;
    if (table === undefined) return [];
    return store.query<ChangeLogRow>(changesSql(database, table, scope));
  });
  const starting = () => new QueryError('UNAVAILABLE', `the query API is starting: ${catalogProblem}`, { headers: { 'Retry-After': '5' } });
  const ready = (which: () => QueryRunner | undefined): QueryRunner => ({
    run: (spec) => {
      const r = which();
      if (r === undefined) throw starting();
      return r.run(spec);
    },
  });
  const lazyRunner = ready(() => runner);
  const hub = new StreamHub({ runner: lazyRunner, fingerprint, intervalMs: config.streamIntervalMs, maxPerKey: config.maxStreamsPerKey, maxBuckets: config.maxBuckets, logger, onUpdate: metrics.streamUpdate });
  metrics.streams(() => hub.stats());

  async function loadCatalog(): Promise<void> {
    try {
      const version = await store.version();
      const features = serverFeatures(version);
      const loaded = await loadAggregateTables(deps.aggregatesDir, deps.registryUrl, version);
      catalog = buildCatalog(loaded.tables);
      runner = createQueryRunner({ store, database, bindParameters: features.queryParameters, maxRows: config.maxRows, maxBuckets: config.maxBuckets, timeoutMs: config.timeoutMs });
      sharedRunner = createCachedRunner(runner, { freshMs: config.cacheMs, staleMs: config.cacheMs, maxEntries: CACHED_ANSWERS, changes });
      logger.info({ types: [...catalog.keys()], clickhouse: version, boundParameters: features.queryParameters }, 'query catalog loaded');
    } catch (error) {
      catalogProblem = messageOf(error);
      logger.warn({ err: error, retryInMs: CATALOG_RETRY_MS }, 'query catalog could not be loaded; retrying');
      if (!stopped) retry = setTimeout(() => void loadCatalog(), CATALOG_RETRY_MS);
    }
  }

  const health = (): Health => ({
    live: true,
    ready: server !== undefined && catalog !== undefined && !stopped,
    detail: { catalog: catalog === undefined ? catalogProblem : [...catalog.keys()], streams: hub.stats() },
  });

  return {
    name: 'query',
    health,
    url: () => server?.url ?? `http://127.0.0.1:${config.port}`,
    types: () => [...(catalog?.keys() ?? [])],
    async start() {
      await loadCatalog();
      const app = express();
      app.disable('x-powered-by');
      app.disable('etag'); // answers carry their age (meta.cacheAgeMs), so no two bodies are equal; hashing each is wasted work
      app.use(requestMetricsMiddleware(metrics.http));
      app.use(corsMiddleware(parseCorsOrigins(config.corsOrigins), 'GET, POST'));
      app.use(createOpsRouter({ metrics: deps.metrics, health }));
      app.use(
        createQueryRouter({
          keys: deps.keys,
          catalog: () => {
            if (catalog === undefined) throw starting();
            return catalog;
          },
          runner: ready(() => sharedRunner),
          hub,
          maxRows: config.maxRows,
          heartbeatMs: config.heartbeatMs,
          metrics,
          logger,
        }),
      );
      server = await startHttpServer(app, { port: config.port, host: config.host, portVariable: 'WEIR_QUERY_PORT' });
      hub.start();
      logger.info({ url: server.url }, 'query API listening');
    },
    async stop() {
      stopped = true;
      if (retry !== undefined) clearTimeout(retry);
      hub.stop();
      await server?.stop();
    },
  };
}
