import { describe, expect, it } from 'vitest';
import { createUuidV7, uuidV7Millis } from '../../sdk/src/uuid-v7.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createUuidV7', () => {
  it('makes RFC 9562 version 7 ids that carry the time in milliseconds', () => {
    const id = createUuidV7(() => 1_767_225_600_123)();
    expect(id).toMatch(UUID_V7);
    expect(uuidV7Millis(id)).toBe(1_767_225_600_123);
    expect(id.slice(0, 13)).toBe('019b76da-a87b') // 1_767_225_600_123 = 0x019b76daa87b;
  });

  it('writes golden bytes for a fixed time and fixed randomness', () => {
    const id = createUuidV7(() => 0x0123_4567_89ab, (bytes) => bytes.fill(0xff))();
    // Counter seeded from the random bits, masked to its lower half (0x7ff); variant bits 10.
    expect(id).toBe('01234567-89ab-77ff-bfff-ffffffffffff');
  });

  it('sorts in the order made, even when the clock stalls or steps back', () => {
    let now = 1_767_225_600_000;
    const next = createUuidV7(() => now);
    const made: string[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i === 1000) now -= 5000;
      if (i === 2000) now += 10_000;
      made.push(next());
    }
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    expect(made.every((id) => UUID_V7.test(id))).toBe(true);
  });

  it('carries into the next millisecond after 4096 ids in one', () => {
    const next = createUuidV7(() => 1000, (bytes) => bytes.fill(0));
    const made = Array.from({ length: 4097 }, () => next());
    expect(uuidV7Millis(made[4095] ?? '')).toBe(1000);
    expect(uuidV7Millis(made[4096] ?? '')).toBe(1001);
    expect([...made].sort()).toEqual(made);
  });

  it('reads no time from other ids', () => {
    expect(uuidV7Millis('0190a6f1-0000-4000-8000-000000000000')).toBeUndefined();
    expect(uuidV7Millis('not an id')).toBeUndefined();
  });
});
