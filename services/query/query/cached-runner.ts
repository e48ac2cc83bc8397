/**
 * Answers shared between callers: the same query (same canonical text) asked while it runs waits
 * for that one run, and an answer is reused for `freshMs`; until `freshMs + staleMs` it is still
 * served at once while one background run refreshes it. Dashboards are many viewers asking the
 * same few queries; without this each asks ClickHouse again. Live totals only change at the
 * aggregator's flushes (1 s), so with the default of 1 s an answer is at most about two flush
 * intervals old, and `meta.cacheAgeMs` says how old it is. `freshMs = 0` turns it off.
 * Failures are never kept: the next caller runs the query again.
 *
 * An answer over a fixed time range (`from` and `to` given) whose buckets are all final stays
 * valid for longer, while its type's data version (`dataVersion`: one cheap look at the
 * aggregator's progress rows) is the one read before it ran: nothing was written to the type's
 * table since, so ClickHouse would answer the same. The version is read at most once per type and
 * `freshMs` (while one read is under way, the previous version is used, if at most
 * `freshMs + staleMs` old), so such an answer too reflects the table as of at most about two
 * intervals ago. A run records the version known when it began (read before it), never a later one.
 * Such an answer still runs again after `maxLastingMs` (10 min): rows can also go without a write,
 * by the table's TTL or an operator's hand. Answers with open buckets, or over a range relative to
 * now, never outlive `freshMs + staleMs`: an open bucket turns final with time alone.
 */
import { canonicalQuery, type QuerySpec } from './query-spec.ts';
import type { QueryOutcome, QueryRunner } from './run-query.ts';

const DEFAULT_MAX_LASTING_MS = 600_000;

export interface CachedRunnerOptions {
  readonly freshMs: number;
  readonly staleMs: number;
  readonly maxEntries: number;
  /** The type's data version: changes whenever the aggregator writes to its table. */
  readonly dataVersion?: (type: string) => Promise<string>;
  /** An answer kept by its data version runs again after this long all the same (default 10 min). */
  readonly maxLastingMs?: number;
  readonly now?: () => number;
}

interface Entry {
  outcome: QueryOutcome;
  at: number;
  refreshing: boolean;
  /** The type's data version read before the run; undefined when the answer may not outlive freshMs + staleMs. */
  version: string | undefined;
}

interface Version {
  value: string | undefined;
  at: number;
  reading: Promise<string | undefined> | undefined;
}

export function createCachedRunner(runner: QueryRunner, options: CachedRunnerOptions): QueryRunner {
  if (options.freshMs <= 0) return runner;
  const now = options.now ?? Date.now;
  const maxLastingMs = options.maxLastingMs ?? DEFAULT_MAX_LASTING_MS;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<QueryOutcome>>();
  const versions = new Map<string, Version>();

  /**
   * The type's data version as read at most freshMs + staleMs ago (undefined when there is none
   * that recent), and the read under way, started when the last one is older than freshMs.
   */
  const versionOf = (type: string): { known: string | undefined; reading: Promise<string | undefined> | undefined } => {
    const read = options.dataVersion;
    if (read === undefined) return { known: undefined, reading: undefined };
    const v = versions.get(type) ?? { value: undefined, at: -Infinity, reading: undefined };
    versions.set(type, v);
    const age = now() - v.at;
    if (age >= options.freshMs && v.reading === undefined) {
      const started = now();
      v.reading = read(type)
        .then((value) => Object.assign(v, { value, at: started }).value)
        .catch(() => Object.assign(v, { value: undefined, at: -Infinity }).value)
        .finally(() => (v.reading = undefined));
    }
    return { known: age < options.freshMs + options.staleMs ? v.value : undefined, reading: v.reading };
  };

  /** Whether nothing was written to the type's table since `version` was read. */
  const unchangedSince = async (type: string, version: string): Promise<boolean> => {
    const { known, reading } = versionOf(type);
    return (known ?? (await reading)) === version;
  };

  const lasting = (spec: QuerySpec, outcome: QueryOutcome) => spec.time.fromMs !== undefined && spec.time.toMs !== undefined && outcome.rows.every((r) => !r.open);

  const runShared = (key: string, spec: QuerySpec): Promise<QueryOutcome> => {
    let running = inFlight.get(key);
    if (running === undefined) {
      // A version read before the run began: if the table changes meanwhile, the next look sees it.
      const start = (version: string | undefined) =>
        runner.run(spec).then((outcome) => {
          entries.delete(key); // re-inserted last: the Map's order is least recently refreshed first
          entries.set(key, { outcome, at: now(), refreshing: false, version: lasting(spec, outcome) ? version : undefined });
          while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
          return outcome;
        });
      const { known, reading } = versionOf(spec.type.type);
      running = (known !== undefined || reading === undefined ? start(known) : reading.then(start)).finally(() => inFlight.delete(key));
      inFlight.set(key, running);
    }
    return running;
  };

  return {
    async run(spec) {
      const key = canonicalQuery(spec);
      const entry = entries.get(key);
      if (entry === undefined) return runShared(key, spec);
      const age = now() - entry.at;
      if (age < options.freshMs) return { ...entry.outcome, cacheAgeMs: age };
      if (entry.version !== undefined && age < maxLastingMs && (await unchangedSince(spec.type.type, entry.version))) return { ...entry.outcome, cacheAgeMs: now() - entry.at };
      if (age < options.freshMs + options.staleMs) {
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
