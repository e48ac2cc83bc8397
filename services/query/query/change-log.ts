/**
 * What the aggregator changed in a type's table, as the query API saw it poll by poll: every flush
 * of a source partition writes, in the same INSERT as its windows, a progress row (its offset) and
 * a change row (its offset and the earliest start among the window rows it wrote; see
 * services/aggregator/clickhouse/table-layout.ts, CHANGES_WINDOW). A poll reads the rows of both
 * kinds newer than the offsets already seen, so it learns the earliest window start any flush
 * since the last poll wrote. An answer over a range ending at or before that start is still what
 * the table holds.
 *
 * A partition whose progress moved further than its change rows account for (a writer that
 * writes none, or change rows too far back for the poll's look-back) counts as having changed
 * everything: the fallback is the old rule, never a wrong answer. A flush that only marks windows
 * final at an offset already written is not a change here: it touches only windows still open,
 * and answers are kept only while all their buckets are final (cached-runner.ts).
 */
import { CHANGED_NOTHING, CHANGES_WINDOW, PROGRESS_WINDOW, quoteIdentifier as q } from '../../aggregator/clickhouse/table-layout.ts';

const NOTHING = Number(CHANGED_NOTHING);

/** How far before the newest change row seen a poll looks (clock skew between aggregators). */
export const CHANGES_LOOKBACK_S = 3_600;
/** Polls kept per type: older answers are asked again (at one poll a second, 16 min). */
export const POLLS_KEPT = 1_000;

/** One row a poll reads (names as selected by changesSql). */
export interface ChangeLogRow {
  /** '' for a progress row, CHANGES_WINDOW for a change row. */
  readonly w: string;
  readonly p: number | string;
  readonly v: number | string;
  /** Change rows: the earliest window start written (ms; the largest Int64 when none was). */
  readonly f: number | string;
  /** Change rows: the flush's time (s, the writer's clock). */
  readonly t: number | string;
}

export interface PollScope {
  /** Per source partition, the newest offset seen: only rows past it are read. */
  readonly seen: ReadonlyMap<number, bigint>;
  /** Change rows written from this second on (undefined: progress rows only, the first poll). */
  readonly flushedSinceS: number | undefined;
}

/** The poll's SELECT: progress rows and (after the first poll) change rows, past the offsets seen. */
export function changesSql(database: string, table: string, scope: PollScope): string {
  const kinds = [`window = '${PROGRESS_WINDOW}'`];
  if (scope.flushedSinceS !== undefined) kinds.push(`(window = '${CHANGES_WINDOW}' AND window_start >= toDateTime(${Math.max(0, Math.floor(scope.flushedSinceS))}, 'UTC'))`);
  const where = [`(${kinds.join(' OR ')})`];
  if (scope.seen.size > 0) {
    const partitions = [...scope.seen.keys()];
    const newest = [...scope.seen.values()];
    const branches = partitions.slice(0, -1).map((p, i) => `window_partition = ${p}, toUInt64(${newest[i]})`);
    const last = `toUInt64(${newest[newest.length - 1]})`;
    where.push(`(window_partition NOT IN (${partitions.join(', ')}) OR window_version > ${branches.length > 0 ? `multiIf(${branches.join(', ')}, ${last})` : last})`);
  }
  return `SELECT window AS w, window_partition AS p, window_version AS v, window_watermark AS f, toUInt32(window_start) AS t FROM ${q(database)}.${q(table)} WHERE ${where.join(' AND ')}`;
}

interface TypeLog {
  readonly seen: Map<number, bigint>;
  /** Newest change row's flush time seen (s, the writer's clock). */
  newestFlushS: number | undefined;
  /** Index of polls[0]. */
  first: number;
  /** Per poll, the earliest window start changed since the poll before (Infinity: none; -Infinity: unknown). */
  readonly polls: number[];
}

/** One poll's rows into the log's offsets seen and newest flush: returns the earliest window start they changed. */
export function applyPoll(log: Pick<TypeLog, 'seen' | 'newestFlushS'>, rows: readonly ChangeLogRow[]): number {
  const progressed = new Map<number, bigint>();
  const explained = new Map<number, bigint>();
  let changedFromMs = Infinity;
  for (const row of rows) {
    const partition = Number(row.p);
    const version = BigInt(String(row.v));
    if (row.w === CHANGES_WINDOW) {
      if (version > (explained.get(partition) ?? -1n)) explained.set(partition, version);
      const fromMs = Number(row.f);
      if (fromMs < NOTHING) changedFromMs = Math.min(changedFromMs, fromMs);
      log.newestFlushS = Math.max(log.newestFlushS ?? -Infinity, Number(row.t));
    } else if (version > (progressed.get(partition) ?? -1n)) {
      progressed.set(partition, version);
    }
  }
  for (const [partition, version] of progressed) {
    if ((explained.get(partition) ?? -1n) < version) changedFromMs = -Infinity;
    log.seen.set(partition, version);
  }
  return changedFromMs;
}

export type ReadChangeRows = (type: string, scope: PollScope) => Promise<readonly ChangeLogRow[]>;

export class ChangeLog {
  readonly #read: ReadChangeRows;
  readonly #now: () => number;
  readonly #types = new Map<string, TypeLog>();

  constructor(read: ReadChangeRows, now: () => number = Date.now) {
    this.#read = read;
    this.#now = now;
  }

  /** Reads what changed since the last poll of the type; resolves to this poll's index. */
  async poll(type: string): Promise<number> {
    let log = this.#types.get(type);
    const firstPoll = log === undefined;
    if (log === undefined) this.#types.set(type, (log = { seen: new Map(), newestFlushS: undefined, first: 0, polls: [] }));
    const flushedSinceS = firstPoll ? undefined : (log.newestFlushS ?? this.#now() / 1000) - CHANGES_LOOKBACK_S;
    const rows = await this.#read(type, { seen: new Map(log.seen), flushedSinceS });
    const changedFromMs = applyPoll(log, rows);
    // The first poll only learns the offsets: nothing was kept before it.
    log.polls.push(firstPoll ? Infinity : changedFromMs);
    if (log.polls.length > POLLS_KEPT) {
      log.polls.shift();
      log.first++;
    }
    return log.first + log.polls.length - 1;
  }

  /**
   * The earliest window start changed in the type's polls after `after`, up to the newest
   * (`through`): Infinity when nothing changed, -Infinity when those polls are no longer kept.
   */
  changedFrom(type: string, after: number): { fromMs: number; through: number } {
    const log = this.#types.get(type);
    if (log === undefined) return { fromMs: -Infinity, through: after };
    const through = log.first + log.polls.length - 1;
    if (after < log.first - 1) return { fromMs: -Infinity, through };
    let fromMs = Infinity;
    for (let i = Math.max(0, after + 1 - log.first); i < log.polls.length; i++) fromMs = Math.min(fromMs, log.polls[i]!);
    return { fromMs, through };
  }
}
