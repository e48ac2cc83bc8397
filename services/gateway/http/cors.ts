/** CORS for browser senders: only the configured origins, only what the ingest API needs. */
import type { NextFunction, Request, Response } from 'express';

export type CorsPolicy = { readonly kind: 'none' } | { readonly kind: 'any' } | { readonly kind: 'list'; readonly origins: ReadonlySet<string> };

export function parseCorsOrigins(value: string | undefined): CorsPolicy {
  if (value === undefined || value.trim() === '') return { kind: 'none' };
  if (value.trim() === '*') return { kind: 'any' };
  return { kind: 'list', origins: new Set(value.split(',').map((o) => o.trim().replace(/\/$/, '')).filter((o) => o !== '')) };
}

/** `methods`: what browsers may send besides OPTIONS (the gateway takes POST; the query API GET and POST). */
export function corsMiddleware(policy: CorsPolicy, methods = 'POST') {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && (policy.kind === 'any' || (policy.kind === 'list' && policy.origins.has(origin)));
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', policy.kind === 'any' ? '*' : origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset');
    }
    if (req.method === 'OPTIONS') {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Methods', `${methods}, OPTIONS`);
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Content-Encoding');
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(allowed ? 204 : 403).end();
      return;
    }
    next();
  };
}
