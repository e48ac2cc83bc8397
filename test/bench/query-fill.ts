/**
 * The query benchmark's data: a day of 1-minute windows over the values of one dimension, made by
 * the aggregator's own code (events folded into window states with its Folding, turned into rows
 * with state-rows.ts, written with aggregate-store.ts), as closed windows of every source
 * partition plus each partition's progress and change rows, as if the aggregator had run all day.
 */
import type { AggregateTable } from '../../services/aggregator/aggregate-tables.ts';
import { writeRows } from '../../services/aggregator/clickhouse/aggregate-store.ts';
import { flushRows, stateRow, type Row } from '../../services/aggregator/clickhouse/state-rows.ts';
import { retentionMs } from '../../services/aggregator/clickhouse/table-layout.ts';
import type { PreparedEvent } from '../../services/aggregator/state/window-state.ts';
import { windowName } from '../../services/aggregator/windows/window.ts';
import type { ClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { seededRandom } from '../harness/seeded-random.ts';

export const MINUTE_MS = 60_000;
export const MINUTES = 1_440;
const POOL = 16_384; // distinct prepared events folded round-robin: hashing is done once, folding is what varies
const USERS = 50_000;
const BATCH_MINUTES = 60; // one INSERT per hour of windows

export interface FillOptions {
  readonly store: ClickHouseStore;
  readonly database: string;
  readonly table: AggregateTable;
  /** The dimension's values. */
  readonly values: readonly string[];
  readonly partitions: number;
  /** The first window's start (UTC midnight). */
  readonly dayStartMs: number;
}

export interface Filled {
  /** Events per minute and value, all partitions: counts[minute * values + value]. */
  readonly counts: Uint32Array;
  readonly events: number;
  readonly rows: number;
  readonly seconds: number;
}

/** A clean record of the bench type; tenants are set per window, the rest comes from the pool. */
export function benchRecord(i: number, random: () => number): Record<string, unknown> {
  return {
    event_id: `e-${i}`,
    event_time: 0,
    tenant: '',
    user_id: `user-${Math.floor(random() ** 2 * USERS)}`,
    amount: 100 + Math.floor(random() ** 3 * 100_000),
    latency_ms: Math.exp(random() * 7), // 1 ms .. 1.1 s, log-uniform
  };
}

/** Events of one (minute, value, partition): a few, more for the first values (so the top N are clear) and by day time. */
function eventsOf(random: () => number, value: number, minute: number): number {
  const daytime = 1 + Math.sin((Math.PI * minute) / MINUTES); // a busier middle of the day
  return 1 + Math.floor(random() * daytime * (2 + 40 / (value + 1)));
}

export async function fillDay(options: FillOptions): Promise<Filled> {
  const { store, database, table, values, partitions, dayStartMs } = options;
  const { folding, layout, aggregate } = table;
  const spec = aggregate.windows[0]!;
  if (spec.kind !== 'tumbling' || spec.sizeMs !== MINUTE_MS || aggregate.windows.length !== 1) throw new Error('the query bench definition must have exactly one window, tumbling 1 min');
  const window = windowName(spec);
  const random = seededRandom(11);
  const pool: PreparedEvent[] = Array.from({ length: POOL }, (_, i) => folding.prepare(benchRecord(i, random)));
  const counts = new Uint32Array(MINUTES * values.length);
  const offsets = Array.from({ length: partitions }, () => 0n);
  const started = performance.now();
  let next = 0;
  let rows = 0;
  let inFlight: Promise<void> = Promise.resolve();
  for (let from = 0; from < MINUTES; from += BATCH_MINUTES) {
    const batch: Row[] = [];
    for (let minute = from; minute < from + BATCH_MINUTES; minute++) {
      const start = dayStartMs + minute * MINUTE_MS;
      const bounds = { start, end: start + MINUTE_MS };
      for (let v = 0; v < values.length; v++) {
        for (let p = 0; p < partitions; p++) {
          const state = folding.empty();
          const n = eventsOf(random, v, minute);
          for (let e = 0; e < n; e++) folding.fold(state, pool[next++ % POOL]!);
          counts[minute * values.length + v]! += n;
          offsets[p]! += BigInt(n);
          const key = { window, bounds, dimensions: [values[v]!], partition: p, correction: 0 };
          batch.push(stateRow(layout, folding, key, state, { version: offsets[p]!, final: true, superseded: false, expires: bounds.end + retentionMs(MINUTE_MS) }));
        }
      }
    }
    await inFlight; // one INSERT in flight while the next hour is folded
    inFlight = writeRows(store, database, layout, batch);
    rows += batch.length;
  }
  await inFlight;
  const watermark = dayStartMs + MINUTES * MINUTE_MS + aggregate.graceMs + aggregate.allowedOutOfOrdernessMs;
  const flushedAt = Date.now();
  const last = (offset: bigint) => ({ version: offset, watermarkMs: watermark, changedFromMs: dayStartMs });
  await writeRows(store, database, layout, offsets.flatMap((offset, p) => flushRows(layout, p, last(offset), flushedAt, aggregate.dimensionShapes)));
  return { counts, events: counts.reduce((sum, n) => sum + n, 0), rows, seconds: (performance.now() - started) / 1000 };
}
