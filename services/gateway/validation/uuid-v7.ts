/**
 * UUIDv7 (RFC 9562, section 5.7) for events sent without an id: time-ordered, so ids the gateway
 * makes sort by when it made them, and the Kafka keys and ClickHouse rows they end up in stay
 * roughly in time order.
 *
 *   bits 0-47    unix time in milliseconds
 *   bits 48-51   version, 0b0111
 *   bits 52-63   counter, high 12 bits      (rand_a)
 *   bits 64-65   variant, 0b10
 *   bits 66-95   counter, low 30 bits       (first 30 bits of rand_b)
 *   bits 96-127  random
 *
 * Monotonic (RFC 9562 section 6.2, method 1 with a 42-bit counter): each new millisecond seeds the
 * counter at random with its top bit clear, and ids made in the same millisecond increment it, so
 * they still sort in the order they were made. If the clock goes back, the last time is kept; if
 * the counter overflows, the time is advanced by one millisecond. Ids therefore never repeat and
 * never go backwards within one generator.
 */
import { randomFillSync } from 'node:crypto';

const COUNTER_BITS = 42;
export const COUNTER_LIMIT = 2 ** COUNTER_BITS;
const LOW_BITS = 2 ** 30;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Time and counter of the last id made. */
export interface UuidV7State {
  readonly ms: number;
  readonly counter: number;
}

/** The state for the next id: a fresh `seed` for a new millisecond, else the counter plus one. */
export function nextUuidV7State(last: UuidV7State, now: number, seed: () => number): UuidV7State {
  if (now > last.ms) return { ms: now, counter: seed() };
  if (last.counter + 1 < COUNTER_LIMIT) return { ms: last.ms, counter: last.counter + 1 };
  return { ms: last.ms + 1, counter: seed() };
}

/** Fills a buffer with random bytes; swapped in tests to make ids predictable. */
export type RandomFill = (bytes: Uint8Array) => void;

export function createUuidV7Generator(fill: RandomFill = randomFillSync): (now?: number) => string {
  // One refill per 256 ids instead of a crypto call per id.
  const pool = new Uint8Array(2048);
  let poolAt = pool.length;
  const random = (n: number): number => {
    if (poolAt + n > pool.length) {
      fill(pool);
      poolAt = 0;
    }
    let value = 0;
    for (let i = 0; i < n; i++) value = value * 256 + (pool[poolAt++] ?? 0);
    return value;
  };
  const seed = (): number => random(6) % (COUNTER_LIMIT / 2);
  let state: UuidV7State = { ms: -1, counter: 0 };

  return (now = Date.now()) => {
    if (!Number.isSafeInteger(now) || now < 0 || now >= 2 ** 48) throw new RangeError(`uuidV7 needs a time in ms from 0 to 2^48, got ${now}`);
    state = nextUuidV7State(state, now, seed);
    const { ms, counter } = state;
    const high = Math.floor(counter / LOW_BITS); // 12 bits
    const low = counter % LOW_BITS; // 30 bits
    const msHigh = Math.floor(ms / 2 ** 16); // top 32 bits
    const bytes = [
      (msHigh >>> 24) & 0xff,
      (msHigh >>> 16) & 0xff,
      (msHigh >>> 8) & 0xff,
      msHigh & 0xff,
      (ms >>> 8) & 0xff,
      ms & 0xff,
      0x70 | (high >>> 8),
      high & 0xff,
      0x80 | (low >>> 24),
      (low >>> 16) & 0xff,
      (low >>> 8) & 0xff,
      low & 0xff,
    ];
    const tail = random(4);
    let text = '';
    for (let i = 0; i < 12; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
      text += HEX[bytes[i] ?? 0];
    }
    return `${text}${HEX[(tail >>> 24) & 0xff]}${HEX[(tail >>> 16) & 0xff]}${HEX[(tail >>> 8) & 0xff]}${HEX[tail & 0xff]}`;
  };
}

/** The process's generator: a UUIDv7 for `now` (default Date.now()), monotonic within this process. */
export const uuidV7: (now?: number) => string = createUuidV7Generator();
