/**
 * Strict parsing of the time strings senders may use instead of epoch numbers. Date.parse is not
 * used: it accepts implementation-defined forms ("Nov 24 2026") and reads a time without a zone
 * as local time, so the same string would mean different instants on different gateways.
 *
 * Accepted timestamps are RFC 3339 (the ISO-8601 profile JSON APIs use): date, time with
 * seconds, optional fraction of up to 9 digits, and `Z` or a `+hh:mm` offset, e.g.
 * "2026-11-24T10:00:00Z", "2026-11-24T11:00:00.250+01:00". Leap seconds (":60") are refused: epoch
 * time cannot represent them. Fractions finer than the target unit are truncated.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const TIMESTAMP_EXAMPLE = '"2026-11-24T10:00:00Z" (RFC 3339: date, time with seconds, Z or an offset)';
export const DATE_EXAMPLE = '"2026-11-24" (YYYY-MM-DD)';

const MS_PER_DAY = 86_400_000;

export type TimeUnit = 'millis' | 'micros';

/**
 * Epoch time in `unit` for an RFC 3339 timestamp, or undefined when the text is not one. Read by
 * character codes at fixed positions rather than a regular expression: every event with a string
 * timestamp comes through here, and this is several times faster.
 */
export function parseTimestamp(text: string, unit: TimeUnit): number | undefined {
  // YYYY-MM-DDTHH:MM:SS is 19 characters; the shortest zone ("Z") makes 20.
  if (text.length < 20 || text.length > 35) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hours = digits(text, 11, 2);
  const minutes = digits(text, 14, 2);
  const seconds = digits(text, 17, 2);
  const t = text.charCodeAt(10);
  if (text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return undefined;
  if (t !== 0x54 /* T */ && t !== 0x74 /* t */ && t !== 0x20 /* space */) return undefined;
  if (year < 0 || month < 0 || day < 0 || hours < 0 || minutes < 0 || seconds < 0) return undefined;

  let at = 19;
  let nanos = 0;
  if (text.charCodeAt(at) === 0x2e /* . */) {
    const start = ++at;
    while (at < text.length && isDigit(text.charCodeAt(at))) at++;
    const count = at - start;
    if (count === 0 || count > 9) return undefined;
    nanos = digits(text, start, count) * 10 ** (9 - count);
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(at);
  if (zone === 0x5a /* Z */ || zone === 0x7a /* z */) {
    if (at + 1 !== text.length) return undefined;
  } else if (zone === 0x2b /* + */ || zone === DASH) {
    const oh = digits(text, at + 1, 2);
    const om = digits(text, at + 4, 2);
    if (at + 6 !== text.length || text.charCodeAt(at + 3) !== COLON || oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone === DASH ? -1 : 1) * (oh * 60 + om);
  } else {
    return undefined;
  }
  const days = civilDays(year, month, day);
  if (days === undefined || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const ms = days * MS_PER_DAY + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000;
  return unit === 'millis' ? ms + Math.floor(nanos / 1_000_000) : ms * 1000 + Math.floor(nanos / 1000);
}

const DASH = 0x2d;
const COLON = 0x3a;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The decimal number in text[start, start + count), or -1 if any character there is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 0x30);
  }
  return value;
}

/** Days since 1970-01-01 for "YYYY-MM-DD", or undefined when the text is not a real date. */
export function parseDate(text: string): number | undefined {
  const m = DATE.exec(text);
  if (m === null) return undefined;
  return civilDays(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** An epoch-millis instant for messages; falls back to the number when Date cannot show it. */
export function formatMillis(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), or undefined
 * for a day the month does not have. Plain arithmetic: Date.UTC maps years 0-99 to 1900-1999.
 */
function civilDays(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays) return undefined;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
