/**
 * Event-time watermarks of one aggregator instance over the partitions it owns.
 *
 * A partition's watermark is the highest event time seen on it minus the allowed out-of-orderness:
 * the claim that no event older than that is still to come from it. The instance's watermark is
 * the lowest over its partitions, because a window may only close once every partition that could
 * still send events for it has moved past it.
 *
 * Idle rule: a partition that delivered no record for `idleTimeoutMs` of wall-clock time (from
 * its assignment, if it never delivered one) stops holding the watermark back; the minimum is
 * taken over the partitions that are not idle. When all are idle, the watermark is the highest
 * of theirs, so quiet topics still close their windows. Without the rule, one empty partition
 * would keep every window open forever. The price: an idle partition that wakes up with old
 * events finds their windows possibly closed, and they are late.
 *
 * The watermark never goes back: a partition returning from idleness, or newly assigned, cannot
 * reopen what was closed. Wall-clock time comes from the injected `now`, so tests and replays
 * decide what idle means.
 */

/** Default idle timeout, used when a definition gives none. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000; // 30 s

export interface WatermarkOptions {
  readonly allowedOutOfOrdernessMs: number;
  readonly idleTimeoutMs: number;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
}

interface PartitionState {
  maxEventTimeMs: number;
  lastRecordAtMs: number;
}

export class Watermarks {
  readonly #allowedOutOfOrdernessMs: number;
  readonly #idleTimeoutMs: number;
  readonly #now: () => number;
  readonly #partitions = new Map<number, PartitionState>();
  #watermark = -Infinity;

  constructor(options: WatermarkOptions) {
    if (!(Number.isSafeInteger(options.allowedOutOfOrdernessMs) && options.allowedOutOfOrdernessMs >= 0)) {
      throw new RangeError(`allowedOutOfOrdernessMs must be an integer >= 0 (ms), got ${options.allowedOutOfOrdernessMs}`);
    }
    if (!(Number.isSafeInteger(options.idleTimeoutMs) && options.idleTimeoutMs > 0)) {
      throw new RangeError(`idleTimeoutMs must be an integer > 0 (ms), got ${options.idleTimeoutMs}; the default is ${DEFAULT_IDLE_TIMEOUT_MS}`);
    }
    this.#allowedOutOfOrdernessMs = options.allowedOutOfOrdernessMs;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#now = options.now;
  }

  /**
   * Takes a partition on (a rebalance gave it to this instance). `maxEventTimeMs`: the highest event
   * time already folded from it, when state is restored; without it the partition holds the
   * watermark back until it delivers a record or goes idle.
   */
  assign(partition: number, maxEventTimeMs = -Infinity): void {
    this.#partitions.set(partition, { maxEventTimeMs, lastRecordAtMs: this.#now() });
  }

  revoke(partition: number): void {
    this.#partitions.delete(partition);
  }

  /** A record of `partition` with this event time arrived (a partition not assigned yet is assigned). */
  observe(partition: number, eventTimeMs: number): void {
    const state = this.#partitions.get(partition);
    if (state === undefined) {
      this.#partitions.set(partition, { maxEventTimeMs: eventTimeMs, lastRecordAtMs: this.#now() });
      return;
    }
    if (eventTimeMs > state.maxEventTimeMs) state.maxEventTimeMs = eventTimeMs;
    state.lastRecordAtMs = this.#now();
  }

  /** The partition's own watermark; -Infinity before its first record. */
  partitionWatermark(partition: number): number {
    const state = this.#partitions.get(partition);
    return state === undefined ? -Infinity : state.maxEventTimeMs - this.#allowedOutOfOrdernessMs;
  }

  isIdle(partition: number): boolean {
    const state = this.#partitions.get(partition);
    return state !== undefined && this.#now() - state.lastRecordAtMs >= this.#idleTimeoutMs;
  }

  /** The instance's watermark now (epoch ms; -Infinity until it is known). Never decreases. */
  current(): number {
    let lowestActive = Infinity;
    let highest = -Infinity;
    for (const partition of this.#partitions.keys()) {
      const watermark = this.partitionWatermark(partition);
      highest = Math.max(highest, watermark);
      if (!this.isIdle(partition)) lowestActive = Math.min(lowestActive, watermark);
    }
    const candidate = lowestActive === Infinity ? highest : lowestActive;
    if (candidate > this.#watermark) this.#watermark = candidate;
    return this.#watermark;
  }
}
