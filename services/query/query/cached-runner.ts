/**
 * Answers shared between callers: the same query (same canonical text) asked while it runs waits
 * for that one run, and an answer is reused for `freshMs`; until `freshMs + staleMs` it is still
 * served at once while one background run refreshes it. Dashboards are many viewers asking the
 * same few queries; without this each asks ClickHouse again. Live totals only change at the
 * aggregator's flushes (1 s), so with the default of 1 s an answer is at most about two flush
 * intervals old, and `meta.cacheAgeMs` says how old it is. `freshMs = 0` turns it off.
 * Failures are never kept: the next caller runs the query again.
 */
import { canonicalQuery, type QuerySpec } from './query-spec.ts';
import type { QueryOutcome, QueryRunner } from './run-query.ts';

export interface CachedRunnerOptions {
  readonly freshMs: number;
  readonly staleMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry {
  outcome: QueryOutcome;
  at: number;
  refreshing: boolean;
}

export function createCachedRunner(runner: QueryRunner, options: CachedRunnerOptions): QueryRunner {
  if (options.freshMs <= 0) return runner;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<QueryOutcome>>();

  const runShared = (key: string, spec: QuerySpec): Promise<QueryOutcome> => {
    let running = inFlight.get(key);
    if (running === undefined) {
      running = runner
        .run(spec)
        .then((outcome) => {
          entries.delete(key); // re-inserted last: the Map's order is least recently refreshed first
          entries.set(key, { outcome, at: now(), refreshing: false });
          while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
          return outcome;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, running);
    }
    return running;
  };

  return {
    async run(spec) {
      const key = canonicalQuery(spec);
      const entry = entries.get(key);
      const age = entry === undefined ? Infinity : now() - entry.at;
      if (entry !== undefined && age < options.freshMs) return { ...entry.outcome, cacheAgeMs: age };
      if (entry !== undefined && age < options.freshMs + options.staleMs) {
        if (!entry.refreshing) {
          entry.refreshing = true;
          runShared(key, spec).catch(() => (entry.refreshing = false));
        }
        return { ...entry.outcome, cacheAgeMs: age };
      }
      return runShared(key, spec);
    },
  };
}
