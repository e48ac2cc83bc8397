/**
 * Random and mutated request bodies for the gateway fuzz test, from a seeded PRNG so a failure can
 * be replayed. Each case is a body plus headers: garbage bytes, random JSON, valid batches with
 * fields deleted, retyped or renamed, huge strings, deep nesting, numbers out of range, repeated
 * keys, prototype keys, truncated text, bad gzip, NDJSON with broken lines, odd content types.
 */
import zlib from 'node:zlib';
import { seededRandom } from '../../harness/seeded-random.ts';

export interface FuzzCase {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

export function createFuzzer(seed: number, validEvent: () => Record<string, unknown>) {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

  const strings = ['', 'x', 'ü', '\u0000', '\ud800', '🙂', 'a'.repeat(20_000), '__proto__', 'constructor', '1e309', '-0', 'null', '{"a":1}', '\n\r\t'];
  const numbers = [0, -0, 1, -1, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, 123456789.123456789];

  const randomJson = (depth: number): unknown => {
    switch (depth > 4 ? int(4) : int(6)) {
      case 0:
        return pick(numbers);
      case 1:
        return pick(strings);
      case 2:
        return pick([true, false, null]);
      case 3:
        return String.fromCharCode(...Array.from({ length: int(12) }, () => int(0xffff)));
      case 4:
        return Array.from({ length: int(5) }, () => randomJson(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: int(5) }, () => [pick([...strings, 'type', 'id', 'timestamp', 'url']), randomJson(depth + 1)]));
    }
  };

  const mutate = (event: Record<string, unknown>): Record<string, unknown> => {
    const e: Record<string, unknown> = { ...event };
    const keys = Object.keys(e);
    for (let i = 0, n = 1 + int(3); i < n; i++) {
      const key = pick(keys);
      switch (int(7)) {
        case 0:
          delete e[key];
          break;
        case 1:
          e[key] = randomJson(2);
          break;
        case 2:
          e[`${key}_x`] = e[key];
          delete e[key];
          break;
        case 3:
          e[key] = pick(numbers);
          break;
        case 4:
          e[key] = 'z'.repeat(int(40_000));
          break;
        case 5:
          e['timestamp'] = pick([Date.now() + 1e12, -1, '2026-13-45T99:99:99Z', 'yesterday', 1e20, Date.now()]);
          break;
        default:
          e['type'] = pick(['', 'UPPER', 'no_such_type', 'a-b', 42, null, 'x'.repeat(300)]);
      }
    }
    return e;
  };

  const deep = (n: number) => `[${'['.repeat(n)}${']'.repeat(n)}]`;

  return function next(): FuzzCase {
    const json = { 'content-type': 'application/json' };
    switch (int(10)) {
      case 0:
        return { body: Buffer.from(Array.from({ length: int(2_000) }, () => int(256))), headers: pick([json, {}, { 'content-type': 'application/octet-stream' }]) };
      case 1:
        return { body: Buffer.from(JSON.stringify(randomJson(0))), headers: json };
      case 2:
        return { body: Buffer.from(deep(1 + int(50_000))), headers: json };
      case 3: {
        const text = JSON.stringify(Array.from({ length: 1 + int(20) }, () => mutate(validEvent())));
        return { body: Buffer.from(text.slice(0, int(text.length + 1))), headers: json };
      }
      case 4: {
        // A repeated key, which JSON.parse would silently resolve.
        const text = JSON.stringify([validEvent()]).replace('"url":', '"url":"dup","url":');
        return { body: Buffer.from(text), headers: json };
      }
      case 5: {
        const gz = zlib.gzipSync(JSON.stringify(Array.from({ length: 1 + int(10) }, () => mutate(validEvent()))));
        return { body: int(2) === 0 ? gz.subarray(0, int(gz.length)) : gz, headers: { ...json, 'content-encoding': pick(['gzip', 'gzip', 'deflate', 'x-gzip', 'GZIP']) } };
      }
      case 6: {
        const lines = Array.from({ length: 1 + int(10) }, () => (int(3) === 0 ? '{"broken' : JSON.stringify(mutate(validEvent()))));
        return { body: Buffer.from(lines.join('\n')), headers: { 'content-type': 'application/x-ndjson' } };
      }
      case 7:
        return { body: Buffer.from(JSON.stringify({ events: Array.from({ length: int(1_200) }, () => validEvent()) })), headers: json };
      case 8:
        return { body: Buffer.from(`[{"type":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"p":1}}}]`), headers: pick([json, { 'content-type': 'text/plain; charset=utf-8' }, { 'content-type': 'application/json; charset=latin1' }]) };
      default:
        return { body: Buffer.from(JSON.stringify(Array.from({ length: 1 + int(50) }, () => (int(4) === 0 ? mutate(validEvent()) : validEvent())))), headers: json };
    }
  };
}
