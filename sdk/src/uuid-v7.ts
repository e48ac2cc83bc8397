/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, version 7, 12 bits of rand_a, the variant, 62
 * bits of rand_b. rand_a is a counter within one millisecond (RFC 9562 section 6.2, method 1) so
 * that ids from one generator sort in the order they were made, even when the clock stalls or
 * steps back; past 4096 ids in a millisecond the timestamp is carried forward by one.
 */

const COUNTER_MAX = 0xfff;

export type RandomBytes = (bytes: Uint8Array) => void;

const cryptoRandom: RandomBytes = (bytes) => {
  globalThis.crypto.getRandomValues(bytes);
};

/** A generator of monotonic UUIDv7 strings; `now` gives Unix milliseconds. */
export function createUuidV7(now: () => number, randomBytes: RandomBytes = cryptoRandom): () => string {
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  return () => {
    let ms = Math.max(0, Math.floor(now()));
    randomBytes(bytes);
    if (ms > lastMs) {
      // A fresh millisecond starts the counter at a random point in its lower half, leaving room to count.
      counter = (((bytes[6] ?? 0) << 4) | ((bytes[7] ?? 0) >> 4)) & 0x7ff;
    } else {
      ms = lastMs;
      counter += 1;
      if (counter > COUNTER_MAX) {
        ms += 1;
        counter = 0;
      }
    }
    lastMs = ms;
    // 48-bit big-endian milliseconds: split, because bitwise operators stop at 32 bits.
    const high = Math.floor(ms / 0x1_0000_0000);
    const low = ms >>> 0;
    bytes[0] = (high >>> 8) & 0xff;
    bytes[1] = high & 0xff;
    bytes[2] = (low >>> 24) & 0xff;
    bytes[3] = (low >>> 16) & 0xff;
    bytes[4] = (low >>> 8) & 0xff;
    bytes[5] = low & 0xff;
    bytes[6] = 0x70 | (counter >>> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    return format(bytes);
  };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function format(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[b[i] ?? 0];
  }
  return out;
}

/** The Unix milliseconds a UUIDv7 carries; undefined for anything else. */
export function uuidV7Millis(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
