/**
 * Seeded random and mutated events for the validation fuzz test. Same seed, same values: a
 * failure names its seed and iteration, and rerunning reproduces it.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: tiny, fast, and good enough to spread test inputs. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

const HUGE = 'h'.repeat(100_000);
const HUGE_MULTIBYTE = '🌍'.repeat(3_000);

/** Numbers and strings at the edges: the values that break naive checks. */
export const TRICKY: readonly unknown[] = [
  Number.NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 1e-320, 2 ** 31, -(2 ** 31) - 1, 2 ** 52, -(2 ** 52) - 1,
  2 ** 53, 2 ** 53 - 2, -(2 ** 63), 1e308, 3.5e38, 'NaN', 'Infinity', '-0', '1e999', '9007199254740993', '00',
  '', ' ', 'true', 'null', '\u0000', '\ud800', 'a\udc00b', '🌍', 'DESKTOP', 'desktop', 'USD', '2026-11-24T10:00:00Z',
  '2026-11-24', '1764000000000', crypto.randomUUID(), 'AQID', '12.34', HUGE, HUGE_MULTIBYTE, null, true, false, [], {},
  // Not JSON at all: what a careless JS caller might pass.
  undefined, 10n, new Date(0), new Map(), Buffer.from('x'), () => 1, Symbol('s'),
];

export const TRICKY_KEYS: readonly string[] = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '/', '~', '~1', 'a/b', 'é', '\ud800', HUGE.slice(0, 5000),
  'type', 'id', 'timestamp', 'event_id', 'event_time', 'properties', 'url',
];

/** A random JSON-ish value, nested at most `depth` deep. */
export function randomValue(rng: Rng, depth = 3): unknown {
  const roll = rng.int(10);
  if (roll < 3 || depth <= 0) return rng.pick(TRICKY);
  if (roll < 5) return rng.int(2) === 0 ? rng.int(2 ** 31) - 2 ** 30 : (rng.next() - 0.5) * 10 ** rng.int(40);
  if (roll < 7) return randomString(rng);
  if (roll < 8) return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth - 1));
  return randomObject(rng, depth - 1);
}

function randomString(rng: Rng): string {
  const alphabet = 'abcXYZ019 -_/~.:é🌍\u0000"\\';
  return Array.from({ length: rng.int(20) }, () => alphabet[rng.int(alphabet.length)] ?? '').join('');
}

function randomObject(rng: Rng, depth: number): Record<string, unknown> {
  const text = `{${Array.from({ length: rng.int(5) }, () => `${JSON.stringify(rng.chance(0.3) ? rng.pick(TRICKY_KEYS) : randomString(rng))}: 0`).join(',')}}`;
  // Through JSON.parse, so that "__proto__" becomes an own key as it does for a request body.
  const object = JSON.parse(text) as Record<string, unknown>;
  for (const key of Object.keys(object)) object[key] = randomValue(rng, depth);
  return object;
}

/** Nested arrays or objects `levels` deep around `inner`. */
export function nest(rng: Rng, levels: number, inner: unknown): unknown {
  let value = inner;
  const asArray = rng.chance(0.5);
  for (let i = 0; i < levels; i++) value = asArray ? [value] : { nested: value };
  return value;
}

/** A tree for the recursive Node record, `levels` deep. */
export function deepTree(levels: number): unknown {
  let node: Record<string, unknown> = { value: levels };
  for (let i = levels - 1; i >= 0; i--) node = { value: i, children: [node] };
  return node;
}

/** Sets `key` on `target` as JSON.parse would: an own data property, even for "__proto__". */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One random change to a copy of `event`: delete, retype, rename, add, enlarge, nest, or replace. */
export function mutate(rng: Rng, event: Record<string, unknown>): unknown {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(event)) put(copy, key, event[key]);
  const keys = Object.keys(copy);
  const key = keys.length > 0 ? rng.pick(keys) : 'x';
  switch (rng.int(11)) {
    case 0:
      delete copy[key];
      return copy;
    case 1:
      put(copy, key, randomValue(rng));
      return copy;
    case 2:
      put(copy, key, rng.pick(TRICKY));
      return copy;
    case 3: {
      const value = copy[key];
      delete copy[key];
      put(copy, rng.chance(0.5) ? `${key}_renamed` : key.toUpperCase(), value);
      return copy;
    }
    case 4:
      put(copy, rng.pick(TRICKY_KEYS), randomValue(rng));
      return copy;
    case 5:
      put(copy, key, rng.chance(0.5) ? HUGE : HUGE_MULTIBYTE);
      return copy;
    case 6:
      put(copy, key, nest(rng, 1 + rng.int(2000), randomValue(rng, 1)));
      return copy;
    case 7: {
      // Inside a nested map or record: a bad value, a tricky key, or a huge key.
      const inner = copy[key];
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return mutate(rng, copy);
      put(copy, key, mutate(rng, inner as Record<string, unknown>));
      return copy;
    }
    case 8:
      return rng.chance(0.5) ? randomValue(rng) : rng.pick(TRICKY);
    case 9:
      put(copy, key, deepTree(rng.int(80)));
      return copy;
    default:
      // Through JSON text and back: NaN becomes null, undefined fields vanish, -0 becomes 0.
      try {
        return JSON.parse(JSON.stringify(copy, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))) as unknown;
      } catch {
        return copy;
      }
  }
}
