import { describe, expect, it } from 'vitest';
import { encodeDecimal, fromTwosComplement, toTwosComplement } from '../../../../services/gateway/validation/decimal.ts';

describe('toTwosComplement', () => {
  // Golden bytes: what Java's BigInteger.toByteArray() (the Avro reference implementation) writes.
  it.each([
    [0n, '00'],
    [1n, '01'],
    [127n, '7f'],
    [128n, '0080'],
    [255n, '00ff'],
    [256n, '0100'],
    [-1n, 'ff'],
    [-128n, '80'],
    [-129n, 'ff7f'],
    [-256n, 'ff00'],
    [32_767n, '7fff'],
    [-32_768n, '8000'],
    [2n ** 63n - 1n, '7fffffffffffffff'],
    [-(2n ** 63n), '8000000000000000'],
  ])('%s -> %s', (n, hex) => {
    expect(toTwosComplement(n)?.toString('hex')).toBe(hex);
    expect(fromTwosComplement(Buffer.from(hex, 'hex'))).toBe(n);
  });

  it('sign-extends to a fixed size and refuses what does not fit', () => {
    expect(toTwosComplement(-2n, 4)?.toString('hex')).toBe('fffffffe');
    expect(toTwosComplement(5n, 3)?.toString('hex')).toBe('000005');
    expect(toTwosComplement(128n, 1)).toBeUndefined();
    expect(toTwosComplement(-129n, 1)).toBeUndefined();
  });

  it('round-trips random values of every size', () => {
    let x = 0x2545f491n;
    for (let i = 0; i < 500; i++) {
      x = (x * 6_364_136_223_846_793_005n + 1_442_695_040_888_963_407n) % 2n ** 64n;
      const n = BigInt.asIntN(8 + (i % 120), x * (x >> 3n));
      const bytes = toTwosComplement(n);
      expect(bytes).toBeDefined();
      expect(fromTwosComplement(bytes ?? Buffer.alloc(0))).toBe(n);
      // Shortest form: dropping the first byte would change the value.
      if (bytes !== undefined && bytes.length > 1) expect(fromTwosComplement(bytes.subarray(1))).not.toBe(n);
    }
  });
});

describe('encodeDecimal', () => {
  const spec = { precision: 4, scale: 2, fixedSize: undefined };

  it('never throws on odd input', () => {
    for (const sent of [Number.NaN, Infinity, -Infinity, '', '.', '-', '1.', '.5', '+', '1e', '١٢', {}, [], null, undefined, 10n]) {
      const outcome = encodeDecimal(sent, spec);
      expect(outcome.ok).toBe(false);
    }
  });

  it('takes a leading + and leading zeros', () => {
    const outcome = encodeDecimal('+007.10', spec);
    expect(outcome.ok && fromTwosComplement(outcome.bytes)).toBe(710n);
  });
});
