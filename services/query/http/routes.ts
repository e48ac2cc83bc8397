/**
 * The query API's routes: the catalog, queries (POST JSON or the GET form), streams (SSE), and the
 * OpenAPI document. Every request is authenticated with a read key; every failure is a JSON
 * error body with a code, and invalid queries list each problem with where it is.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { WriteKey, WriteKeys } from '../../gateway/auth/write-keys.ts';
import type { Logger } from '../../shared/logger.ts';
import { catalogJson, type Catalog } from '../catalog.ts';
import type { QueryMetrics } from '../metrics.ts';
import { parseQuery } from '../query/parse-query.ts';
import { queryFromParams } from '../query/query-params.ts';
import { canonicalQuery, type QuerySpec } from '../query/query-spec.ts';
import { queryResponseBytes, type QueryRunner } from '../query/run-query.ts';
import { QueryError } from '../query-error.ts';
import { openSse } from '../stream/sse.ts';
import type { StreamHub } from '../stream/stream-hub.ts';
import { openApiDocument } from './openapi.ts';

export interface QueryRoutesOptions {
  readonly keys: WriteKeys;
  readonly catalog: () => Catalog;
  readonly runner: QueryRunner;
  readonly hub: StreamHub;
  readonly maxRows: number;
  readonly heartbeatMs: number;
  readonly metrics: QueryMetrics;
  readonly logger: Logger;
}

const BODY_LIMIT = '64kb';

export function createQueryRouter(options: QueryRoutesOptions): Router {
  const router = Router();
  const { metrics } = options;

  const authenticate = (req: Request, allowKeyParam: boolean): WriteKey => {
    const param = allowKeyParam && typeof req.query['key'] === 'string' ? `Bearer ${req.query['key']}` : undefined;
    const result = options.keys.authenticate(req.headers.authorization ?? param);
    if (result.ok) return result.key;
    const why = { missing: 'no read key: send Authorization: Bearer <key>', malformed: 'the Authorization header must be Bearer <key>', unknown: 'this key is not a read key' }[result.reason];
    throw new QueryError('UNAUTHENTICATED', why, { headers: { 'WWW-Authenticate': 'Bearer' } });
  };
  const mayRead = (key: WriteKey) => (type: string) => key.types === '*' || key.types.has(type);
  const spec = (raw: unknown, key: WriteKey): QuerySpec => parseQuery(raw, options.catalog(), { maxRows: options.maxRows, mayRead: mayRead(key) });

  /** Answers a query route, counting and timing it. */
  const answer = (route: string, handle: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    try {
      await handle(req, res);
      metrics.answered(route, res.statusCode, (performance.now() - started) / 1000);
    } catch (error) {
      const status = error instanceof QueryError ? error.status : 500;
      metrics.answered(route, status, (performance.now() - started) / 1000);
      next(error);
    }
  };

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });

  router.get('/v1/catalog', (req, res, next) => {
    try {
      const key = authenticate(req, false);
      res.json(catalogJson(options.catalog(), mayRead(key)));
    } catch (error) {
      next(error);
    }
  });

  const run = async (res: Response, querySpec: QuerySpec) => {
    const outcome = await options.runner.run(querySpec);
    if (outcome.cacheAgeMs === undefined) metrics.rowsRead(querySpec.type.type, outcome.rowsRead); // a shared answer read nothing
    const { head, tail } = queryResponseBytes(outcome);
    res.status(200).set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(head.length + tail.length) });
    res.write(head);
    res.end(tail);
  };

  router.post(
    '/v1/query',
    (req, _res, next) => {
      if (!req.is('application/json')) return next(new QueryError('UNSUPPORTED_MEDIA_TYPE', `send the query as Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`));
      next();
    },
    express.json({ limit: BODY_LIMIT, strict: false }),
    answer('query', async (req, res) => {
      const key = authenticate(req, false);
      await run(res, spec(req.body, key));
    }),
  );

  router.get(
    '/v1/query',
    answer('query', async (req, res) => {
      const key = authenticate(req, false);
      if (typeof req.query['key'] === 'string') throw new QueryError('QUERY_INVALID', 'send the key as Authorization: Bearer <key>; the key parameter is for /v1/stream only', { problems: [{ at: 'key', message: 'not accepted here' }] });
      await run(res, spec(queryFromParams(req.query, options.catalog()), key));
    }),
  );

  router.get(
    '/v1/stream',
    answer('stream', async (req, res) => {
      const key = authenticate(req, true);
      const querySpec = spec(queryFromParams(req.query, options.catalog()), key);
      const lastEventId = req.headers['last-event-id'];
      await options.hub.subscribe(querySpec, canonicalQuery(querySpec), key.id, typeof lastEventId === 'string' ? lastEventId : undefined, (onClose) => openSse(res, options.heartbeatMs, onClose));
    }),
  );

  router.use((req, _res, next) => next(new QueryError('NOT_FOUND', `no route ${req.method} ${req.path}: see /openapi.json`)));

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const failure = toQueryError(error);
    if (failure.status >= 500) options.logger.warn({ err: error, code: failure.code }, 'query failed');
    if (failure.code === 'UNAVAILABLE' || failure.code === 'QUERY_TIMEOUT' || failure.code === 'INTERNAL') metrics.clickhouseError();
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(failure.headers)) res.setHeader(name, value);
    res.status(failure.status).json(failure.toBody());
  });
  return router;
}

/** Body-parser's errors (bad JSON, too large) and anything unexpected, as query errors. */
function toQueryError(error: unknown): QueryError {
  if (error instanceof QueryError) return error;
  const e = error as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') return new QueryError('QUERY_INVALID', `the body is not valid JSON: ${e.message}`, { problems: [{ at: 'query', message: 'not valid JSON' }] });
  if (e.type === 'entity.too.large') return new QueryError('QUERY_TOO_LARGE', `the body is larger than ${BODY_LIMIT}`);
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new QueryError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported encoding');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new QueryError('QUERY_INVALID', e.message ?? 'bad request');
  return new QueryError('INTERNAL', 'the query API failed; see its log', { cause: error });
}
