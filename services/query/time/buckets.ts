/**
 * The buckets of a query: consecutive intervals of `granularity` on the wall clock of its time
 * zone, counted from the local epoch (1970-01-01 00:00 local), so days start at local midnight and
 * hours on the local hour. Bucket i is [boundaries[i], boundaries[i + 1]), in epoch ms.
 */
import { fromWallMs, toWallMs } from './zone-clock.ts';

/** Boundaries of the buckets that cover [fromMs, toMs): the first at or before fromMs, the last at or after toMs. */
export function bucketBoundaries(fromMs: number, toMs: number, granularityMs: number, timeZone: string, maxBuckets: number): number[] | { tooMany: number } {
  const floorWall = (utc: number) => Math.floor(toWallMs(utc, timeZone) / granularityMs) * granularityMs;
  let wall = floorWall(fromMs);
  const boundaries = [fromWallMs(wall, timeZone)];
  while (boundaries[boundaries.length - 1]! < toMs) {
    if (boundaries.length > maxBuckets) {
      return { tooMany: Math.ceil((toMs - fromMs) / granularityMs) };
    }
    wall += granularityMs;
    const next = fromWallMs(wall, timeZone);
    // Two wall times in one DST gap map to one instant: that bucket is empty, skip it.
    if (next > boundaries[boundaries.length - 1]!) boundaries.push(next);
  }
  return boundaries;
}

/** Runs of equally spaced boundaries: the piecewise-linear map from a time to its bucket. */
export interface BucketRun {
  readonly startMs: number;
  readonly stepMs: number;
}

export function bucketRuns(boundaries: readonly number[]): BucketRun[] {
  const runs: BucketRun[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const start = boundaries[i]!;
    const step = boundaries[i + 1]! - start;
    const last = runs[runs.length - 1];
    if (last === undefined || last.stepMs !== step || (start - last.startMs) % step !== 0) runs.push({ startMs: start, stepMs: step });
  }
  return runs;
}

/** The bucket start of `t` by the runs (what the SQL computes), for tests and fills. */
export function bucketOf(runs: readonly BucketRun[], t: number): number {
  let run = runs[0]!;
  for (const r of runs) if (t >= r.startMs) run = r;
  return run.startMs + Math.floor((t - run.startMs) / run.stepMs) * run.stepMs;
}
