/**
 * `bench:query --live`: what a running aggregator writes while users query, made by its own code.
 * Once a second, every source partition folds a few events of every tenant timed now into its open
 * windows (PartitionAggregates), closes what its watermark passed, and one INSERT writes every
 * partition's snapshot with its progress and change rows (state-rows.ts flushRows), as
 * aggregator-component.ts's flush does. The windows are today's; the bench's queries read
 * yesterday's, so the change rows tell the query API that its answers still hold.
 */
import type { AggregateTable } from '../../services/aggregator/aggregate-tables.ts';
import { writeRows } from '../../services/aggregator/clickhouse/aggregate-store.ts';
import { flushRows } from '../../services/aggregator/clickhouse/state-rows.ts';
import { PartitionAggregates } from '../../services/aggregator/partition-aggregates.ts';
import type { ClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { seededRandom } from '../harness/seeded-random.ts';
import { benchRecord } from './query-fill.ts';

const EVENTS_PER_TENANT = 2;

export interface LiveWriter {
  /** Flushes written, window rows in them, and flushes that failed. */
  stats(): { flushes: number; windowRows: number; failed: number };
  stop(): Promise<void>;
}

export function startLiveWriter(options: { store: ClickHouseStore; database: string; table: AggregateTable; tenants: readonly string[]; partitions: number; firstOffset: bigint }): LiveWriter {
  const { store, database, table, tenants } = options;
  const { aggregate, folding, layout } = table;
  const random = seededRandom(29);
  const states = Array.from({ length: options.partitions }, (_, partition) => new PartitionAggregates({ aggregate, folding, layout, partition }));
  let offset = options.firstOffset;
  let next = 0;
  const stats = { flushes: 0, windowRows: 0, failed: 0 };
  let writing: Promise<void> = Promise.resolve();

  const flush = async () => {
    const now = Date.now();
    for (const state of states) {
      for (const tenant of tenants) {
        for (let e = 0; e < EVENTS_PER_TENANT; e++) state.fold({ ...benchRecord(next++, random), tenant, event_time: now }, offset++, now);
      }
      state.advance();
    }
    const snapshots = states.flatMap((state) => {
      const snapshot = state.snapshot((f) => flushRows(layout, state.partition, f, now, aggregate.dimensionShapes));
      return snapshot === undefined ? [] : [{ state, snapshot }];
    });
    const rows = snapshots.flatMap((s) => s.snapshot.rows);
    try {
      await writeRows(store, database, layout, rows);
      for (const s of snapshots) s.snapshot.commit();
      stats.flushes++;
      stats.windowRows += rows.length - 2 * snapshots.length;
    } catch (error) {
      stats.failed++;
      for (const s of snapshots) s.state.retry(s.snapshot);
      process.stderr.write(`live flush failed: ${String(error)}\n`);
    }
  };
  const timer = setInterval(() => {
    writing = writing.then(flush);
  }, 1_000);
  return {
    stats: () => ({ ...stats }),
    async stop() {
      clearInterval(timer);
      await writing;
    },
  };
}
