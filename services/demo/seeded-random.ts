/**
 * The demo's only source of randomness: mulberry32, seeded, so one seed gives one run of events,
 * plus the few distributions realistic traffic needs (weighted choice, Zipf ranks, log-normal).
 */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** One of `entries`, each as likely as its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** Log-normal with the given median and sigma (of the underlying normal). */
  logNormal(median: number, sigma: number): number;
  /** `length` hex characters. */
  hex(length: number): string;
  /** `length` characters of [0-9a-z]. */
  base36(length: number): string;
  /** Fills `bytes` (for UUIDv7 ids). */
  fill(bytes: Uint8Array): void;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const chars = (alphabet: string, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  };
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick() from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weighted: (entries) => {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let left = next() * total;
      for (const [value, weight] of entries) {
        left -= weight;
        if (left < 0) return value;
      }
      const last = entries.at(-1);
      if (last === undefined) throw new RangeError('weighted() from an empty list');
      return last[0];
    },
    logNormal: (median, sigma) => {
      // Box-Muller; 1 - next() is in (0, 1], so the log is finite.
      const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(sigma * normal);
    },
    hex: (length) => chars('0123456789abcdef', length),
    base36: (length) => chars('0123456789abcdefghijklmnopqrstuvwxyz', length),
    fill: (bytes) => {
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
    },
  };
}

/**
 * Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1)^exponent: a few items are
 * very popular, most are rare (users, pages, tenants). The CDF is built once; each draw is a binary search.
 */
export function zipf(n: number, exponent: number): (random: Random) => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / (rank + 1) ** exponent;
    cdf[rank] = total;
  }
  return (random) => {
    const target = random.next() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cdf[mid] ?? total) > target) high = mid;
      else low = mid + 1;
    }
    return low;
  };
}
