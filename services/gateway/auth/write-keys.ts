/**
 * Write keys: who may send which event types, how fast. Keys are stored as SHA-256 hashes (a key
 * is a long random token, so a fast hash is enough: there is nothing to brute-force), and a
 * presented key is compared with every stored hash in constant time, without stopping at a match.
 *
 * Configuration (WEIR_WRITE_KEYS as JSON, or WEIR_WRITE_KEYS_FILE pointing at the same JSON):
 *   [{ "id": "web", "sha256": "<64 hex>", "types": ["page_view"] | "*", "eventsPerSecond": 500, "burst": 1000 }]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { WeirError } from '../../shared/errors.ts';

export interface WriteKey {
  readonly id: string;
  readonly hash: Buffer;
  /** `'*'` allows every type. */
  readonly types: ReadonlySet<string> | '*';
  readonly eventsPerSecond: number;
  readonly burst: number;
}

export type Authentication =
  | { readonly ok: true; readonly key: WriteKey }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'unknown' };

export function hashKey(secret: string): Buffer {
  return crypto.createHash('sha256').update(secret, 'utf8').digest();
}

/** A new random key, as `weir key create` and the local stack's dev key make them. */
export function generateKeySecret(prefix = 'wk'): string {
  return `${prefix}_${crypto.randomBytes(24).toString('base64url')}`;
}

const DEFAULT_RATE = 1_000; // events/s per key, when the config does not say
const BEARER = /^Bearer\s+([\x21-\x7e]{8,512})$/;

export class WriteKeys {
  readonly #keys: readonly WriteKey[];

  constructor(keys: readonly WriteKey[]) {
    const ids = new Set<string>();
    for (const key of keys) {
      if (ids.has(key.id)) throw new WeirError('CONFIG_INVALID', `write key id "${key.id}" appears twice`);
      ids.add(key.id);
    }
    this.#keys = keys;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** Checks an `Authorization` header. Constant time in the key, whichever key matches. */
  authenticate(header: string | undefined): Authentication {
    if (header === undefined || header === '') return { ok: false, reason: 'missing' };
    const match = BEARER.exec(header.trim());
    if (!match?.[1]) return { ok: false, reason: 'malformed' };
    const presented = hashKey(match[1]);
    let found: WriteKey | undefined;
    for (const key of this.#keys) {
      if (crypto.timingSafeEqual(presented, key.hash) && found === undefined) found = key;
    }
    return found === undefined ? { ok: false, reason: 'unknown' } : { ok: true, key: found };
  }
}

export function mayWrite(key: WriteKey, type: string): boolean {
  return key.types === '*' || key.types.has(type);
}

/** A key for local development that may write and read every type. */
export function devKey(secret: string): WriteKey {
  return { id: 'dev', hash: hashKey(secret), types: '*', eventsPerSecond: 100_000, burst: 200_000 };
}

/** Parses the JSON key list; every problem names the entry and field. */
export function parseWriteKeys(json: string, source: string): WriteKey[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new WeirError('CONFIG_INVALID', `${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new WeirError('CONFIG_INVALID', `${source} must be a JSON array of write keys`);
  return raw.map((entry: unknown, i) => {
    const at = `${source}[${i}]`;
    if (entry === null || typeof entry !== 'object') throw new WeirError('CONFIG_INVALID', `${at} must be an object`);
    const e = entry as Record<string, unknown>;
    if (typeof e.id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(e.id)) {
      throw new WeirError('CONFIG_INVALID', `${at}.id must be 1-64 letters, digits, '_', '.' or '-'`);
    }
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) {
      throw new WeirError('CONFIG_INVALID', `${at}.sha256 must be the key's SHA-256 as 64 lowercase hex digits (printf %s KEY | sha256sum)`);
    }
    let types: WriteKey['types'];
    if (e.types === '*') types = '*';
    else if (Array.isArray(e.types) && e.types.every((t) => typeof t === 'string' && /^[a-z][a-z0-9_]*$/.test(t))) types = new Set(e.types as string[]);
    else throw new WeirError('CONFIG_INVALID', `${at}.types must be "*" or an array of event type names`);
    const rate = e.eventsPerSecond ?? DEFAULT_RATE;
    if (typeof rate !== 'number' || !(rate > 0)) throw new WeirError('CONFIG_INVALID', `${at}.eventsPerSecond must be a positive number`);
    const burst = e.burst ?? rate * 2;
    if (typeof burst !== 'number' || !(burst >= 1)) throw new WeirError('CONFIG_INVALID', `${at}.burst must be a number of at least 1`);
    return { id: e.id, hash: Buffer.from(e.sha256, 'hex'), types, eventsPerSecond: rate, burst };
  });
}

export interface KeySources {
  /** The keys' JSON, and the variable it came from. */
  readonly inline?: { readonly value: string | undefined; readonly variable: string };
  readonly file?: { readonly value: string | undefined; readonly variable: string };
  readonly devKey?: string | undefined;
  /** Who refuses to run without keys: "the gateway has no write keys". */
  readonly noneMessage: string;
}

/** Keys from a JSON variable or a file (not both), plus the dev key; refuses to run with none. */
export function resolveKeys(sources: KeySources): WriteKey[] {
  const { inline, file } = sources;
  if (inline?.value !== undefined && file?.value !== undefined) {
    throw new WeirError('CONFIG_INVALID', `set ${inline.variable} or ${file.variable}, not both`);
  }
  const keys: WriteKey[] = [];
  if (inline?.value !== undefined) keys.push(...parseWriteKeys(inline.value, inline.variable));
  if (file?.value !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file.value, 'utf8');
    } catch (error) {
      throw new WeirError('CONFIG_INVALID', `${file.variable}=${file.value} cannot be read: ${(error as Error).message}`);
    }
    keys.push(...parseWriteKeys(text, file.value));
  }
  if (sources.devKey !== undefined) keys.push(devKey(sources.devKey));
  if (keys.length === 0) throw new WeirError('CONFIG_INVALID', sources.noneMessage);
  return keys;
}
