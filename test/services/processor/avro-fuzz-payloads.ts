/**
 * A seeded generator of hostile raw values for the starter event types (schemas/events/*.avsc):
 * valid framed events, the same mutated (bit flips, truncation, appended bytes, runs of 0xff or
 * 0x80), and crafted ones that a decoder must refuse: lengths and counts near 2^31 and 2^63,
 * negative lengths and block sizes, union and enum indexes out of range, varints over 10 bytes,
 * bad magic bytes, short frames and unknown schema ids. Same seed, same payloads.
 */
import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { seededRandom } from '../../harness/seeded-random.ts';

export { seededRandom };

export const STARTER_TYPES = ['page_view', 'purchase', 'api_request'] as const;
export type StarterType = (typeof STARTER_TYPES)[number];

export const UNKNOWN_SCHEMA_ID = 4_040_404;

export interface FuzzSchemas {
  /** Schema text by registry id, for a fake writer-schema lookup. */
  readonly texts: ReadonlyMap<number, string>;
  /** The id the type's events are written with (the starter schema as is). */
  readonly idOf: Readonly<Record<StarterType, number>>;
  /** Writer schemas of each type, with their id: the starter schema, and an evolved one with an array, a map and a fixed the reader skips. */
  readonly writers: Readonly<Record<StarterType, readonly { id: number; type: avro.Type }[]>>;
}

/**
 * `expect`: what processRecord must say. `decode` payloads are refused before the pipeline sees
 * them (reason undecodable, or unknown_schema_id); `any` payloads may still decode and then pass
 * or fail the pipeline like any event.
 */
export interface FuzzPayload {
  readonly kind: string;
  readonly value: Buffer | null;
  readonly expect: 'undecodable' | 'unknown_schema_id' | 'any';
}

const EXTRA_FIELDS = [
  { name: 'fuzz_tags', type: { type: 'array', items: 'string' }, default: [] },
  { name: 'fuzz_blobs', type: { type: 'map', values: 'bytes' }, default: {} },
  { name: 'fuzz_pad', type: { type: 'fixed', name: 'FuzzPad', size: 4 }, default: '\u0000\u0000\u0000\u0000' },
];

export function fuzzSchemas(eventsDir: string): FuzzSchemas {
  const texts = new Map<number, string>();
  const idOf = {} as Record<StarterType, number>;
  const writers = {} as Record<StarterType, { id: number; type: avro.Type }[]>;
  STARTER_TYPES.forEach((name, i) => {
    const text = fs.readFileSync(path.join(eventsDir, `${name}.avsc`), 'utf8');
    const schema = JSON.parse(text) as { fields: unknown[] };
    const evolved = JSON.stringify({ ...schema, fields: [...schema.fields, ...EXTRA_FIELDS] });
    idOf[name] = 100 + i;
    texts.set(100 + i, text);
    texts.set(200 + i, evolved);
    writers[name] = [
      { id: 100 + i, type: avro.Type.forSchema(schema as avro.Schema) },
      { id: 200 + i, type: avro.Type.forSchema(JSON.parse(evolved) as avro.Schema) },
    ];
  });
  return { texts, idOf, writers };
}

/** The Avro zigzag varint of n (any 64-bit signed value). */
export function varint(n: bigint): number[] {
  let z = n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
  const out: number[] = [];
  do {
    let b = Number(z & 0x7fn);
    z >>= 7n;
    if (z !== 0n) b |= 0x80;
    out.push(b);
  } while (z !== 0n);
  return out;
}

const HUGE: readonly bigint[] = [2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 62n, 2n ** 63n - 1n, 1_000_000n];
const NEGATIVE: readonly bigint[] = [-1n, -2n, -(2n ** 31n), -(2n ** 63n)];
const OVERLONG: readonly number[][] = [[...Array<number>(11).fill(0xff), 0x01], [...Array<number>(20).fill(0x80), 0x00], Array<number>(64).fill(0xff)];

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const int = (rng: Rng, below: number) => Math.floor(rng() * below);
const str = (rng: Rng, max: number) => Array.from({ length: int(rng, max) }, () => String.fromCharCode(32 + int(rng, 95))).join('');

/** A valid event of the type that the shipped pipeline accepts (until a mutation says otherwise). */
export function validEvent(type: StarterType, rng: Rng, id: string, now: number): Record<string, unknown> {
  const properties = Object.fromEntries(Array.from({ length: int(rng, 4) }, (_, i) => [`k${i}${str(rng, 6)}`, str(rng, 20)]));
  const maybe = (value: string) => (rng() < 0.5 ? null : value);
  const time = now - int(rng, 3_600_000);
  if (type === 'page_view') {
    return {
      event_id: id, event_time: time, url: `https://h${int(rng, 99)}.example/p/${int(rng, 1e6)}?q=${int(rng, 9)}`, referrer: maybe('https://ref.example/x'),
      title: maybe(str(rng, 30)), user_id: maybe(`u-${int(rng, 1e6)}`), anonymous_id: `a-${int(rng, 1e6)}`, session_id: `s-${int(rng, 1e6)}`,
      device_type: pick(rng, ['DESKTOP', 'MOBILE', 'TABLET', 'TV', 'BOT', 'UNKNOWN']), user_agent: maybe(str(rng, 40)), properties,
    };
  }
  if (type === 'purchase') {
    return {
      event_id: id, event_time: time, order_id: `o-${int(rng, 1e6)}`, user_id: maybe('u-1'), session_id: maybe('s-1'), amount_minor: int(rng, 1e6),
      tax_minor: int(rng, 1e3), currency: pick(rng, ['USD', 'EUR', 'JPY', 'KWD']), items_count: 1 + int(rng, 20), payment_method: pick(rng, ['CARD', 'WALLET', 'OTHER']),
      coupon_code: maybe(` ${str(rng, 8)} `), properties,
    };
  }
  return {
    event_id: id, event_time: time, service: ` svc-${int(rng, 9)} `, method: pick(rng, ['GET', 'POST', 'PUT', 'DELETE']), route: `/r/${int(rng, 99)}`,
    status_code: 100 + int(rng, 500), latency_ms: rng() * 1000, request_bytes: rng() < 0.5 ? null : int(rng, 1e5), response_bytes: null,
    tenant_id: maybe('t-1'), user_id: maybe('u-1'), trace_id: null, error_code: maybe('E_FUZZ'),
  };
}

type Field = { readonly name: string; readonly type: avro.Type };
type Shaped = avro.Type & { readonly fields: readonly Field[] };

/** Encoded fields of a record, one buffer each: their concatenation is the record's encoding. */
function encodedFields(type: avro.Type, record: Record<string, unknown>): { field: Field; bytes: Buffer }[] {
  return (type as Shaped).fields.map((field) => ({ field, bytes: field.type.toBuffer(record[field.name] ?? extraDefault(field.name)) }));
}

/** The record's encoding with the bytes of one field (by name) replaced, and the fields after it dropped. */
export function bodyWithField(type: avro.Type, record: Record<string, unknown>, name: string, bytes: readonly number[]): Buffer {
  const fields = encodedFields(type, record);
  const at = fields.findIndex((f) => f.field.name === name);
  if (at < 0) throw new Error(`no field ${name}`);
  return Buffer.concat([...fields.slice(0, at).map((f) => f.bytes), Buffer.from(bytes)]);
}

function extraDefault(name: string): unknown {
  if (name === 'fuzz_tags') return ['a', 'b'];
  if (name === 'fuzz_blobs') return { x: Buffer.from([1, 2]) };
  if (name === 'fuzz_pad') return Buffer.from([0, 1, 2, 3]);
  return null;
}

/** Bytes that make the field undecodable, put where the field's value starts; undefined when the field's type offers none. */
function craftedField(field: Field, rng: Rng): { kind: string; bytes: number[] } | undefined {
  const name = field.type.typeName;
  if (name === 'string' || name === 'bytes') {
    return rng() < 0.7 ? { kind: `${name}-huge-length`, bytes: varint(pick(rng, HUGE)) } : { kind: `${name}-negative-length`, bytes: varint(pick(rng, NEGATIVE)) };
  }
  if (name === 'map' || name === 'array') {
    const roll = rng();
    if (roll < 0.4) return { kind: `${name}-huge-count`, bytes: [...varint(pick(rng, HUGE)), 0, 0, 0] };
    if (roll < 0.7) return { kind: `${name}-negative-count-negative-size`, bytes: [...varint(-(pick(rng, HUGE))), ...varint(pick(rng, NEGATIVE)), 0, 0] };
    return { kind: `${name}-block-size-huge`, bytes: [...varint(-1n), ...varint(pick(rng, HUGE)), 0, 0, 0] };
  }
  if (name.startsWith('union:')) {
    const types = (field.type as avro.Type & { types: avro.Type[] }).types;
    const text = types.findIndex((t) => t.typeName === 'string');
    if (text >= 0 && rng() < 0.5) return { kind: 'union-string-huge-length', bytes: [...varint(BigInt(text)), ...varint(pick(rng, [...HUGE, ...NEGATIVE]))] };
    const branches = BigInt(types.length);
    return { kind: 'union-bad-index', bytes: varint(pick(rng, [branches, branches + 1n, -1n, 2n ** 40n, -(2n ** 62n)])) };
  }
  if (name === 'enum') {
    const symbols = BigInt((field.type as avro.Type & { symbols: unknown[] }).symbols.length);
    return { kind: 'enum-bad-index', bytes: varint(pick(rng, [symbols, symbols + 7n, -1n, 2n ** 31n])) };
  }
  return undefined;
}

export interface GeneratorOptions {
  readonly seed: number;
  readonly now: number;
  /** Share of payloads that are valid events, unmutated (default 0.1). */
  readonly validShare?: number;
}

/** An endless, seeded stream of payloads for one event type. */
export function* hostilePayloads(type: StarterType, schemas: FuzzSchemas, options: GeneratorOptions): Generator<FuzzPayload> {
  const rng = seededRandom(options.seed);
  const writers = schemas.writers[type];
  for (let n = 0; ; n++) {
    const writer = pick(rng, writers);
    const record = validEvent(type, rng, `fz-${options.seed}-${n}-${int(rng, 1e9)}`, options.now);
    const fields = encodedFields(writer.type, record);
    const body = Buffer.concat(fields.map((f) => f.bytes));
    const roll = rng();
    if (roll < (options.validShare ?? 0.1)) {
      yield { kind: 'valid', value: encodeFrame(writer.id, body), expect: 'any' };
    } else if (roll < 0.45) {
      yield mutated(rng, writer.id, body);
    } else if (roll < 0.9) {
      const at = int(rng, fields.length);
      const crafted = craftedField((fields[at] as (typeof fields)[number]).field, rng);
      if (crafted === undefined) continue;
      const tail = rng() < 0.5 ? fields.slice(at + 1).map((f) => f.bytes) : [];
      const value = encodeFrame(writer.id, Buffer.concat([...fields.slice(0, at).map((f) => f.bytes), Buffer.from(crafted.bytes), ...tail]));
      yield { kind: crafted.kind, value, expect: 'undecodable' };
    } else {
      yield framing(rng, writer.id, body);
    }
  }
}

function mutated(rng: Rng, id: number, body: Buffer): FuzzPayload {
  const roll = rng();
  const bytes = Buffer.from(body);
  if (roll < 0.35) {
    for (let flips = 1 + int(rng, 4); flips > 0; flips--) {
      const at = int(rng, bytes.length);
      bytes[at] = (bytes[at] ?? 0) ^ (1 << int(rng, 8));
    }
    return { kind: 'bit-flip', value: encodeFrame(id, bytes), expect: 'any' };
  }
  if (roll < 0.65) {
    // Every length class: empty, a byte or two, a prefix, one byte short.
    const length = pick(rng, [0, 1, 2, int(rng, bytes.length), bytes.length >> 1, bytes.length - 1]);
    return { kind: 'truncated', value: encodeFrame(id, bytes.subarray(0, length)), expect: 'undecodable' };
  }
  if (roll < 0.8) {
    const extra = Buffer.from(Array.from({ length: 1 + int(rng, 16) }, () => int(rng, 256)));
    return { kind: 'appended', value: encodeFrame(id, Buffer.concat([bytes, extra])), expect: 'undecodable' };
  }
  const at = int(rng, bytes.length);
  const run = pick(rng, OVERLONG);
  return { kind: 'overlong-varint-run', value: encodeFrame(id, Buffer.concat([bytes.subarray(0, at), Buffer.from(run), bytes.subarray(at)])), expect: 'any' };
}

function framing(rng: Rng, id: number, body: Buffer): FuzzPayload {
  const roll = rng();
  if (roll < 0.3) return { kind: 'short-frame', value: Buffer.from(Array.from({ length: int(rng, 5) }, () => int(rng, 256))), expect: 'undecodable' };
  if (roll < 0.55) {
    const value = encodeFrame(id, body);
    value[0] = 1 + int(rng, 255);
    return { kind: 'bad-magic', value, expect: 'undecodable' };
  }
  if (roll < 0.9) return { kind: 'unknown-schema-id', value: encodeFrame(pick(rng, [UNKNOWN_SCHEMA_ID, 0, 0xffff_ffff]), body), expect: 'unknown_schema_id' };
  return { kind: 'tombstone', value: null, expect: 'undecodable' };
}
