import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createRequestMetrics, type RequestMetrics } from '../shared/http/request-metrics.ts';

export interface QueryMetrics {
  readonly http: RequestMetrics;
  /** A query answered (or refused) on `route` ("query", "stream"), with its HTTP status. */
  answered(route: string, status: number, seconds: number): void;
  rowsRead(type: string, rows: number): void;
  clickhouseError(): void;
  /** Shared stream queries and their subscribers, read at scrape time. */
  streams(read: () => { subscribers: number; queries: number }): void;
  streamUpdate(): void;
}

export function createQueryMetrics(registry: Registry): QueryMetrics {
  const requests = new Counter({ name: 'weir_query_requests_total', help: 'Queries answered, by route (query, stream) and HTTP status', labelNames: ['route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'weir_query_duration_seconds',
    help: 'Time to answer a query (for a stream: its snapshot), by route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const rowsRead = new Counter({ name: 'weir_query_rows_read_total', help: 'Rows ClickHouse read to answer queries, by event type', labelNames: ['type'], registers: [registry] });
  const errors = new Counter({ name: 'weir_query_clickhouse_errors_total', help: 'Queries ClickHouse failed (unreachable, timed out, refused)', registers: [registry] });
  const updates = new Counter({ name: 'weir_query_stream_updates_total', help: 'Updates pushed to stream subscribers (one per subscriber and update)', registers: [registry] });
  let read = () => ({ subscribers: 0, queries: 0 });
  new Gauge({ name: 'weir_query_subscribers', help: 'Open /v1/stream connections', registers: [registry], collect() { this.set(read().subscribers); } });
  new Gauge({ name: 'weir_query_stream_queries', help: 'Distinct queries being streamed (subscribers of one query share its work)', registers: [registry], collect() { this.set(read().queries); } });
  return {
    http: createRequestMetrics(registry, 'weir_query'),
    answered(route, status, seconds) {
      requests.inc({ route, status: String(status) });
      duration.observe({ route }, seconds);
    },
    rowsRead: (type, rows) => rowsRead.inc({ type }, rows),
    clickhouseError: () => errors.inc(),
    streams(reader) {
      read = reader;
    },
    streamUpdate: () => updates.inc(),
  };
}
