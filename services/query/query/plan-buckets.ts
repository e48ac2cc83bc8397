/**
 * Which stored window answers a query, and its buckets. A tumbling window rolls up into any
 * granularity that is a multiple of its size, as long as no window straddles two buckets: every
 * bucket boundary (on the time zone's wall clock) must be a multiple of the window size. The
 * largest such window is read, since it has the fewest rows. Hopping and session windows are not
 * rolled up: each of their windows is its own bucket ("native").
 */
import type { CatalogType, CatalogWindow } from '../catalog.ts';
import { invalidQuery, QueryError } from '../query-error.ts';
import { bucketBoundaries, bucketRuns, type BucketRun } from '../time/buckets.ts';
import { formatDuration } from '../time/durations.ts';
import { resolveTime, type QuerySpec } from './query-spec.ts';

/** Buckets a query gets when it names no granularity: the finest granularity that stays under this. */
export const DEFAULT_BUCKETS = 1_000;

export type BucketPlan =
  | {
      readonly mode: 'rollup';
      readonly window: CatalogWindow;
      readonly granularityMs: number;
      /** Bucket i is [boundaries[i], boundaries[i + 1]). */
      readonly boundaries: readonly number[];
      readonly runs: readonly BucketRun[];
      readonly fromMs: number;
      readonly toMs: number;
    }
  | { readonly mode: 'native'; readonly window: CatalogWindow; readonly fromMs: number; readonly toMs: number };

function fitting(candidates: readonly CatalogWindow[], boundaries: readonly number[]): CatalogWindow | undefined {
  let best: CatalogWindow | undefined;
  for (const w of candidates) {
    if (w.spec.kind !== 'tumbling') continue;
    const size = w.spec.sizeMs;
    if (boundaries.every((b) => b % size === 0) && (best === undefined || size > (best.spec as { sizeMs: number }).sizeMs)) best = w;
  }
  return best;
}

export function planBuckets(spec: QuerySpec, now: number, maxBuckets: number): BucketPlan {
  const { fromMs, toMs } = resolveTime(spec.time, now);
  const type = spec.type;
  if (spec.window !== undefined && spec.window.spec.kind !== 'tumbling') return { mode: 'native', window: spec.window, fromMs, toMs };
  const candidates = spec.window !== undefined ? [spec.window] : type.windows.filter((w) => w.spec.kind === 'tumbling');
  if (candidates.length === 0) {
    throw invalidQuery([{ at: 'window', message: `${type.type} has no tumbling windows to roll up; name one of its windows: ${type.windows.map((w) => w.name).join(', ')}` }]);
  }
  const sizes = candidates.map((w) => (w.spec as { sizeMs: number }).sizeMs).sort((a, b) => a - b);
  const granularities = spec.granularityMs !== undefined ? [spec.granularityMs] : sizes;
  let tooMany: { granularityMs: number; buckets: number } | undefined;
  for (const granularityMs of granularities) {
    const boundaries = bucketBoundaries(fromMs, toMs, granularityMs, spec.timeZone, spec.granularityMs !== undefined ? maxBuckets : Math.min(maxBuckets, DEFAULT_BUCKETS));
    if (!Array.isArray(boundaries)) {
      tooMany = { granularityMs, buckets: boundaries.tooMany };
      continue;
    }
    const window = fitting(candidates, boundaries);
    if (window === undefined) {
      if (spec.granularityMs === undefined) continue;
      throw invalidQuery([
        {
          at: 'granularity',
          message: `no stored window of ${type.type} fits ${formatDuration(granularityMs)} buckets in ${spec.timeZone}: the granularity must be a multiple of ${sizes.map(formatDuration).join(' or ')}, with bucket starts on the time zone's wall clock that are multiples of the window size`,
        },
      ]);
    }
    return { mode: 'rollup', window, granularityMs, boundaries, runs: bucketRuns(boundaries), fromMs: boundaries[0]!, toMs: boundaries[boundaries.length - 1]! };
  }
  if (tooMany !== undefined) {
    throw new QueryError(
      'QUERY_TOO_LARGE',
      `${tooMany.buckets} buckets of ${formatDuration(tooMany.granularityMs)} between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}; at most ${spec.granularityMs === undefined ? Math.min(maxBuckets, DEFAULT_BUCKETS) : maxBuckets}: give a coarser granularity or a shorter range`,
      { problems: [{ at: spec.granularityMs === undefined ? 'from' : 'granularity', message: 'too many buckets' }] },
    );
  }
  throw invalidQuery([{ at: 'timeZone', message: `no stored window of ${type.type} aligns with bucket starts in ${spec.timeZone}` }]);
}
