/** The decode guard on golden bytes: what it refuses before avsc runs, and what it lets through. */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileDecodeGuard, MAX_DEPTH, ZERO_WIDTH_ITEMS } from '../../../services/processor/decode-guard.ts';
import { varint } from './avro-fuzz-payloads.ts';

const guardOf = (schema: unknown) => {
  const type = avro.Type.forSchema(schema as avro.Schema);
  const guard = compileDecodeGuard(type);
  if (guard === undefined) throw new Error('no guard');
  return { type, guard };
};

describe('compileDecodeGuard', () => {
  it('needs no guard for schemas without arrays or maps', () => {
    expect(compileDecodeGuard(avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 's', type: ['null', 'string'] }] }))).toBeUndefined();
  });

  it('passes what avsc wrote, blocks with byte sizes included', () => {
    const { type, guard } = guardOf({ type: 'record', name: 'R', fields: [{ name: 'a', type: { type: 'array', items: 'long' } }, { name: 'm', type: { type: 'map', values: 'double' } }] });
    expect(guard(type.toBuffer({ a: [1, -2, 2 ** 40], m: { x: 1.5 } }))).toBeUndefined();
    // One block of 2 longs, declared as -2 items of 2 bytes, then the end.
    expect(guard(Buffer.from([...varint(-2n), ...varint(2n), 2, 4, 0, 0]))).toBeUndefined();
    expect(guard(Buffer.from([...varint(-2n), ...varint(3n), 2, 4, 0, 0]))).toMatch(/declares 3 bytes but its items take 2/);
  });

  it('refuses counts beyond the bytes left, negative sizes and lengths, overlong varints and bad indexes', () => {
    const { guard } = guardOf({ type: 'array', items: { type: 'record', name: 'I', fields: [{ name: 'u', type: ['null', 'string'] }, { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }] } });
    expect(guard(Buffer.from([...varint(2n), 0, 0, 2, 0, 2, 0]))).toBeUndefined();
    expect(guard(Buffer.from([...varint(4n), 0, 0, 0, 0, 0]))).toMatch(/declares 4 items but 5 bytes are left/);
    expect(guard(Buffer.from([...varint(-1n), ...varint(-5n), 0, 0, 0]))).toMatch(/negative byte size/);
    expect(guard(Buffer.from([...varint(1n), 2, ...varint(-1n), 0, 0]))).toMatch(/negative length/);
    expect(guard(Buffer.from([...varint(1n), 2, ...varint(2n ** 62n), 0]))).toMatch(/a string declares \d+ bytes but \d+ are left/);
    expect(guard(Buffer.from([...varint(1n), ...Array<number>(11).fill(0xff), 1, 0, 0]))).toMatch(/varint runs past 10 bytes/);
    expect(guard(Buffer.from([...varint(1n), 4, 0, 0]))).toMatch(/union index 2/);
    expect(guard(Buffer.from([...varint(1n), 0, 4, 0]))).toMatch(/enum index 2/);
    expect(guard(Buffer.from([...varint(1n), 0, 0x80, 0x80]))).toMatch(/end inside a varint/);
  });

  it('bounds items that take no bytes, and nesting', () => {
    const nulls = guardOf({ type: 'array', items: 'null' }).guard;
    expect(nulls(Buffer.from([...varint(BigInt(ZERO_WIDTH_ITEMS)), 0]))).toBeUndefined();
    expect(nulls(Buffer.from([...varint(2n ** 31n), 0]))).toMatch(/declares 2147483648 items/);
    const { type, guard } = guardOf({ type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }, { name: 'tags', type: { type: 'array', items: 'int' } }] });
    const deep = (levels: number) => Buffer.from([...Array<number>(levels).fill(2), 0, ...Array<number>(levels + 1).fill(0)]); // `next` set levels times, then each node's empty tags;
    expect(guard(deep(10))).toBeUndefined();
    expect(type.fromBuffer(deep(10))).toBeDefined();
    expect(guard(deep(MAX_DEPTH))).toMatch(/nests deeper than/);
  });
});
