/**
 * The freshness phase of `npm run bench:aggregate`: live events (event time = now) produced at a
 * steady rate to a running aggregator, with a marker event every 100 ms (one dimension group of
 * its own, all on partition 0, see test/harness/freshness-markers.ts), while ClickHouse is queried
 * every 100 ms for the markers' count per 10 s window.
 *
 * Freshness of a marker = the end of the first query whose count includes it, minus its event
 * time (taken just before it was produced): how long a live event takes to show in a query.
 */
import type { Message, Producer } from 'kafkajs';
import type { ClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { createMarkerLog, quantile, type Marker } from '../harness/freshness-markers.ts';

const TICK_MS = 50;
const MARKER_EVERY_MS = 100;
const POLL_MS = 100;
/** After the last event, how long a marker may still take before it is reported missing. */
const DRAIN_MS = 10_000;

export interface FreshnessOptions {
  readonly producer: Producer;
  readonly topic: string;
  readonly partitions: number;
  /** Events per second to produce, markers included. */
  readonly rate: number;
  readonly seconds: number;
  /** A live event i, with this event time; a marker goes to partition 0 and is of the marker group. */
  readonly message: (i: number, eventTimeMs: number, marker: boolean) => Message;
  readonly store: ClickHouseStore;
  /** `db.agg_<type>`. */
  readonly table: string;
  /** The SQL condition that selects the marker group, e.g. "currency = 'CHF'". */
  readonly markerGroup: string;
  /** The tumbling window the markers are counted in: its size and name ("tumbling_10s"). */
  readonly windowSizeMs: number;
  readonly windowName: string;
}

export interface Freshness {
  readonly produced: number;
  readonly produceSeconds: number;
  readonly markers: readonly Marker[];
  readonly polls: number;
}

export async function measureFreshness(options: FreshnessOptions): Promise<Freshness> {
  const log = createMarkerLog(options.windowSizeMs);
  const since = Math.floor((Date.now() - options.windowSizeMs) / 1000);
  let producing = true;
  let lastSentAt = Date.now();
  let polls = 0;

  const poll = (async () => {
    while (producing || (log.pending() > 0 && Date.now() - lastSentAt < DRAIN_MS)) {
      const rows = await options.store.query<{ s: string; n: string }>(
        `SELECT toUInt32(window_start) AS s, sum(window_count) AS n FROM ${options.table} FINAL
         WHERE window = '${options.windowName}' AND ${options.markerGroup} AND window_superseded = 0 AND window_start >= toDateTime(${since})
         GROUP BY s`,
      );
      polls++;
      log.observe(new Map(rows.map((r) => [Number(r.s) * 1000, Number(r.n)])), Date.now());
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();

  const MAX_PER_SEND = 5_000;
  const start = Date.now();
  const total = Math.round(options.rate * options.seconds);
  let sent = 0;
  let lastMarkerAt = 0;
  try {
    while (sent < total) {
      // At most MAX_PER_SEND a request: a slow send must not make the next one too large for the broker.
      const due = Math.min(total, sent + MAX_PER_SEND, Math.floor(((Date.now() - start) / 1000) * options.rate));
      const messages: Message[] = [];
      const markers: Marker[] = [];
      for (; sent < due; sent++) {
        const now = Date.now();
        const marker = now - lastMarkerAt >= MARKER_EVERY_MS;
        if (marker) {
          lastMarkerAt = now;
          markers.push(log.add(now));
        }
        messages.push({ ...options.message(sent, now, marker), partition: marker ? 0 : sent % options.partitions });
      }
      if (messages.length > 0) await options.producer.send({ topic: options.topic, acks: -1, messages });
      lastSentAt = Date.now();
      for (const m of markers) m.ackedAtMs = lastSentAt;
      if (sent < total) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  } finally {
    producing = false;
    await poll;
  }
  return { produced: sent, produceSeconds: (lastSentAt - start) / 1000, markers: log.markers, polls };
}

/** Freshness p50/p99/max from event time and from the produce acknowledgement, and markers never seen. */
export function freshnessReport(freshness: Freshness): string {
  const seen = freshness.markers.filter((m) => m.visibleAtMs !== undefined);
  const figures = (ms: number[]) => `p50 ${quantile(ms, 0.5)} ms, p99 ${quantile(ms, 0.99)} ms, max ${Math.max(...ms)} ms`;
  const fromEvent = seen.map((m) => m.visibleAtMs! - m.eventTimeMs);
  const fromAck = seen.map((m) => m.visibleAtMs! - m.ackedAtMs!);
  return (
    `freshness = event time (just before produce) -> end of the first ClickHouse query (every ${POLL_MS} ms) whose count for the event's 10 s window includes it:\n` +
    `  ${figures(fromEvent)} over ${seen.length} of ${freshness.markers.length} markers (${freshness.markers.length - seen.length} never visible within ${DRAIN_MS / 1000} s), ${freshness.polls} queries\n` +
    `  from the produce acknowledgement instead: ${figures(fromAck)}\n`
  );
}
