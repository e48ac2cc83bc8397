import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../../services/query/time/durations.ts';

describe('parseDuration', () => {
  it.each([
    ['1s', 1_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['6h', 21_600_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['999999999s', 999_999_999_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([[''], ['1'], ['h'], ['0s'], ['0h'], ['01m'], ['1.5h'], ['-1h'], ['+1h'], ['1H'], ['1 h'], [' 1h'], ['1h '], ['1ms'], ['1y'], ['1h30m'], ['1000000000s'], ['1e3s'], ['１h']])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [1_000, '1s'],
    [90_000, '90s'],
    [60_000, '1m'],
    [5_400_000, '90m'],
    [3_600_000, '1h'],
    [86_400_000, '1d'],
    [90_000_000, '25h'],
    [604_800_000, '1w'],
    [1_209_600_000, '2w'],
    [1_500, '1500ms'],
  ])('writes %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads back what it writes for whole seconds', () => {
    for (const ms of [1_000, 59_000, 61_000, 3_599_000, 7_200_000, 172_800_000, 1_814_400_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
