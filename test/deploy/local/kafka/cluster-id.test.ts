import { describe, expect, it } from 'vitest';
import { randomClusterId } from '../../../../deploy/local/kafka/local-kafka.ts';

describe('local Kafka cluster id', () => {
  it('is 16 bytes in URL-safe base64 and never starts with the dash kafka-storage would read as an option', () => {
    const draws = [Buffer.from([0xf8, ...Array<number>(15).fill(1)]), Buffer.from([0xf8, ...Array<number>(15).fill(2)]), Buffer.from(Array<number>(16).fill(7))];
    expect(draws[0]!.toString('base64url').startsWith('-')).toBe(true);
    expect(randomClusterId(() => draws.shift()!)).toBe(Buffer.from(Array<number>(16).fill(7)).toString('base64url'));
    for (let i = 0; i < 1_000; i++) expect(randomClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
