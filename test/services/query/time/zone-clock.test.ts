import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, formatInZone, fromWallMs, toWallMs, zoneOffsetMs } from '../../../../services/query/time/zone-clock.ts';

const H = 3_600_000;
const MIN = 60_000;
const utc = Date.UTC;

// 2026 transitions (tz database): Paris 29 March and 25 October at 01:00 UTC;
// New York 8 March at 07:00 UTC (02:00 EST) and 1 November at 06:00 UTC (02:00 EDT).
const PARIS_SPRING = utc(2026, 2, 29, 1);
const PARIS_FALL = utc(2026, 9, 25, 1);
const NY_SPRING = utc(2026, 2, 8, 7);
const NY_FALL = utc(2026, 10, 1, 6);

describe('zoneOffsetMs', () => {
  it.each([
    ['Europe/Paris', PARIS_SPRING - 1_000, 1 * H],
    ['Europe/Paris', PARIS_SPRING, 2 * H],
    ['Europe/Paris', PARIS_FALL - 1_000, 2 * H],
    ['Europe/Paris', PARIS_FALL, 1 * H],
    ['America/New_York', NY_SPRING - 1_000, -5 * H],
    ['America/New_York', NY_SPRING, -4 * H],
    ['America/New_York', NY_FALL - 1_000, -4 * H],
    ['America/New_York', NY_FALL, -5 * H],
    ['Asia/Kolkata', utc(2026, 0, 1), 5.5 * H],
    ['Asia/Kolkata', utc(2026, 6, 1), 5.5 * H],
    ['Asia/Kathmandu', utc(2026, 10, 24), 5 * H + 45 * MIN],
    ['America/St_Johns', utc(2026, 10, 24), -(3 * H + 30 * MIN)],
    ['UTC', PARIS_SPRING, 0],
    ['Etc/UTC', PARIS_SPRING, 0],
  ])('%s at %d is %d', (zone, t, offset) => {
    expect(zoneOffsetMs(t, zone)).toBe(offset);
  });

  it('is the same for any millisecond of a second (offsets are whole seconds)', () => {
    expect(zoneOffsetMs(PARIS_SPRING - 1, 'Europe/Paris')).toBe(1 * H);
    expect(zoneOffsetMs(PARIS_SPRING + 999, 'Europe/Paris')).toBe(2 * H);
  });
});

describe('toWallMs and fromWallMs', () => {
  it('read the wall clock', () => {
    expect(toWallMs(PARIS_SPRING, 'Europe/Paris')).toBe(utc(2026, 2, 29, 3));
    expect(toWallMs(PARIS_SPRING - 1_000, 'Europe/Paris')).toBe(utc(2026, 2, 29, 1, 59, 59));
    expect(toWallMs(utc(2026, 10, 23, 18, 30), 'Asia/Kolkata')).toBe(utc(2026, 10, 24));
    expect(toWallMs(utc(2026, 10, 23, 18, 15), 'Asia/Kathmandu')).toBe(utc(2026, 10, 24));
    expect(toWallMs(utc(2026, 10, 24, 5), 'America/New_York')).toBe(utc(2026, 10, 24));
    expect(toWallMs(123_456, 'UTC')).toBe(123_456);
  });

  it('find local midnight', () => {
    expect(fromWallMs(utc(2026, 10, 24), 'Asia/Kolkata')).toBe(utc(2026, 10, 23, 18, 30));
    expect(fromWallMs(utc(2026, 10, 24), 'Asia/Kathmandu')).toBe(utc(2026, 10, 23, 18, 15));
    expect(fromWallMs(utc(2026, 10, 24), 'Europe/Paris')).toBe(utc(2026, 10, 23, 23));
    expect(fromWallMs(utc(2026, 6, 1), 'Europe/Paris')).toBe(utc(2026, 5, 30, 22));
    expect(fromWallMs(utc(2026, 10, 24), 'America/New_York')).toBe(utc(2026, 10, 24, 5));
    expect(fromWallMs(utc(2026, 10, 24), 'UTC')).toBe(utc(2026, 10, 24));
  });

  it('map a wall time skipped by spring-forward to the instant of the jump', () => {
    // Paris: 02:00 .. 02:59:59 local on 29 March do not exist; 03:00 CEST is 01:00 UTC.
    expect(fromWallMs(utc(2026, 2, 29, 1, 59, 59), 'Europe/Paris')).toBe(utc(2026, 2, 29, 0, 59, 59));
    expect(fromWallMs(utc(2026, 2, 29, 2), 'Europe/Paris')).toBe(PARIS_SPRING);
    expect(fromWallMs(utc(2026, 2, 29, 2, 30), 'Europe/Paris')).toBe(PARIS_SPRING);
    expect(fromWallMs(utc(2026, 2, 29, 2, 59, 59), 'Europe/Paris')).toBe(PARIS_SPRING);
    expect(fromWallMs(utc(2026, 2, 29, 3), 'Europe/Paris')).toBe(PARIS_SPRING);
    expect(fromWallMs(utc(2026, 2, 29, 3, 0, 1), 'Europe/Paris')).toBe(PARIS_SPRING + 1_000);
    expect(fromWallMs(utc(2026, 2, 8, 2, 30), 'America/New_York')).toBe(NY_SPRING);
  });

  it('map a repeated wall time (fall-back) to its first instant', () => {
    // Paris: 02:00 .. 02:59:59 local on 25 October happen twice, at 00:xx and 01:xx UTC.
    expect(fromWallMs(utc(2026, 9, 25, 2), 'Europe/Paris')).toBe(utc(2026, 9, 25, 0));
    expect(fromWallMs(utc(2026, 9, 25, 2, 30), 'Europe/Paris')).toBe(utc(2026, 9, 25, 0, 30));
    expect(fromWallMs(utc(2026, 9, 25, 3), 'Europe/Paris')).toBe(utc(2026, 9, 25, 2));
    expect(fromWallMs(utc(2026, 10, 1, 1, 30), 'America/New_York')).toBe(utc(2026, 10, 1, 5, 30));
    expect(fromWallMs(utc(2026, 10, 1, 2), 'America/New_York')).toBe(utc(2026, 10, 1, 7));
  });

  it.each(['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC'])(
    'in %s: fromWallMs is monotonic and inverts toWallMs outside gaps and second passes',
    (zone) => {
      // Every 5 minutes over four days around each 2026 transition of these zones (New York 8 March
      // and 1 November, Paris 29 March and 25 October, Lord Howe 5 April and 4 October, by 30 min).
      // Plain checks: an expect per step is slow.
      const spans = [utc(2026, 2, 6), utc(2026, 2, 27), utc(2026, 3, 3), utc(2026, 9, 2), utc(2026, 9, 23), utc(2026, 9, 30)].map((start) => [start, start + 4 * 24 * H] as const);
      const failures: string[] = [];
      for (const [start, end] of spans) {
        let previous = -Infinity;
        for (let wall = start; wall < end; wall += 5 * MIN) {
          const t = fromWallMs(wall, zone);
          if (t < previous) failures.push(`not monotonic at wall ${new Date(wall).toISOString()}`);
          previous = t;
          const back = toWallMs(t, zone);
          // In a gap the wall clock at the jump is past the wall time asked for, and a second earlier it was before it.
          if (back !== wall && !(back > wall && toWallMs(t - 1_000, zone) < wall)) failures.push(`wall ${new Date(wall).toISOString()} -> ${t} -> ${back}`);
        }
        for (let t = start; t < end; t += 7 * MIN) {
          const first = fromWallMs(toWallMs(t, zone), zone);
          // The first instant showing this wall time: t itself, or t less the repeated span.
          if (first > t || t - first > 1 * H || toWallMs(first, zone) !== toWallMs(t, zone)) failures.push(`instant ${new Date(t).toISOString()} -> ${first}`);
        }
      }
      expect(failures).toEqual([]);
    },
  );
});

describe('canonicalTimeZone', () => {
  it.each([
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Europe/Paris', 'Europe/Paris'],
    ['europe/paris', 'Europe/Paris'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Asia/Calcutta', 'Asia/Calcutta'],
    ['Asia/Kathmandu', 'Asia/Kathmandu'],
    ['America/New_York', 'America/New_York'],
    ['Etc/GMT+5', 'Etc/GMT+5'],
  ])('accepts %s as %s', (name, canonical) => {
    expect(canonicalTimeZone(name)).toBe(canonical);
  });

  it.each([['Mars/Olympus'], ['../etc'], ['../../etc/passwd'], [''], ['Europe/Paris '], ['Europe/Paris\u0000'], ['a'.repeat(100)], ['Europe/' + 'x'.repeat(93)], ["UTC'; DROP TABLE x; --"], ['Europe\\Paris']])(
    'refuses %j',
    (name) => {
      expect(canonicalTimeZone(name)).toBeUndefined();
    },
  );
});

describe('formatInZone', () => {
  it.each([
    [utc(2026, 10, 24, 9), 'UTC', '2026-11-24T09:00:00Z'],
    [utc(2026, 10, 24, 9), 'Europe/Paris', '2026-11-24T10:00:00+01:00'],
    [utc(2026, 6, 1, 9), 'Europe/Paris', '2026-07-01T11:00:00+02:00'],
    [utc(2026, 10, 24, 9), 'America/New_York', '2026-11-24T04:00:00-05:00'],
    [utc(2026, 10, 24, 9), 'Asia/Kolkata', '2026-11-24T14:30:00+05:30'],
    [utc(2026, 10, 24, 9), 'Asia/Kathmandu', '2026-11-24T14:45:00+05:45'],
    [utc(2026, 10, 24, 9), 'America/St_Johns', '2026-11-24T05:30:00-03:30'],
    [utc(2026, 10, 24, 9, 0, 5, 250), 'UTC', '2026-11-24T09:00:05Z'],
    // Both passes of Paris's repeated hour, told apart by their offsets.
    [utc(2026, 9, 25, 0, 30), 'Europe/Paris', '2026-10-25T02:30:00+02:00'],
    [utc(2026, 9, 25, 1, 30), 'Europe/Paris', '2026-10-25T02:30:00+01:00'],
    [PARIS_SPRING, 'Europe/Paris', '2026-03-29T03:00:00+02:00'],
  ])('%d in %s is %s', (t, zone, text) => {
    expect(formatInZone(t, zone)).toBe(text);
    // And it is the same instant (to the second) read back.
    expect(Date.parse(text)).toBe(Math.floor(t / 1000) * 1000);
  });
});
