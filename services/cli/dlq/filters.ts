/**
 * The filters `weir dlq list|show|replay` share: reason codes, and a time range on when the record
 * was dead-lettered (weir-dlq-time). A time is ISO-8601 (`2026-11-24T10:00:00Z`), epoch
 * milliseconds, or an age (`90s`, `15m`, `2h`, `7d`: that long before now).
 */
import type { DeadLetterRecord } from './dead-letter-record.ts';

export interface DeadLetterFilter {
  readonly reasons: ReadonlySet<string> | undefined;
  readonly since: number | undefined;
  readonly until: number | undefined;
}

export interface FilterOptions {
  readonly reason?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

export const FILTER_OPTIONS = { reason: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } } as const;

export const FILTER_HELP_ROWS = [
  ['--reason <code,...>', 'Only these reason codes (e.g. out_of_range,undecodable)'],
  ['--since <time>', 'Only records dead-lettered at or after: ISO-8601, epoch ms, or an age such as 15m, 2h, 7d'],
  ['--until <time>', 'Only records dead-lettered before that time (same forms)'],
] as const;

const AGE_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The filter, or a message naming the bad option and what it takes. */
export function parseFilter(options: FilterOptions, now: number): DeadLetterFilter | { problem: string } {
  let reasons: Set<string> | undefined;
  if (options.reason !== undefined) {
    const codes = options.reason.split(',').map((r) => r.trim()).filter((r) => r !== '');
    const bad = codes.find((c) => !/^[a-z][a-z0-9_]*$/.test(c));
    if (codes.length === 0 || bad !== undefined) return { problem: `--reason ${JSON.stringify(options.reason)} must be reason codes separated by commas, such as out_of_range,undecodable` };
    reasons = new Set(codes);
  }
  const since = options.since === undefined ? undefined : parseTime(options.since, now);
  if (typeof since === 'string') return { problem: `--since ${since}` };
  const until = options.until === undefined ? undefined : parseTime(options.until, now);
  if (typeof until === 'string') return { problem: `--until ${until}` };
  if (since !== undefined && until !== undefined && since >= until) {
    return { problem: `--since (${new Date(since).toISOString()}) must be before --until (${new Date(until).toISOString()})` };
  }
  return { reasons, since, until };
}

/** Epoch ms, or a message saying what the value should be. */
export function parseTime(raw: string, now: number): number | string {
  const text = raw.trim();
  const age = /^(\d{1,9})([smhd])$/.exec(text);
  if (age !== null) return now - Number(age[1]) * AGE_UNITS[age[2]!]!;
  if (/^\d{1,16}$/.test(text)) return Number(text);
  // Date.parse accepts much that is not ISO-8601 ("1"): require a date first.
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isFinite(parsed)) return parsed;
  return `${JSON.stringify(raw)} is not a time: give ISO-8601 (2026-11-24T10:00:00Z), epoch milliseconds, or an age such as 15m, 2h, 7d`;
}

export function matches(filter: DeadLetterFilter, record: DeadLetterRecord): boolean {
  if (filter.reasons !== undefined && !filter.reasons.has(record.reason)) return false;
  if (filter.since === undefined && filter.until === undefined) return true;
  const at = record.deadLetteredAt;
  if (at === undefined) return false;
  return (filter.since === undefined || at >= filter.since) && (filter.until === undefined || at < filter.until);
}

/** The filter in words, for summaries: "reason out_of_range, since 2026-11-24T10:00:00.000Z". */
export function describeFilter(filter: DeadLetterFilter): string {
  const parts: string[] = [];
  if (filter.reasons !== undefined) parts.push(`reason ${[...filter.reasons].join(' or ')}`);
  if (filter.since !== undefined) parts.push(`since ${new Date(filter.since).toISOString()}`);
  if (filter.until !== undefined) parts.push(`until ${new Date(filter.until).toISOString()}`);
  return parts.length === 0 ? 'all' : parts.join(', ');
}
