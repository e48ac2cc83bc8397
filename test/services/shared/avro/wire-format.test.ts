import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  FrameError,
  type FrameErrorCode,
} from '../../../../services/shared/avro/wire-format.ts';

const hex = (s: string): Buffer => Buffer.from(s.replaceAll(' ', ''), 'hex');

function frameErrorOf(fn: () => unknown): FrameError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw error;
  }
  throw new Error('expected a FrameError');
}

describe('encodeFrame', () => {
  it('writes magic byte 0, the id big-endian, then the body', () => {
    expect(encodeFrame(42, hex('08 77 65 69 72 06')).toString('hex')).toBe('000000002a087765697206');
    expect(encodeFrame(0x01020304, hex('ff')).toString('hex')).toBe('0001020304ff');
  });

  it('frames the Avro body avsc produces for a record, byte for byte', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'Probe',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'n', type: 'int' },
      ],
    });
    // "weir" = zigzag length 4 (0x08) + 4 ASCII bytes; int 3 = zigzag 0x06.
    expect(encodeFrame(7, type.toBuffer({ name: 'weir', n: 3 })).toString('hex')).toBe('0000000007087765697206');
  });

  it('treats the id as unsigned: the largest id sets every header bit', () => {
    expect(encodeFrame(0xffff_ffff, Buffer.alloc(0)).toString('hex')).toBe('00ffffffff');
  });

  it.each([-1, 1.5, 2 ** 32, Number.NaN])('rejects id %s', (id) => {
    const error = frameErrorOf(() => encodeFrame(id, Buffer.alloc(0)));
    expect(error.code).toBe('FRAME_BAD_SCHEMA_ID');
    expect(error.message).toContain(String(id));
  });
});

describe('decodeFrame', () => {
  it('reads the id and returns the rest as the body', () => {
    const { schemaId, body } = decodeFrame(hex('00 00 00 00 2a 08 77 65 69 72 06'));
    expect(schemaId).toBe(42);
    expect(body.toString('hex')).toBe('087765697206');
  });

  it('reads ids above 2^31 as unsigned', () => {
    expect(decodeFrame(hex('00 80 00 00 01')).schemaId).toBe(0x8000_0001);
  });

  it('accepts an empty body (a record without fields encodes to nothing)', () => {
    const { schemaId, body } = decodeFrame(hex('00 00 00 00 01'));
    expect(schemaId).toBe(1);
    expect(body.length).toBe(0);
  });

  it('decodes a plain Uint8Array and a Buffer slice at an offset', () => {
    expect(decodeFrame(new Uint8Array([0, 0, 0, 1, 0, 9])).schemaId).toBe(256);
    const backing = hex('ff ff 00 00 00 00 05 aa');
    const { schemaId, body } = decodeFrame(backing.subarray(2));
    expect(schemaId).toBe(5);
    expect(body.toString('hex')).toBe('aa');
  });

  it('round-trips with encodeFrame', () => {
    const body = hex('01 02 03');
    const decoded = decodeFrame(encodeFrame(123_456, body));
    expect(decoded.schemaId).toBe(123_456);
    expect(decoded.body.equals(body)).toBe(true);
  });

  it.each<[string, FrameErrorCode, string]>([
    ['', 'FRAME_TOO_SHORT', '0 byte(s)'],
    ['00 00 00 01', 'FRAME_TOO_SHORT', '4 byte(s)'],
    ['01 00 00 00 01 02', 'FRAME_BAD_MAGIC', '0x01'],
    ['7b 22 61 22 3a', 'FRAME_BAD_MAGIC', '0x7b'],
  ])('rejects %j with %s', (input, code, mentions) => {
    const error = frameErrorOf(() => decodeFrame(hex(input)));
    expect(error.code).toBe(code);
    expect(error.retriable).toBe(false);
    expect(error.message).toContain(mentions);
  });
});
