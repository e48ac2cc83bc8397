import { describe, expect, it } from 'vitest';
import { xxhash64, xxhash64Hex } from '../../../../services/aggregator/sketches/xxhash64.ts';

// Golden values from ClickHouse 25 (chdb): SELECT hex(xxHash64(s)), which drops leading zero bytes.
const GOLDEN: readonly (readonly [string, string])[] = [
  ['', 'EF46DB3751D8E999'],
  ['a', 'D24EC4F1A98C6E5B'],
  ['abc', '44BC2CF5AD770999'],
  ['x'.repeat(100), '92F0DE5A88A3C094'],
  // 36 bytes: one 32-byte stripe and a 4-byte tail.
  ['0123456789abcdef0123456789abcdef0123', 'C4255BA3D1AF5461'],
  // 55 bytes: a stripe, two 8-byte tails, single bytes; and a hash whose first byte is zero.
  ['gY2KME$hGZm3#|X)lzqE}0~r~H)}Ni.(t lS jK{r0tK`p]RX}BBbIW!', '00260F84FEA000AB'],
  // UTF-8 bytes, not UTF-16 code units.
  ['héllo wörld ✓ 😀', '48F36CDD446DE87D'],
  // Longer than the encoder's first scratch buffer.
  ['y'.repeat(10_000), 'C83A59AEFB8FC884'],
];

describe('xxhash64', () => {
  it.each(GOLDEN)('hashes golden text %# as ClickHouse xxHash64 does', (text, hex) => {
    expect(xxhash64Hex(text)).toBe(hex);
  });

  it('writes [low, high] unsigned halves into the array it is given', () => {
    const out = new Uint32Array(2);
    expect(xxhash64('abc', out)).toBe(out);
    expect([...out]).toEqual([0xad770999, 0x44bc2cf5]);
  });
});
