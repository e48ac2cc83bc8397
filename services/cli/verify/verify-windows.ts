/**
 * `weir verify` without its command line: recompute a type's windows from its clean topic and
 * compare them with ClickHouse's.
 *
 * The aggregator may be running. Each partition is read only up to the offset its progress row
 * says the aggregator has written, so both sides hold the same records; what came after is
 * counted, not checked. Progress is read before and after the windows: when a flush came in
 * between, the recomputation reads on to the new progress and the windows are read again.
 */
import type { Kafka } from 'kafkajs';
import type { ClickHouseStore } from '../../shared/clickhouse/store.ts';
import { readTopic, topicRanges, type OffsetRange } from '../dlq/read-topic.ts';
import type { AggregateTable } from './aggregate-tables.ts';
import type { DecodeClean } from '../../aggregator/clean-decoder.ts';
import { compareWindows, type Comparison } from './compare-windows.ts';
import type { MergedWindows, WindowRange } from './merged-windows.ts';
import { WindowRecomputation, type RecomputeCounts } from './recompute-windows.ts';
import { readProgress, readStoredWindows } from './stored-windows.ts';

/** Reads of the windows before a still-moving aggregator is compared as it is. */
const MAX_ROUNDS = 5;

export interface VerifyInput {
  readonly kafka: Kafka;
  readonly store: ClickHouseStore;
  readonly database: string;
  readonly table: AggregateTable;
  readonly decode: DecodeClean;
  readonly range: WindowRange;
  /** Offsets to read in the first round, then records read so far. */
  readonly onStart?: (offsets: number) => void;
  readonly onRead?: (records: number) => void;
}

export interface VerifyOutcome {
  readonly topic: string;
  readonly partitions: number;
  readonly counts: RecomputeCounts;
  readonly comparison: Comparison;
  /** Offsets after the aggregator's progress when the read began: not checked. */
  readonly notYetAggregated: number;
  /** Partitions whose oldest records are gone (retention): windows before them cannot be recomputed. */
  readonly truncated: ReadonlyArray<{ readonly partition: number; readonly firstOffset: string }>;
  /** False when the aggregator wrote during every round: windows at its edge may differ. */
  readonly settled: boolean;
}

export async function verifyWindows(input: VerifyInput): Promise<VerifyOutcome> {
  const { kafka, store, database, table, range } = input;
  const topic = `weir.clean.${table.aggregate.source}`;
  const ranges = await topicRanges(kafka, topic);
  const recompute = new WindowRecomputation(table, input.decode, range);
  let progress = await readProgress(store, database, table);
  let stored: MergedWindows = new Map();
  let settled = false;
  for (let round = 0; round < MAX_ROUNDS && !settled; round++) {
    const toRead = new Map<number, OffsetRange>();
    for (const [partition, { from }] of ranges) {
      const written = progress.get(partition);
      if (written === undefined) continue;
      const start = recompute.nextOffset(partition) ?? from;
      if (written + 1n > start) toRead.set(partition, { from: start, to: written + 1n });
    }
    await readTopic(kafka, topic, {
      ranges: toRead,
      onStart: (offsets) => (round === 0 ? input.onStart?.(Number(offsets)) : undefined),
      onRecords: async (partition, records) => {
        await recompute.add(partition, records);
        input.onRead?.(recompute.counts.records);
      },
    });
    stored = await readStoredWindows(store, database, table, range);
    const after = await readProgress(store, database, table);
    settled = sameProgress(progress, after);
    if (!settled) progress = after;
  }
  let notYetAggregated = 0n;
  for (const [partition, { from, to }] of ranges) {
    const next = (progress.get(partition) ?? from - 1n) + 1n;
    if (to > next) notYetAggregated += to - next;
  }
  return {
    topic,
    partitions: ranges.size,
    counts: recompute.counts,
    comparison: compareWindows(table.aggregate.measures, table.folding, table.layout.dimensions, recompute.windows(), stored),
    notYetAggregated: Number(notYetAggregated),
    truncated: [...ranges].filter(([, r]) => r.from > 0n).map(([partition, r]) => ({ partition, firstOffset: r.from.toString() })),
    settled,
  };
}

function sameProgress(a: ReadonlyMap<number, bigint>, b: ReadonlyMap<number, bigint>): boolean {
  return a.size === b.size && [...a].every(([p, v]) => b.get(p) === v);
}
