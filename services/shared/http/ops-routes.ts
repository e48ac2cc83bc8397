/** /metrics, /healthz and /readyz, served by every weir HTTP service on its own port. */
import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Health } from '../lifecycle/component.ts';

export interface OpsRoutesOptions {
  metrics: Registry;
  health: () => Health;
}

export function createOpsRouter(options: OpsRoutesOptions): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', options.metrics.contentType);
    res.send(await options.metrics.metrics());
  });
  router.get('/healthz', (_req, res) => {
    const health = options.health();
    res.status(health.live ? 200 : 503).json({ status: health.live ? 'ok' : 'failing', ...health.detail });
  });
  router.get('/readyz', (_req, res) => {
    const health = options.health();
    res.status(health.ready ? 200 : 503).json({ status: health.ready ? 'ready' : 'not ready', ...health.detail });
  });
  return router;
}
