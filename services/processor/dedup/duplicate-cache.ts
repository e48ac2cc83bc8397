/**
 * Which event ids a processor has already let through, per source partition, so that a client
 * retry (same id, sent again) is dropped instead of counted twice.
 *
 * Horizon: an id is a duplicate while it was first seen at most `horizonMs` earlier on its
 * partition's clock. Each partition's clock is the largest `time` passed for it, so it never runs
 * backwards: callers may pass processing time or event time. A repeat does not restart the
 * horizon: it runs from the first sighting, so memory is bounded by the ids first seen within it.
 *
 * Memory: at most `maxIds` ids over all partitions. When full, the oldest id of all is evicted
 * (its partition's first entry, since each partition's ids are kept in insertion order, which is
 * clock order). An evicted id that was still within the horizon can no longer be caught, so those
 * are counted in `evictions`; capacity for a full horizon is rate x horizon (1000 ids/s x 10 min
 * = 600k ids). Cost per id: BYTES_PER_ID below. Eviction looks at every partition's oldest id,
 * so an insert into a full cache costs O(partitions).
 *
 * A rebalance revokes partitions: `dropPartition` forgets one, because the next owner builds its
 * own cache and this process will not see that partition's events again until it is reassigned.
 */
import { WeirError } from '../../shared/errors.ts';

export const DEFAULT_HORIZON_MS = 600_000; // 10 min
/** Longer horizons hold more ids than a bounded cache should promise to catch. */
export const MAX_HORIZON_MS = 86_400_000; // 1 day
export const DEFAULT_MAX_IDS = 1_000_000; // ids: about 100 MB of heap for 36-character ids
/**
 * Heap bytes per cached id, the id string included, measured on Node 24.21 (x64, no pointer
 * compression) by test/services/processor/dedup/measure-id-bytes.ts: for 36-character ids (UUIDs)
 * and for the longest ids the gateway accepts (128 characters).
 */
export const BYTES_PER_ID = Object.freeze({ uuid36: 100, chars128: 188 });

export type PartitionKey = number | string;

export interface DuplicateCacheOptions {
  /** How long after its first sighting an id counts as a duplicate, in ms. Default 10 min. */
  readonly horizonMs?: number;
  /** Most ids held over all partitions. Default 1,000,000. */
  readonly maxIds?: number;
}

export interface DuplicateCacheStats {
  readonly ids: number;
  readonly partitions: number;
  /** Ids evicted for room while still within the horizon, since the cache was made. */
  readonly evictions: number;
}

interface PartitionIds {
  /** The largest time seen on this partition, in ms. */
  clock: number;
  /**
   * The partition's first time: ids store their first sighting relative to it, because small
   * integers are stored inline in the Map while epoch milliseconds each take a 16-byte heap
   * number (measured: 116 bytes per UUID id with them, 100 without). Past 24 days of one
   * partition they grow into heap numbers again: bigger, still correct.
   */
  readonly epoch: number;
  /** id -> clock - epoch when first seen; Map keeps insertion order, which is clock order. */
  readonly ids: Map<string, number>;
}

export class DuplicateCache {
  readonly horizonMs: number;
  readonly maxIds: number;
  readonly #partitions = new Map<PartitionKey, PartitionIds>();
  #size = 0;
  #evictions = 0;

  constructor(options: DuplicateCacheOptions = {}) {
    this.horizonMs = checkedInteger('horizonMs', options.horizonMs ?? DEFAULT_HORIZON_MS, 1, MAX_HORIZON_MS);
    this.maxIds = checkedInteger('maxIds', options.maxIds ?? DEFAULT_MAX_IDS, 1, 1_000_000_000);
  }

  /**
   * True when `id` was seen on `partition` within the horizon before `time` (ms); otherwise
   * records it and returns false.
   */
  seen(partition: PartitionKey, id: string, time: number): boolean {
    let entry = this.#partitions.get(partition);
    if (entry === undefined) {
      const start = Number.isFinite(time) ? time : 0;
      entry = { clock: start, epoch: start, ids: new Map() };
      this.#partitions.set(partition, entry);
    }
    if (time > entry.clock) {
      entry.clock = time;
      this.#expire(entry);
    }
    if (entry.ids.has(id)) return true;
    if (this.#size >= this.maxIds) this.#evictOldest(entry.clock);
    entry.ids.set(id, entry.clock - entry.epoch);
    this.#size++;
    return false;
  }

  /** Forgets a partition's ids (it was revoked in a rebalance). */
  dropPartition(partition: PartitionKey): void {
    const entry = this.#partitions.get(partition);
    if (entry === undefined) return;
    this.#size -= entry.ids.size;
    this.#partitions.delete(partition);
  }

  clear(): void {
    this.#partitions.clear();
    this.#size = 0;
  }

  stats(): DuplicateCacheStats {
    return { ids: this.#size, partitions: this.#partitions.size, evictions: this.#evictions };
  }

  #expire(entry: PartitionIds): void {
    const oldest = entry.clock - this.horizonMs - entry.epoch;
    for (const [id, firstSeen] of entry.ids) {
      if (firstSeen >= oldest) break;
      entry.ids.delete(id);
      this.#size--;
    }
  }

  /** Drops the oldest id of all partitions: the first entry with the smallest first-seen time. */
  #evictOldest(now: number): void {
    let victim: PartitionIds | undefined;
    let victimId = '';
    let victimTime = Infinity;
    for (const entry of this.#partitions.values()) {
      const first = entry.ids.entries().next();
      if (first.done === true || first.value[1] + entry.epoch >= victimTime) continue;
      victim = entry;
      victimId = first.value[0];
      victimTime = first.value[1] + entry.epoch;
    }
    if (victim === undefined) return;
    victim.ids.delete(victimId);
    this.#size--;
    // An id past its horizon (on an idle partition whose clock has not moved) could catch nothing.
    if (now - victimTime <= this.horizonMs) this.#evictions++;
  }
}

function checkedInteger(name: string, value: number, min: number, max: number): number {
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  throw new WeirError('CONFIG_INVALID', `DuplicateCache ${name} must be an integer from ${min} to ${max}, got ${value}`, { details: { [name]: value } });
}
