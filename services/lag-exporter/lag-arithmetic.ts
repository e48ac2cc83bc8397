/**
 * Lag of one consumer group on one partition, as pure functions of what Kafka answered.
 *
 * Offsets: the partition's end offset (as a read_committed consumer sees it, the last stable
 * offset) minus the group's position. The position is the committed offset; a partition with no
 * committed offset counts from the earliest offset still in the log, as a consumer with
 * auto.offset.reset=earliest would start there; a committed offset below the earliest (records
 * deleted by retention) counts from the earliest too, since those records can no longer be read.
 * On a topic written in transactions, the commit marker after the last record takes an offset no
 * consumer commits past until more records come: collect-lag.ts reports 0 when a fetch at the
 * position finds only markers or aborted records up to the end.
 *
 * Seconds: the age of the oldest unconsumed record, now minus the broker timestamp of the first
 * record at or after the position; 0 when the group is caught up, or when nothing past the position
 * is readable yet (only transaction markers, or an open transaction).
 */

export interface PartitionOffsets {
  /** Earliest offset still in the log. */
  readonly low: bigint;
  /** Offset the next record will take (read_committed: the last stable offset). */
  readonly high: bigint;
}

/** The offset the group reads from next. */
export function positionOf(committed: bigint | undefined, offsets: PartitionOffsets): bigint {
  return committed === undefined || committed < offsets.low ? offsets.low : committed;
}

/** Records between the position and the end; never negative (a commit can run ahead of a stale end). */
export function lagOffsets(position: bigint, offsets: PartitionOffsets): number {
  const lag = offsets.high - position;
  return lag > 0n ? Number(lag) : 0;
}

/**
 * Seconds since the oldest unconsumed record was written; `timestampMs` is that record's broker
 * timestamp, undefined when none is readable. Clock skew between broker and exporter is clamped at 0.
 */
export function lagSeconds(lag: number, timestampMs: number | undefined, nowMs: number): number {
  if (lag === 0 || timestampMs === undefined) return 0;
  return Math.max(0, (nowMs - timestampMs) / 1000);
}
