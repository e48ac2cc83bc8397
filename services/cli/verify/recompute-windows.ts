/**
 * Every window of a type recomputed from its clean records, the way the aggregator computes it:
 * one PartitionAggregates per source partition, records folded in offset order (so the watermark,
 * and with it every lateness decision, is the aggregator's), undecodable records skipped, events
 * late after grace left out under the `dlq` policy and written as correction rows under
 * `correct`. After each batch the windows the watermark passed are closed and what changed is
 * taken as rows, as a flush would write them; the newest row of each table key is kept, as
 * ReplacingMergeTree keeps it, and merged like a query at the end. No Kafka and no ClickHouse:
 * the caller feeds the records.
 *
 * What the aggregator does that a replay from the topic cannot see: the idle rule (a partition
 * silent for idleTimeoutMs of wall-clock time has its watermark raised to its siblings'), and
 * which session windows a flush had already closed when the next event came. Windows those touch
 * can differ; the rest are exact.
 */
import type { Row } from '../../aggregator/clickhouse/state-rows.ts';
import { PartitionAggregates } from '../../aggregator/partition-aggregates.ts';
import type { AggregateTable } from './aggregate-tables.ts';
import type { DecodeClean } from '../../aggregator/clean-decoder.ts';
import { inRange, mergeRow, rowStartMs, type MergedWindows, type WindowRange } from './merged-windows.ts';

export interface Clean {
  readonly offset: string;
  readonly value: Buffer | null;
}

export interface RecomputeCounts {
  /** Records read, each once. */
  records: number;
  /** Folded into their windows (on time, or late within grace). */
  folded: number;
  /** Late after grace under `"lateEvents": "correct"`: folded as correction rows. */
  corrected: number;
  /** Late after grace under `"dlq"`: the aggregator dead-letters them; they count nowhere. */
  lateDeadLettered: number;
  /** Not decodable with the clean schema: dead-lettered, counted nowhere. */
  undecodable: number;
}

export class WindowRecomputation {
  readonly counts: RecomputeCounts = { records: 0, folded: 0, corrected: 0, lateDeadLettered: 0, undecodable: 0 };
  readonly #table: AggregateTable;
  readonly #decode: DecodeClean;
  readonly #range: WindowRange;
  readonly #partitions = new Map<number, PartitionAggregates>();
  /** The newest row per table key (window, start, dimensions, partition, correction). */
  readonly #rows = new Map<string, Row>();

  constructor(table: AggregateTable, decode: DecodeClean, range: WindowRange) {
    this.#table = table;
    this.#decode = decode;
    this.#range = range;
  }

  /** One past the last offset read of `partition`; undefined before its first record. */
  nextOffset(partition: number): bigint | undefined {
    const last = this.#partitions.get(partition)?.lastOffset;
    return last === undefined ? undefined : last + 1n;
  }

  /** Folds `records` of `partition`, in offset order; offsets already read are passed over. */
  async add(partition: number, records: readonly Clean[]): Promise<void> {
    const { aggregate } = this.#table;
    const state = this.#partition(partition);
    for (const record of records) {
      const offset = BigInt(record.offset);
      if (state.lastOffset !== undefined && offset <= state.lastOffset) continue;
      this.counts.records++;
      const decoded = await this.#decode(record.value);
      if ('problem' in decoded) {
        this.counts.undecodable++;
        state.skip(offset);
        continue;
      }
      const outcome = state.fold(decoded.record, offset, Number(decoded.record[aggregate.timeField]));
      if (outcome === 'late_dead_letter') this.counts.lateDeadLettered++;
      else if (outcome === 'late_corrected') this.counts.corrected++;
      else this.counts.folded++;
    }
    this.#flush(state);
  }

  /** The recomputed windows in the range, merged across partitions and corrections. */
  windows(): MergedWindows {
    const merged: MergedWindows = new Map();
    for (const row of this.#rows.values()) if (row['window_superseded'] !== 1) mergeRow(merged, this.#table, row);
    return merged;
  }

  #partition(partition: number): PartitionAggregates {
    let state = this.#partitions.get(partition);
    if (state === undefined) {
      const { aggregate, folding, layout } = this.#table;
      state = new PartitionAggregates({ aggregate, folding, layout, partition });
      this.#partitions.set(partition, state);
    }
    return state;
  }

  /** What a flush would write now, kept as ClickHouse keeps it; closed windows then leave memory. */
  #flush(state: PartitionAggregates): void {
    state.advance();
    const snapshot = state.snapshot(() => []);
    if (snapshot === undefined) return;
    for (const row of snapshot.rows) {
      if (!inRange(this.#range, rowStartMs(row))) continue;
      const key = JSON.stringify(this.#table.layout.orderBy.map((column) => row[column] ?? null));
      const kept = this.#rows.get(key);
      // Equal versions: the later insert wins, as in ReplacingMergeTree.
      if (kept === undefined || BigInt(String(row['window_version'])) >= BigInt(String(kept['window_version']))) this.#rows.set(key, row);
    }
    snapshot.commit();
  }
}
