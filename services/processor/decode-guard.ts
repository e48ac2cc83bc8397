/**
 * A structural check of Avro bytes against their writer schema, run before avsc decodes them.
 *
 * avsc trusts the block counts of arrays and maps: it loops `count` times even when the buffer
 * ended long before (a map declaring 2^31 entries spins for minutes; an array declaring 2^31 items
 * grows a JS array until V8 aborts the process, which no try/catch survives), and its skip path
 * moves backwards on a negative block size (a loop that never ends). Strings, bytes and fixed are
 * bounds-checked by avsc before it allocates, so schemas without arrays or maps get no guard.
 *
 * The check walks the bytes the way the Avro spec lays them out, without building values:
 * varints of at most 5 (int) or 10 (long) bytes; lengths, sizes and counts not negative and
 * within the bytes left (a block of n items needs n times the smallest encoding of an item);
 * union and enum indexes in range; a block's declared byte size equal to what its items take.
 * Items that take no bytes (null, an empty record) are allowed up to ZERO_WIDTH_ITEMS per record,
 * and nesting up to MAX_DEPTH. Its work is linear in the bytes plus those allowances.
 */
import type avro from 'avsc';

/** Why the bytes cannot be decoded safely, or undefined when avsc may decode them. */
export type DecodeGuard = (body: Buffer) => string | undefined;

/** Items of zero encoded size (array of null, map of empty records) allowed in one record. */
export const ZERO_WIDTH_ITEMS = 65_536;
/** Nesting of arrays, maps, unions and records the check follows. */
export const MAX_DEPTH = 512;

interface Cursor {
  buf: Buffer;
  pos: number;
  zeroWidthLeft: number;
  depth: number;
  problem: string | undefined;
}

type Step = (c: Cursor) => boolean;

/** A guard for the schema, or undefined when avsc is safe on any bytes of it (no arrays or maps). */
export function compileDecodeGuard(type: avro.Type): DecodeGuard | undefined {
  if (!hasBlocks(type, new Set())) return undefined;
  const step = new GuardCompiler().step(type);
  return (body) => {
    const cursor: Cursor = { buf: body, pos: 0, zeroWidthLeft: ZERO_WIDTH_ITEMS, depth: 0, problem: undefined };
    return step(cursor) ? undefined : (cursor.problem ?? `invalid bytes at offset ${cursor.pos}`);
  };
}

const fail = (c: Cursor, problem: string): false => {
  c.problem ??= `${problem} (at byte ${c.pos})`;
  return false;
};

/** Reads a zigzag varint of at most maxBytes bytes; NaN (with a problem set) when it is overlong or cut. */
function readVarint(c: Cursor, maxBytes: number): number {
  const { buf } = c;
  let value = 0;
  let scale = 1;
  for (let i = 0; i < maxBytes; i++) {
    const b = buf[c.pos];
    if (b === undefined) {
      fail(c, 'the bytes end inside a varint');
      return Number.NaN;
    }
    c.pos++;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    scale *= 128;
  }
  fail(c, `a varint runs past ${maxBytes} bytes`);
  return Number.NaN;
}

function typeNameOf(type: avro.Type): string {
  return type.typeName.startsWith('union:') ? 'union' : type.typeName;
}

type Inner = avro.Type & {
  readonly fields?: readonly { readonly type: avro.Type }[];
  readonly types?: readonly avro.Type[];
  readonly symbols?: readonly string[];
  readonly size?: number;
  readonly itemsType?: avro.Type;
  readonly valuesType?: avro.Type;
  readonly underlyingType?: avro.Type;
};

function children(type: Inner): avro.Type[] {
  if (type.underlyingType !== undefined) return [type.underlyingType];
  return [...(type.fields?.map((f) => f.type) ?? []), ...(type.types ?? []), ...[type.itemsType, type.valuesType].filter((t) => t !== undefined)];
}

function hasBlocks(type: Inner, seen: Set<avro.Type>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  const name = typeNameOf(type);
  return name === 'array' || name === 'map' || children(type).some((t) => hasBlocks(t, seen));
}

class GuardCompiler {
  readonly #steps = new Map<avro.Type, Step>();
  readonly #minBytes = new Map<avro.Type, number>();

  step(type: Inner): Step {
    const known = this.#steps.get(type);
    if (known !== undefined) return known;
    let compiled: Step | undefined;
    // Recursive schemas refer to a type while it is compiled: go through this indirection.
    this.#steps.set(type, (c) => (compiled as Step)(c));
    compiled = this.#compile(type);
    this.#steps.set(type, compiled);
    return compiled;
  }

  /** A lower bound of the bytes any value of the type takes (0 inside a recursion). */
  minBytes(type: Inner): number {
    const known = this.#minBytes.get(type);
    if (known !== undefined) return known;
    this.#minBytes.set(type, 0);
    const name = typeNameOf(type);
    const child = children(type);
    let min: number;
    if (type.underlyingType !== undefined) min = this.minBytes(type.underlyingType);
    else if (name === 'boolean' || name === 'int' || name === 'long' || name === 'enum' || name === 'string' || name === 'bytes' || name === 'array' || name === 'map') min = 1;
    else if (name === 'float') min = 4;
    else if (name === 'double') min = 8;
    else if (name === 'fixed') min = type.size ?? 0;
    else if (name === 'union') min = 1 + Math.min(...child.map((t) => this.minBytes(t)));
    else if (name === 'record' || name === 'error') min = child.reduce((sum, t) => sum + this.minBytes(t), 0);
    else min = 0;
    this.#minBytes.set(type, min);
    return min;
  }

  #compile(type: Inner): Step {
    if (type.underlyingType !== undefined) return this.step(type.underlyingType);
    const name = typeNameOf(type);
    switch (name) {
      case 'null':
        return () => true;
      case 'boolean':
        return (c) => (c.pos < c.buf.length ? (c.pos++, true) : fail(c, 'the bytes end inside a boolean'));
      case 'int':
        return (c) => !Number.isNaN(readVarint(c, 5));
      case 'long':
        return (c) => !Number.isNaN(readVarint(c, 10));
      case 'float':
      case 'double': {
        const size = name === 'float' ? 4 : 8;
        return (c) => (c.pos + size <= c.buf.length ? ((c.pos += size), true) : fail(c, `the bytes end inside a ${name}`));
      }
      case 'fixed': {
        const size = type.size ?? 0;
        return (c) => (c.pos + size <= c.buf.length ? ((c.pos += size), true) : fail(c, `the bytes end inside a fixed of ${size} bytes`));
      }
      case 'string':
      case 'bytes':
        return (c) => {
          const length = readVarint(c, 10);
          if (Number.isNaN(length)) return false;
          if (length < 0) return fail(c, `a ${name} declares a negative length (${length})`);
          if (length > c.buf.length - c.pos) return fail(c, `a ${name} declares ${length} bytes but ${c.buf.length - c.pos} are left`);
          c.pos += length;
          return true;
        };
      case 'enum': {
        const count = type.symbols?.length ?? 0;
        return (c) => {
          const index = readVarint(c, 5);
          if (Number.isNaN(index)) return false;
          return index >= 0 && index < count ? true : fail(c, `enum index ${index} is not one of the ${count} symbols`);
        };
      }
      case 'union': {
        const branches = (type.types ?? []).map((t) => this.step(t));
        return (c) => {
          const index = readVarint(c, 10);
          if (Number.isNaN(index)) return false;
          const branch = branches[index];
          if (branch === undefined) return fail(c, `union index ${index} is not one of the ${branches.length} branches`);
          return nested(c, branch);
        };
      }
      case 'record':
      case 'error': {
        const fields = (type.fields ?? []).map((f) => this.step(f.type));
        return (c) => nested(c, (inner) => fields.every((field) => field(inner)));
      }
      case 'array':
      case 'map': {
        const item = type.itemsType ?? type.valuesType;
        if (item === undefined) return (c) => fail(c, `the ${name} has no item type`);
        const itemStep = this.step(item);
        const entry: Step = name === 'map' ? (c) => STRING_STEP(c) && itemStep(c) : itemStep;
        const entryMin = this.minBytes(item) + (name === 'map' ? 1 : 0);
        return (c) => nested(c, (inner) => blocks(inner, name, entry, entryMin));
      }
      default:
        return (c) => fail(c, `the check does not know the Avro type ${name}`);
    }
  }
}

const STRING_STEP: Step = (c) => {
  const length = readVarint(c, 10);
  if (Number.isNaN(length)) return false;
  if (length < 0) return fail(c, `a map key declares a negative length (${length})`);
  if (length > c.buf.length - c.pos) return fail(c, `a map key declares ${length} bytes but ${c.buf.length - c.pos} are left`);
  c.pos += length;
  return true;
};

function nested(c: Cursor, step: Step): boolean {
  if (++c.depth > MAX_DEPTH) return fail(c, `the value nests deeper than ${MAX_DEPTH} levels`);
  const ok = step(c);
  c.depth--;
  return ok;
}

/** Array and map blocks: a count, and for a negative count the block's byte size; a 0 count ends. */
function blocks(c: Cursor, name: string, entry: Step, entryMin: number): boolean {
  for (;;) {
    let count = readVarint(c, 10);
    if (Number.isNaN(count)) return false;
    if (count === 0) return true;
    let declaredSize = -1;
    if (count < 0) {
      count = -count;
      declaredSize = readVarint(c, 10);
      if (Number.isNaN(declaredSize)) return false;
      if (declaredSize < 0) return fail(c, `the ${name} block declares a negative byte size (${declaredSize})`);
    }
    const left = c.buf.length - c.pos;
    if (entryMin > 0 ? count > left / entryMin : count > c.zeroWidthLeft) {
      return fail(c, `the ${name} block declares ${count} items but ${left} bytes are left`);
    }
    if (entryMin === 0) c.zeroWidthLeft -= count;
    const start = c.pos;
    for (let i = 0; i < count; i++) if (!entry(c)) return false;
    if (declaredSize >= 0 && c.pos - start !== declaredSize) {
      return fail(c, `the ${name} block declares ${declaredSize} bytes but its items take ${c.pos - start}`);
    }
  }
}
