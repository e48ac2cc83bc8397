import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileEventValidator } from '../../../../services/gateway/validation/compile.ts';
import { fromTwosComplement } from '../../../../services/gateway/validation/decimal.ts';
import { errorsOf, type JsonRecord, summary, valueOf } from './fixtures.ts';

function one(type: unknown, extra: Partial<JsonRecord['fields'][number]> = {}) {
  const schema: JsonRecord = { type: 'record', name: 'One', fields: [{ name: 'v', type, ...extra }] };
  const avroType = avro.Type.forSchema(schema as avro.Schema);
  const validate = compileEventValidator(schema);
  return {
    /** The validated value of v, after checking that avsc encodes it and reads it back the same. */
    ok(sent: unknown): unknown {
      const value = valueOf(validate({ v: sent }));
      expect(avroType.isValid(value)).toBe(true);
      const buffer = avroType.toBuffer(value);
      expect(avroType.toBuffer(avroType.fromBuffer(buffer)).equals(buffer)).toBe(true);
      return value['v'];
    },
    errors: (sent: unknown) => summary(errorsOf(validate({ v: sent }))),
    messages: (sent: unknown) => errorsOf(validate({ v: sent })).map((e) => e.message),
  };
}

describe('unions', () => {
  it('["null", T] takes null or a bare T, never a {"string": ...} wrapper', () => {
    const u = one(['null', 'string'], { default: null });
    expect(u.ok(null)).toBeNull();
    expect(u.ok('x')).toBe('x');
    expect(u.errors({ string: 'x' })).toEqual(['/v wrong_type']);
    expect(u.messages(5)).toEqual(['expected null or string, got number 5']);
  });

  it('prefers a branch that takes the value as it is over one that converts it', () => {
    expect(one(['null', 'long', 'string']).ok('123')).toBe('123');
    expect(one(['null', 'long']).ok('123')).toBe(123);
    expect(one(['null', 'string', { type: 'long', logicalType: 'timestamp-millis' }]).ok('2026-11-24T10:00:00Z')).toBe('2026-11-24T10:00:00Z');
    expect(one(['null', { type: 'long', logicalType: 'timestamp-millis' }]).ok('2026-11-24T10:00:00Z')).toBe(Date.UTC(2026, 10, 24, 10));
  });

  it('passes through the nested errors of the only branch that could take the value', () => {
    const inner = { type: 'record', name: 'Inner', fields: [{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }] };
    expect(one(['null', inner]).errors({ a: 'x' })).toEqual(['/v/a wrong_type', '/v/b missing_field']);
  });

  it('picks the first branch that validates among several of one JSON kind (avsc wraps such unions)', () => {
    const u = one(['int', 'long', 'double']);
    expect(u.ok(5)).toEqual({ int: 5 });
    expect(u.ok(2 ** 40)).toEqual({ long: 2 ** 40 });
    expect(u.ok(1.5)).toEqual({ double: 1.5 });
    const enumOrText = one([{ type: 'enum', name: 'Mode', symbols: ['ON', 'OFF'] }, 'string']);
    expect(enumOrText.ok('ON')).toEqual({ Mode: 'ON' });
    expect(enumOrText.ok('dim')).toEqual({ string: 'dim' });
  });

  it('says why no branch fits when several were tried', () => {
    const u = one(['int', { type: 'enum', name: 'Small', symbols: ['A'] }, 'float']);
    expect(u.errors(1e300)).toEqual(['/v wrong_type']);
    expect(u.messages(1e300)[0]).toMatch(/expected one of int, Small, float, got number 1e\+300 that fits none \(as int: .*; as float: .*\)/);
  });
});

describe('timestamps and dates', () => {
  const millis = one({ type: 'long', logicalType: 'timestamp-millis' });
  const micros = one({ type: 'long', logicalType: 'timestamp-micros' });
  const date = one({ type: 'int', logicalType: 'date' });

  it('takes epoch numbers, digit strings and RFC 3339 strings, agreeing with Date for valid ones', () => {
    expect(millis.ok(1_764_000_000_000)).toBe(1_764_000_000_000);
    expect(millis.ok('1764000000000')).toBe(1_764_000_000_000);
    // Independent oracle: Date.parse reads these ISO forms exactly.
    for (const text of ['2026-11-24T10:00:00Z', '2026-11-24T11:30:00.250+01:30', '1969-12-31T23:59:59.999Z', '0050-03-01T00:00:00-00:00', '2024-02-29T23:59:59Z']) {
      expect(millis.ok(text)).toBe(Date.parse(text));
    }
  });

  it('agrees with Date.toISOString on random instants from year 0 to 9999', () => {
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const ms = Math.floor((seed / 2 ** 31) * 315_537_897_599_999) - 62_167_219_200_000;
      expect(millis.ok(new Date(ms).toISOString())).toBe(ms);
      expect(date.ok(new Date(ms).toISOString().slice(0, 10))).toBe(Math.floor(ms / 86_400_000));
    }
  });

  it('keeps microseconds and truncates finer fractions', () => {
    expect(micros.ok('2026-11-24T10:00:00.123456789Z')).toBe(Date.UTC(2026, 10, 24, 10) * 1000 + 123_456);
    expect(millis.ok('2026-11-24T10:00:00.1239Z')).toBe(Date.UTC(2026, 10, 24, 10) + 123);
  });

  it.each(['2026-11-24', '2026-11-24T10:00:00', '2026-11-24T24:00:00Z', '2026-02-29T00:00:00Z', '2026-11-24T10:00:60Z', '2026-11-24T10:00:00+24:00', 'Nov 24 2026', '1.5'])(
    'refuses timestamp %j as invalid_format',
    (text) => {
      expect(millis.errors(text)).toEqual(['/v invalid_format']);
    },
  );

  it('refuses a micros timestamp beyond the exact long range', () => {
    expect(micros.errors('9999-12-31T23:59:59Z')).toEqual(['/v out_of_range']);
  });

  it('dates: days or YYYY-MM-DD', () => {
    expect(date.ok('1970-01-02')).toBe(1);
    expect(date.ok(-1)).toBe(-1);
    expect(date.errors('2026-11-31')).toEqual(['/v invalid_format']);
    expect(date.errors(true)).toEqual(['/v wrong_type']);
  });
});

describe('uuid', () => {
  it('checks the format and stores lowercase', () => {
    const u = one({ type: 'string', logicalType: 'uuid' });
    const id = crypto.randomUUID();
    expect(u.ok(id.toUpperCase())).toBe(id);
    expect(u.errors(id.replaceAll('-', ''))).toEqual(['/v invalid_format']);
    expect(u.errors(`${id}0`)).toEqual(['/v invalid_format']);
  });

  it('on a 16-byte fixed, takes the text form and stores the bytes', () => {
    const u = one({ type: 'fixed', name: 'Uuid', size: 16, logicalType: 'uuid' });
    const id = crypto.randomUUID();
    expect((u.ok(id) as Buffer).toString('hex')).toBe(id.replaceAll('-', ''));
  });

  it('ignores a logical type on the wrong underlying type, as the spec says', () => {
    expect(one({ type: 'int', logicalType: 'uuid' }).ok(5)).toBe(5);
    expect(one({ type: 'bytes', logicalType: 'decimal', precision: 0 }).ok('AQ==')).toEqual(Buffer.from([1]));
  });
});

describe('decimal', () => {
  const money = one({ type: 'bytes', logicalType: 'decimal', precision: 8, scale: 2 });
  const unscaled = (sent: unknown): bigint => fromTwosComplement(money.ok(sent) as Buffer);

  it.each([
    ['12.34', 1234n],
    [12.34, 1234n],
    ['-0.5', -50n],
    ['7', 700n],
    ['1.230', 123n],
    ['1.5e2', 15_000n],
    ['-1E-2', -1n],
    [0, 0n],
    ['-0.00', 0n],
    ['999999.99', 99_999_999n],
  ])('%j is %s x 10^-2', (sent, expected) => {
    expect(unscaled(sent)).toBe(expected);
  });

  it('refuses more places than the scale, more digits than the precision, and non-decimals', () => {
    expect(money.errors('1.234')).toEqual(['/v invalid_format']);
    expect(money.errors('1000000')).toEqual(['/v out_of_range']);
    expect(money.errors('1e999999999999')).toEqual(['/v out_of_range']);
    expect(money.errors('0x10')).toEqual(['/v invalid_format']);
    expect(money.errors('NaN')).toEqual(['/v invalid_format']);
    expect(money.errors(true)).toEqual(['/v wrong_type']);
    expect(money.messages('1.234')[0]).toContain('at most 2 decimal place(s)');
  });

  it('asks for a string when a JSON number may already have lost digits', () => {
    const wide = one({ type: 'bytes', logicalType: 'decimal', precision: 30, scale: 2 });
    expect(wide.errors(1234567890123456.7)).toEqual(['/v invalid_format']);
    expect(fromTwosComplement(wide.ok('1234567890123456789012345.67') as Buffer)).toBe(123456789012345678901234567n);
  });

  it('on fixed, sign-extends to the size and refuses what does not fit', () => {
    const fixed = one({ type: 'fixed', name: 'D2', size: 2, logicalType: 'decimal', precision: 5, scale: 0 });
    expect((fixed.ok(-1) as Buffer).toString('hex')).toBe('ffff');
    expect((fixed.ok('32767') as Buffer).toString('hex')).toBe('7fff');
    expect(fixed.errors('32768')).toEqual(['/v out_of_range']);
    expect((fixed.ok('-32768') as Buffer).toString('hex')).toBe('8000');
  });
});
