/**
 * Wall-clock time in an IANA time zone, from the runtime's own tz database (Intl): what a local
 * midnight is in UTC, and back. Buckets of a query are aligned on the wall clock of its time
 * zone, so "1d" buckets in Europe/Paris start at Paris midnight, 23 or 25 hours apart across DST.
 *
 * "Wall ms" is the local date and time read as if it were UTC: epoch ms of the wall clock.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

let zonesByLowerCase: Map<string, string> | undefined;
function knownZones(): Map<string, string> {
  zonesByLowerCase ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  return zonesByLowerCase;
}

/** The zone's name as given (in the tz database's case: "utc" -> "UTC"), or undefined when the runtime knows none by that name. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length === 0 || name.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(name)) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // ICU may answer an older alias (Asia/Kolkata -> Asia/Calcutta): keep the name the user knows, in its proper case.
    return knownZones().get(name.toLowerCase()) ?? (resolved.toLowerCase() === name.toLowerCase() ? resolved : name);
  } catch {
    return undefined;
  }
}

/**
 * Offsets by zone and minute: every transition since 1980 falls on a whole minute, so an offset
 * holds for its whole minute, and streams that plan the same buckets every second ask Intl once.
 */
const offsetCache = new Map<string, Map<number, number>>();
const CACHE_FROM_MS = Date.UTC(1980, 0, 1);
const CACHE_MAX = 200_000;

/** Offset of the zone's wall clock from UTC at `utcMs`, in ms (whole seconds). */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  if (utcMs < CACHE_FROM_MS) return offsetOf(utcMs, timeZone);
  const minute = Math.floor(utcMs / 60_000);
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) offsetCache.set(timeZone, (zone = new Map()));
  let offset = zone.get(minute);
  if (offset === undefined) {
    if (zone.size >= CACHE_MAX) zone.clear();
    if (offsetCache.size > 64) offsetCache.clear(); // many zones in turn: start over rather than grow
    offset = offsetOf(minute * 60_000, timeZone);
    zone.set(minute, offset);
  }
  return offset;
}

function offsetOf(utcMs: number, timeZone: string): number {
  const seconds = Math.floor(utcMs / 1000) * 1000;
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(seconds))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const wall = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - seconds;
}

export function toWallMs(utcMs: number, timeZone: string): number {
  return utcMs + zoneOffsetMs(utcMs, timeZone);
}

/**
 * The instant at which the zone's clock shows `wallMs`. A wall time skipped by a DST jump maps to
 * the instant of the jump (so a 02:30 boundary on a spring-forward night is 03:00 local, as 02:00
 * is); a repeated one (the hour after a fall-back) maps to its first instant. Monotonic in `wallMs`.
 */
export function fromWallMs(wallMs: number, timeZone: string): number {
  if (timeZone === 'UTC') return wallMs;
  const before = zoneOffsetMs(wallMs - 86_400_000, timeZone);
  const after = zoneOffsetMs(wallMs + 86_400_000, timeZone);
  const candidates = [wallMs - before, wallMs - after].filter((t) => toWallMs(t, timeZone) === wallMs).sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap: the first instant whose wall clock is past wallMs is the jump.
  let lo = wallMs - after;
  let hi = wallMs - before;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (toWallMs(mid, timeZone) >= wallMs) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** RFC 3339 with the zone's offset at that instant: "2026-11-24T10:00:00+01:00" ("Z" in UTC). */
export function formatInZone(utcMs: number, timeZone: string): string {
  const offset = zoneOffsetMs(utcMs, timeZone);
  const local = new Date(utcMs + offset).toISOString().slice(0, 19);
  if (offset === 0) return `${local}Z`;
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(Math.floor(minutes % 60)).padStart(2, '0')}`;
}
