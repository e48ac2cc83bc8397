/**
 * Live totals are visible within 2 s of production at modest load (the acceptance bound, not a
 * benchmark): 200 sales/s for 10 s, event time = now, through an aggregator at the default flush
 * interval (1 s) into the ClickHouse server. One sale in 20 is a marker (shop `marker`, all on
 * partition 0, so the k-th marker of a window is in ClickHouse exactly when the window's marker
 * count reaches k); ClickHouse is queried every 100 ms, and each marker's freshness is the time
 * from the broker's acknowledgement of its produce to the end of the first query whose count
 * includes it (an upper bound: up to one poll interval and one query late).
 */
import { setInterval as every } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { aggregatorSpec } from '../../../services/aggregator/config.ts';
import { defaultsOf } from '../../../services/shared/config/settings.ts';
import { startTestAggregator, writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { createTestDatabase, serverStore } from '../../harness/clickhouse.ts';
import { createMarkerLog, quantile, type Marker } from '../../harness/freshness-markers.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { createSalesType, storedCount, type Sale } from './fixtures/sales.ts';

const RATE = 200; // sales/s
const SECONDS = 10;
const TICK_MS = 100;
const MARKER_EVERY = 20; // one sale per tick
const BOUND_MS = 2_000;
const PARTITIONS = 3;
const WINDOW_MS = 10_000;

describe('aggregator freshness', () => {
  it(`shows live totals in ClickHouse within ${BOUND_MS} ms of production at ${RATE} events/s`, { timeout: 90_000 }, async () => {
    const registryUrl = (await startTestRegistry()).url;
    const sales = await createSalesType(registryUrl, PARTITIONS);
    const store = await serverStore();
    const database = await createTestDatabase(store, 'agg_fresh');
    const aggregatesDir = writeAggregateDefinitions({
      [sales.type]: {
        dimensions: ['shop'],
        measures: [
          { kind: 'count', name: 'sales' },
          { kind: 'sum', name: 'revenue', field: 'amount' },
          { kind: 'distinct', name: 'buyers', field: 'user' },
        ],
        windows: [{ kind: 'tumbling', sizeMs: WINDOW_MS }, { kind: 'tumbling', sizeMs: 60_000 }],
        allowedOutOfOrdernessMs: 1_000,
        graceMs: 5_000,
      },
    });
    const flushIntervalMs = defaultsOf(aggregatorSpec).flushIntervalMs;
    expect(flushIntervalMs).toBe(1_000);
    await startTestAggregator({ registryUrl, store, database, aggregatesDir, config: { flushIntervalMs } });

    // Steady state first: every partition assigned and its (empty) state read back.
    const partitionOf = (s: Sale) => (s.shop === 'marker' ? 0 : s.amount % PARTITIONS);
    await sales.produce(Array.from({ length: PARTITIONS }, (_, p) => ({ event_id: `warm-${p}`, event_time: Date.now(), shop: 'warmup', user: 'w', amount: p })), partitionOf);
    await waitFor('the warm-up sales in ClickHouse', async () => (await storedCount(store, database, sales.type)) === PARTITIONS, { timeoutMs: 30_000 });

    const log = createMarkerLog(WINDOW_MS);
    let producing = true;
    let lastProducedAt = Date.now();
    let polls = 0;
    const markerCounts = async (): Promise<Map<number, number>> => {
      const rows = await store.query<{ s: string; n: string }>(
        `SELECT toUInt32(window_start) AS s, sum(window_count) AS n FROM ${database}.agg_${sales.type} FINAL
         WHERE window = 'tumbling_10s' AND shop = 'marker' AND window_superseded = 0 GROUP BY s`,
      );
      return new Map(rows.map((r) => [Number(r.s) * 1000, Number(r.n)]));
    };
    const poll = waitFor(
      'every marker visible in ClickHouse, or 5 s without one since production ended',
      async () => {
        const counts = await markerCounts();
        polls++;
        log.observe(counts, Date.now());
        return !producing && (log.pending() === 0 || Date.now() - lastProducedAt > BOUND_MS + 3_000);
      },
      { timeoutMs: (SECONDS + 30) * 1000, intervalMs: TICK_MS },
    );

    // The load: a ticker paces it (a rate needs a clock; nothing waits on one to prove a result).
    let i = 0;
    const started = Date.now();
    for await (const _ of every(TICK_MS)) {
      const due = Math.min(RATE * SECONDS, Math.floor(((Date.now() - started) / 1000) * RATE));
      const batch: Sale[] = [];
      const markers: Marker[] = [];
      for (; i < due; i++) {
        const now = Date.now();
        const isMarker = i % MARKER_EVERY === 0;
        if (isMarker) markers.push(log.add(now));
        batch.push({ event_id: `s-${i}`, event_time: now, shop: isMarker ? 'marker' : i % 2 === 0 ? 'a' : 'b', user: `u${i % 50}`, amount: i });
      }
      if (batch.length > 0) await sales.produce(batch, partitionOf);
      lastProducedAt = Date.now();
      for (const m of markers) m.ackedAtMs = lastProducedAt;
      if (i >= RATE * SECONDS) break;
    }
    producing = false;
    await poll;

    const fromAck = log.markers.flatMap((m) => (m.visibleAtMs === undefined ? [] : [m.visibleAtMs - m.ackedAtMs!]));
    const fromEvent = log.markers.flatMap((m) => (m.visibleAtMs === undefined ? [] : [m.visibleAtMs - m.eventTimeMs]));
    process.stdout.write(
      `aggregator freshness: ${i} sales at ${RATE}/s, flush every ${flushIntervalMs} ms, ${log.markers.length} markers, ${polls} queries; ` +
        `produce ack -> count visible p50 ${quantile(fromAck, 0.5)} ms, p99 ${quantile(fromAck, 0.99)} ms, max ${Math.max(...fromAck)} ms ` +
        `(event time -> visible p50 ${quantile(fromEvent, 0.5)} ms, p99 ${quantile(fromEvent, 0.99)} ms)\n`,
    );
    const tooLate = log.markers.filter((m) => m.visibleAtMs === undefined || m.visibleAtMs - m.ackedAtMs! > BOUND_MS);
    expect(tooLate.map((m) => `marker of ${new Date(m.eventTimeMs).toISOString()}: ${m.visibleAtMs === undefined ? 'never visible' : `${m.visibleAtMs - m.ackedAtMs!} ms`}`)).toEqual([]);
    expect(log.markers).toHaveLength((RATE * SECONDS) / MARKER_EVERY);
  });
});
