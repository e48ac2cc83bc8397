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
 * valid for longer: while no flush since it ran wrote a window starting before the end of the
 * range it read. The change log (change-log.ts: the aggregator's change rows, polled at most once
 * per type and `freshMs`) says which window starts were written. While a poll is under way, the
 * previous one is used if at most `freshMs + staleMs` old, so such an answer too reflects the
 * table as of at most about two intervals ago. A run records the poll known when it began (done
 * before it), never a later one. So a day of history stays answered while live events are folded
 * into today's windows, and a late event corrected into that day makes it run again.
 * Such an answer still runs again after `maxLastingMs` (10 min): rows can also go without a write,
 * by the table's TTL or an operator's hand. Answers with open buckets, or over a range relative to
 * now, never outlive `freshMs + staleMs`: an open bucket turns final with time alone.
 */
import type { ChangeLog } from './change-log.ts';
import { canonicalQuery, type QuerySpec } from './query-spec.ts';
import type { QueryOutcome, QueryRunner } from './run-query.ts';

const DEFAULT_MAX_LASTING_MS = 600_000;

export interface CachedRunnerOptions {
  readonly freshMs: number;
  readonly staleMs: number;
  readonly maxEntries: number;
  /** What the aggregator wrote, poll by poll: without it, no answer outlives freshMs + staleMs. */
  readonly changes?: Pick<ChangeLog, 'poll' | 'changedFrom'>;
  /** An answer kept by the change log runs again after this long all the same (default 10 min). */
  readonly maxLastingMs?: number;
  readonly now?: () => number;
}

interface Entry {
  outcome: QueryOutcome;
  at: number;
  refreshing: boolean;
  /** The change log's poll known before the run; undefined when the answer may not outlive freshMs + staleMs. */
  seen: number | undefined;
  /** The earliest window start written after `seen`, as far as the polls up to `checkedThrough` say. */
  changedFromMs: number;
  checkedThrough: number;
}

interface Poll {
  index: number | undefined;
  at: number;
  reading: Promise<number | undefined> | undefined;
}

export function createCachedRunner(runner: QueryRunner, options: CachedRunnerOptions): QueryRunner {
  if (options.freshMs <= 0) return runner;
  const now = options.now ?? Date.now;
  const maxLastingMs = options.maxLastingMs ?? DEFAULT_MAX_LASTING_MS;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<QueryOutcome>>();
  const polls = new Map<string, Poll>();

  /**
   * The type's newest change-log poll done at most freshMs + staleMs ago (undefined when there is
   * none that recent), and the poll under way, started when the last one is older than freshMs.
   */
  const pollOf = (type: string): { known: number | undefined; reading: Promise<number | undefined> | undefined } => {
    const changes = options.changes;
    if (changes === undefined) return { known: undefined, reading: undefined };
    const v = polls.get(type) ?? { index: undefined, at: -Infinity, reading: undefined };
    polls.set(type, v);
    const age = now() - v.at;
    if (age >= options.freshMs && v.reading === undefined) {
      const started = now();
      v.reading = changes
        .poll(type)
        .then((index) => Object.assign(v, { index, at: started }).index)
        .catch(() => Object.assign(v, { index: undefined, at: -Infinity }).index)
        .finally(() => (v.reading = undefined));
    }
    return { known: age < options.freshMs + options.staleMs ? v.index : undefined, reading: v.reading };
  };

  /** Whether no window the answer read was written since it ran, as of a poll at most freshMs + staleMs old. */
  const stillHeld = async (changes: NonNullable<CachedRunnerOptions['changes']>, spec: QuerySpec, entry: Entry): Promise<boolean> => {
    const { known, reading } = pollOf(spec.type.type);
    if ((known ?? (await reading)) === undefined) return false;
    const { fromMs, through } = changes.changedFrom(spec.type.type, entry.checkedThrough);
    entry.changedFromMs = Math.min(entry.changedFromMs, fromMs);
    entry.checkedThrough = through;
    return entry.changedFromMs >= entry.outcome.plan.toMs;
  };

  const lasting = (spec: QuerySpec, outcome: QueryOutcome) => spec.time.fromMs !== undefined && spec.time.toMs !== undefined && outcome.rows.every((r) => !r.open);

  const runShared = (key: string, spec: QuerySpec): Promise<QueryOutcome> => {
    let running = inFlight.get(key);
    if (running === undefined) {
      // A poll done before the run began: if the table changes meanwhile, the next poll sees it.
      const start = (seen: number | undefined) =>
        runner.run(spec).then((outcome) => {
          entries.delete(key); // re-inserted last: the Map's order is least recently refreshed first
          const kept = lasting(spec, outcome) ? seen : undefined;
          entries.set(key, { outcome, at: now(), refreshing: false, seen: kept, changedFromMs: Infinity, checkedThrough: kept ?? -1 });
          while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
          return outcome;
        });
      const { known, reading } = pollOf(spec.type.type);
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
      if (options.changes !== undefined && entry.seen !== undefined && age < maxLastingMs && (await stillHeld(options.changes, spec, entry))) return { ...entry.outcome, cacheAgeMs: now() - entry.at };
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
