/** Durations as queries write them: "90s", "15m", "1h", "7d", "2w". */

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const DURATION_HINT = 'a duration such as 30s, 15m, 1h, 7d or 2w';

/** Milliseconds, or undefined when `text` is not a whole positive number of s, m, h, d or w. */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9]\d{0,8})(s|m|h|d|w)$/.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** In the largest unit that divides it: 3600000 -> "1h", 5400000 -> "90m". */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const size = UNIT_MS[unit]!;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
