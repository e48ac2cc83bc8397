import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createRequestMetrics, type RequestMetrics } from '../shared/http/request-metrics.ts';
import { GATEWAY_ERRORS } from './http/gateway-error.ts';
import type { BatchOutcome } from './ingest/ingest-batch.ts';

export interface GatewayMetrics {
  readonly http: RequestMetrics;
  recordOutcome(outcome: BatchOutcome): void;
  requestRefused(code: string): void;
  publishBatch(messages: number, bytes: number, seconds: number, ok: boolean): void;
}

/** The gateway's metrics on the given registry; `bufferedBytes` is read at scrape time. */
export function createGatewayMetrics(registry: Registry, bufferedBytes: () => number): GatewayMetrics {
  const accepted = new Counter({ name: 'weir_gateway_events_accepted_total', help: 'Events acknowledged by Kafka, by type', labelNames: ['type'], registers: [registry] });
  const rejected = new Counter({
    name: 'weir_gateway_events_rejected_total',
    help: 'Events rejected, by type (empty when unknown) and first reason',
    labelNames: ['type', 'reason'],
    registers: [registry],
  });
  const refused = new Counter({ name: 'weir_gateway_requests_refused_total', help: 'Requests refused as a whole, by error code', labelNames: ['code'], registers: [registry] });
  for (const code of Object.keys(GATEWAY_ERRORS)) refused.inc({ code }, 0); // 0 rather than no series, for alerts on rates
  const publishSeconds = new Histogram({
    name: 'weir_gateway_publish_duration_seconds',
    help: 'Time from sending a batch to Kafka until it is acknowledged',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const publishMessages = new Counter({ name: 'weir_gateway_published_messages_total', help: 'Messages sent to Kafka, by outcome', labelNames: ['outcome'], registers: [registry] });
  new Gauge({
    name: 'weir_gateway_producer_buffered_bytes',
    help: 'Bytes of events waiting for or in flight to Kafka',
    registers: [registry],
    collect() {
      this.set(bufferedBytes());
    },
  });
  return {
    http: createRequestMetrics(registry, 'weir_gateway'),
    recordOutcome(outcome) {
      for (const [type, n] of outcome.acceptedByType) accepted.inc({ type }, n);
      for (const r of outcome.rejected) rejected.inc({ type: r.type ?? '', reason: r.errors[0]?.reason ?? 'unknown' });
    },
    requestRefused(code) {
      refused.inc({ code });
    },
    publishBatch(messages, _bytes, seconds, ok) {
      const outcome = ok ? 'ok' : 'failed';
      publishSeconds.observe({ outcome }, seconds);
      publishMessages.inc({ outcome }, messages);
    },
  };
}
