/**
 * Requests answered by the shop's four backend services. Each route has its own traffic share and
 * log-normal latency; most requests succeed, a few per cent are client errors, a few per mille
 * server errors, each with the service's error code. Every few minutes one service has a short
 * incident (more 5xx, slower), so error and latency charts have something to show.
 */
import type { ApiRequest, HttpMethod } from '../../sdk/src/index.ts';
import type { Population } from './population.ts';
import type { Random } from './seeded-random.ts';

/** The fields of an API request; the generator adds type, id and timestamp. */
export type ApiRequestFields = Omit<ApiRequest, 'type' | 'id' | 'timestamp'>;

interface Route {
  readonly service: string;
  readonly method: HttpMethod;
  /** A template, never a concrete path, as the schema asks; "unmatched" for what no route matched. */
  readonly route: string;
  readonly weight: number;
  readonly medianMs: number;
  readonly sigma: number;
  /** Typical response body size in bytes; 0 for none. */
  readonly responseBytes: number;
  /** Outside any tenant and unauthenticated (health checks, probes). */
  readonly anonymous?: boolean;
  /** Extra client errors this route is known for: [status, error code, probability]. */
  readonly failures?: readonly (readonly [number, string, number])[];
}

const ROUTES: readonly Route[] = [
  { service: 'catalog-api', method: 'GET', route: '/products', weight: 18, medianMs: 38, sigma: 0.5, responseBytes: 24_000 },
  { service: 'catalog-api', method: 'GET', route: '/products/:id', weight: 30, medianMs: 12, sigma: 0.45, responseBytes: 3_200, failures: [[404, 'PRODUCT_NOT_FOUND', 0.02]] },
  { service: 'catalog-api', method: 'GET', route: '/categories', weight: 6, medianMs: 7, sigma: 0.4, responseBytes: 1_800 },
  { service: 'search-api', method: 'GET', route: '/search', weight: 12, medianMs: 85, sigma: 0.8, responseBytes: 18_000, failures: [[400, 'QUERY_INVALID', 0.01]] },
  { service: 'checkout-api', method: 'GET', route: '/cart', weight: 9, medianMs: 14, sigma: 0.5, responseBytes: 2_100 },
  { service: 'checkout-api', method: 'PUT', route: '/cart/items/:sku', weight: 5, medianMs: 28, sigma: 0.5, responseBytes: 2_100, failures: [[409, 'OUT_OF_STOCK', 0.03]] },
  { service: 'checkout-api', method: 'DELETE', route: '/cart/items/:sku', weight: 1.5, medianMs: 19, sigma: 0.5, responseBytes: 0 },
  { service: 'checkout-api', method: 'POST', route: '/orders', weight: 1.2, medianMs: 140, sigma: 0.55, responseBytes: 1_400, failures: [[422, 'ADDRESS_INVALID', 0.03]] },
  { service: 'checkout-api', method: 'GET', route: '/orders/:id', weight: 3, medianMs: 22, sigma: 0.5, responseBytes: 1_900, failures: [[404, 'ORDER_NOT_FOUND', 0.01]] },
  { service: 'checkout-api', method: 'POST', route: '/payments', weight: 1, medianMs: 380, sigma: 0.6, responseBytes: 600, failures: [[402, 'PAYMENT_DECLINED', 0.06]] },
  { service: 'auth-api', method: 'POST', route: '/login', weight: 2, medianMs: 190, sigma: 0.35, responseBytes: 900, failures: [[401, 'INVALID_CREDENTIALS', 0.08]] },
  { service: 'auth-api', method: 'POST', route: '/token/refresh', weight: 6, medianMs: 9, sigma: 0.4, responseBytes: 700 },
  { service: 'auth-api', method: 'GET', route: '/me', weight: 5, medianMs: 6, sigma: 0.4, responseBytes: 450 },
  { service: 'catalog-api', method: 'GET', route: '/healthz', weight: 3, medianMs: 1.2, sigma: 0.3, responseBytes: 15, anonymous: true },
  { service: 'catalog-api', method: 'GET', route: 'unmatched', weight: 0.6, medianMs: 2, sigma: 0.4, responseBytes: 120, anonymous: true },
];

const SERVICES = [...new Set(ROUTES.map((r) => r.service))];

/** Failures any route can have, with their probabilities outside an incident. */
const COMMON_FAILURES: readonly (readonly [number, string, number])[] = [
  [400, 'BAD_REQUEST', 0.008],
  [401, 'UNAUTHENTICATED', 0.005],
  [429, 'RATE_LIMITED', 0.002],
  [499, 'CLIENT_CLOSED_REQUEST', 0.002],
  [500, 'INTERNAL', 0.003],
  [502, 'BAD_GATEWAY', 0.001],
  [503, 'UNAVAILABLE', 0.001],
  [504, 'UPSTREAM_TIMEOUT', 0.001],
];

/** Average time between incidents, how long one lasts, and what it does to its service. */
const INCIDENT = { meanGapMs: 4 * 60_000, durationMs: 40_000, serverErrorFactor: 25, latencyFactor: 4 } as const;
/** No latency beyond what a proxy lets a request live (the pipeline refuses an hour or more). */
const MAX_LATENCY_MS = 120_000;

export function createApiRequests(population: Population): (random: Random, nowMs: number) => ApiRequestFields {
  const routeWeights = ROUTES.map((r) => [r, r.weight] as const);
  let incident: { service: string; startMs: number; endMs: number } | undefined;

  function incidentAt(nowMs: number, random: Random): string | undefined {
    if (incident === undefined || nowMs >= incident.endMs) {
      // The first starts within a minute, so a short demo sees one.
      const gap = incident === undefined ? random.int(20_000, 60_000) : -Math.log(1 - random.next()) * INCIDENT.meanGapMs;
      const startMs = nowMs + gap;
      incident = { service: random.pick(SERVICES), startMs, endMs: startMs + INCIDENT.durationMs };
    }
    return nowMs >= incident.startMs ? incident.service : undefined;
  }

  return (random, nowMs) => {
    const route = random.weighted(routeWeights);
    const degraded = incidentAt(nowMs, random) === route.service;
    const [status, errorCode] = outcome(route, degraded, random);
    let latency = random.logNormal(route.medianMs, route.sigma) * (degraded ? INCIDENT.latencyFactor : 1);
    if (status === 504) latency = 30_000 + random.next() * 500;
    else if (status === 499) latency = latency * 5 + random.next() * 2_000;
    else if (status >= 400 && status < 500) latency *= 0.6;
    const sendsBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
    const emptyAnswer = status === 204 || status === 304 || status === 499;
    const visitor = route.anonymous ? undefined : population.visitor(random);
    return {
      service: route.service,
      method: route.method,
      route: route.route,
      status_code: status,
      latency_ms: Math.round(Math.min(latency, MAX_LATENCY_MS) * 1000) / 1000,
      request_bytes: sendsBody ? Math.round(random.logNormal(420, 0.7)) : 0,
      // Chunked answers are not counted.
      response_bytes: emptyAnswer ? 0 : random.chance(0.05) ? null : Math.round(random.logNormal(errorCode === null ? route.responseBytes : 180, 0.4)),
      tenant_id: route.anonymous ? null : population.tenant(random),
      user_id: visitor === undefined || status === 401 || route.route === '/login' ? null : visitor.userId,
      trace_id: random.chance(0.6) ? random.hex(32) : null,
      error_code: errorCode,
    };
  };
}

function outcome(route: Route, degraded: boolean, random: Random): readonly [number, string | null] {
  if (route.route === 'unmatched') return [404, 'ROUTE_NOT_FOUND'];
  for (const [status, code, probability] of [...(route.failures ?? []), ...COMMON_FAILURES]) {
    const p = degraded && status >= 500 ? probability * INCIDENT.serverErrorFactor : probability;
    if (random.chance(p)) return [status, code];
  }
  if (route.method === 'POST' && route.route !== '/login' && route.route !== '/token/refresh') return [201, null];
  if (route.method === 'DELETE') return [204, null];
  if (route.method === 'GET' && route.responseBytes > 1_000 && random.chance(0.06)) return [304, null];
  return [200, null];
}
