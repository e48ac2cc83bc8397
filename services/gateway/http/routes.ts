/**
 * The ingest API: `POST /v1/events` (a batch of any types) and `POST /v1/events/{type}` (one
 * event, or a batch of one type). Answers 200 when every event was accepted, 207 when some were,
 * 400 when none was; the body always says how many, and what is wrong with each rejected event.
 * Request-level failures answer `{"error": {code, message, retriable}}` (gateway-error.ts).
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../shared/logger.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import type { WriteKeys } from '../auth/write-keys.ts';
import type { BatchOutcome, IngestRequest } from '../ingest/ingest-batch.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { GatewayError } from './gateway-error.ts';
import { parseBatch } from './parse-batch.ts';
import { readBody } from './read-body.ts';

export interface IngestRouterDeps {
  keys: WriteKeys;
  limiter: RateLimiter;
  limits: { maxBodyBytes: number; maxEventBytes: number; maxBatchEvents: number };
  ingest(request: IngestRequest): Promise<BatchOutcome>;
  metrics: GatewayMetrics;
  logger: Logger;
  now(): number;
}

const TYPE_NAME = /^[a-z][a-z0-9_]*$/;

const AUTH_MESSAGES = {
  missing: 'no write key: send Authorization: Bearer <write key>',
  malformed: 'the Authorization header must be "Bearer <write key>"',
  unknown: 'the write key is not valid',
} as const;

export function createIngestRouter(deps: IngestRouterDeps): Router {
  const router = Router();

  const handle = (defaultType: (req: Request) => string | undefined) => async (req: Request, res: Response) => {
    const receivedAt = deps.now();
    const auth = deps.keys.authenticate(req.headers.authorization);
    if (!auth.ok) throw new GatewayError('UNAUTHENTICATED', AUTH_MESSAGES[auth.reason], { headers: { 'WWW-Authenticate': 'Bearer' } });
    const type = defaultType(req);
    if (type !== undefined && !TYPE_NAME.test(type)) throw new GatewayError('NOT_FOUND', `"${type}" is not an event type name (lowercase letters, digits and _)`);

    const body = await readBody(req, deps.limits.maxBodyBytes);
    const events = parseBatch(body, { maxEvents: deps.limits.maxBatchEvents, maxEventBytes: deps.limits.maxEventBytes, allowSingle: type !== undefined });
    const rate = deps.limiter.take(auth.key.id, events.length, auth.key.eventsPerSecond, auth.key.burst);
    const rateHeaders = {
      'RateLimit-Limit': String(rate.limit),
      'RateLimit-Remaining': String(rate.remaining),
      'RateLimit-Reset': String(rate.resetSeconds),
    };
    if (!rate.allowed) {
      throw new GatewayError('RATE_LIMITED', `write key "${auth.key.id}" may send ${auth.key.eventsPerSecond} events/s (bursts of ${auth.key.burst}); retry after ${rate.retryAfterSeconds} s`, {
        headers: { ...rateHeaders, 'Retry-After': String(rate.retryAfterSeconds) },
      });
    }
    res.set(rateHeaders);

    const outcome = await deps.ingest({ events, key: auth.key, receivedAt, ...(type === undefined ? {} : { defaultType: type }) });
    deps.metrics.recordOutcome(outcome);
    const status = outcome.rejected.length === 0 ? 200 : outcome.accepted > 0 ? 207 : 400;
    res.status(status).json({ accepted: outcome.accepted, rejected: outcome.rejected.length, errors: outcome.rejected });
  };

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };
  router.post('/v1/events', wrap(handle(() => undefined)));
  router.post('/v1/events/:type', wrap(handle((req) => String(req.params['type']))));
  return router;
}

/** The one place request failures become HTTP answers. */
export function gatewayErrorHandler(logger: Logger, metrics: GatewayMetrics) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const known =
      error instanceof GatewayError
        ? error
        : (error as { type?: string }).type === 'entity.too.large'
          ? new GatewayError('BODY_TOO_LARGE', 'the body is too large')
          : undefined;
    const answer = known ?? new GatewayError('INTERNAL', 'the gateway failed to handle the request: retry; if it persists, look at the gateway logs');
    if (known === undefined) logger.error({ err: error, path: req.path }, 'request failed');
    else if (answer.status >= 500) logger.warn({ code: answer.code, path: req.path, msg: answer.message }, 'request refused');
    metrics.requestRefused(answer.code);
    if (res.headersSent) return;
    res.status(answer.status).set(answer.headers).json(answer.toBody());
  };
}
