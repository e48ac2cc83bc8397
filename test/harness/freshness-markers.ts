/**
 * Freshness of live totals, measured from outside: marker events, all of one dimension group and
 * all on one partition, so that the k-th marker of a window is in ClickHouse exactly when that
 * group's count for the window reaches k (a partition is folded and flushed in order). Polling
 * the group's count per window then tells when each marker became visible. Pure: the caller
 * produces the markers and runs the queries (the freshness test and `npm run bench:aggregate`).
 */
export interface Marker {
  /** Its event time (ms since the epoch), taken just before it was produced. */
  readonly eventTimeMs: number;
  readonly windowStartMs: number;
  /** 1 for the first marker of its window, 2 for the second, ... */
  readonly rank: number;
  /** When the broker acknowledged it (all replicas). */
  ackedAtMs?: number;
  /** When a query first answered with its window's count at least its rank. */
  visibleAtMs?: number;
}

export interface MarkerLog {
  readonly markers: readonly Marker[];
  /** Records a marker with this event time; call in the order the markers are produced. */
  add(eventTimeMs: number): Marker;
  /** A query answered at `atMs` with the markers' count per window start (ms). */
  observe(countsByWindowStart: ReadonlyMap<number, number>, atMs: number): void;
  /** Markers not yet visible. */
  pending(): number;
}

export function createMarkerLog(windowSizeMs: number): MarkerLog {
  const markers: Marker[] = [];
  const perWindow = new Map<number, number>();
  return {
    markers,
    add(eventTimeMs) {
      const windowStartMs = Math.floor(eventTimeMs / windowSizeMs) * windowSizeMs;
      const rank = (perWindow.get(windowStartMs) ?? 0) + 1;
      perWindow.set(windowStartMs, rank);
      const marker: Marker = { eventTimeMs, windowStartMs, rank };
      markers.push(marker);
      return marker;
    },
    observe(counts, atMs) {
      for (const m of markers) if (m.visibleAtMs === undefined && (counts.get(m.windowStartMs) ?? 0) >= m.rank) m.visibleAtMs = atMs;
    },
    pending: () => markers.filter((m) => m.visibleAtMs === undefined).length,
  };
}

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
