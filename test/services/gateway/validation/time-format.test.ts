import { describe, expect, it } from 'vitest';
import { formatMillis, parseDate, parseTimestamp } from '../../../../services/gateway/validation/time-format.ts';
import { createRng } from './fuzz-values.ts';

describe('parseTimestamp', () => {
  it('agrees with Date.parse on valid RFC 3339 forms', () => {
    for (const text of [
      '2026-11-24T10:00:00Z',
      '2026-11-24t10:00:00z',
      '2026-11-24 10:00:00Z',
      '2026-11-24T10:00:00.5Z',
      '2026-11-24T10:00:00.123+05:45',
      '2026-11-24T00:30:00-23:59',
      '2000-02-29T12:00:00Z',
      '1900-03-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect(parseTimestamp(text, 'millis')).toBe(Date.parse(text.replace(' ', 'T').toUpperCase()));
    }
  });

  it('agrees with Date on 5000 random instants with random offsets', () => {
    const rng = createRng(42);
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor(rng.next() * 253_402_300_799_999) - 0; // 1970 .. 9999
      const offset = (rng.int(2) === 0 ? -1 : 1) * rng.int(24 * 60);
      const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
      const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
      expect(parseTimestamp(`${local}${zone}`, 'millis')).toBe(ms);
    }
  });

  it('truncates fractions to the unit', () => {
    const base = Date.UTC(2026, 10, 24, 10);
    expect(parseTimestamp('2026-11-24T10:00:00.987654321Z', 'millis')).toBe(base + 987);
    expect(parseTimestamp('2026-11-24T10:00:00.987654321Z', 'micros')).toBe(base * 1000 + 987_654);
    expect(parseTimestamp('2026-11-24T10:00:00.9Z', 'micros')).toBe(base * 1000 + 900_000);
  });

  it.each([
    '2026-11-24T10:00:00',
    '2026-11-24T10:00Z',
    '2026-11-24T10:00:00.Z',
    '2026-11-24T10:00:00.1234567890Z',
    '2026-11-24T10:00:00+0100',
    '2026-11-24T10:00:00+01:00x',
    '2026-11-24T10:00:00ZZ',
    '+2026-11-24T10:00:00Z',
    '2026-1-24T10:00:00Z',
    '2026-11-24X10:00:00Z',
    '2026-00-10T10:00:00Z',
    '2026-04-31T10:00:00Z',
    '2100-02-29T10:00:00Z',
    '2026-11-24T24:00:00Z',
    '2026-11-24T10:60:00Z',
    '2026-11-24T10:00:60Z',
    '2026-11-24T10:00:00+24:00',
    '2026-11-24T10:00:00+01:60',
    '２０２６-11-24T10:00:00Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseTimestamp(text, 'millis')).toBeUndefined();
  });
});

describe('parseDate', () => {
  it('counts days from 1970-01-01, before and after', () => {
    expect(parseDate('1970-01-01')).toBe(0);
    expect(parseDate('1969-12-31')).toBe(-1);
    expect(parseDate('2026-11-24')).toBe(Date.UTC(2026, 10, 24) / 86_400_000);
    expect(parseDate('0001-01-01')).toBe(Date.parse('0001-01-01T00:00:00Z') / 86_400_000);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-11-24T00:00:00Z', '26-11-24', '2026-11-4'])('refuses %j', (text) => {
    expect(parseDate(text)).toBeUndefined();
  });
});

describe('formatMillis', () => {
  it('shows ISO, or the number when Date cannot', () => {
    expect(formatMillis(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatMillis(9e15)).toBe('9000000000000000 ms');
  });
});
