/**
 * How many events the demo should have sent after a given time: the target rate, swelling and
 * ebbing by a quarter over two minutes, so live charts show traffic that moves. Over a whole
 * period the average is exactly the target rate.
 *
 *   rate(t) = r * (1 + A * sin(2 pi t / P)),   due(t) = integral of rate from 0 to t
 *                                                      = r * (t + A * P / (2 pi) * (1 - cos(2 pi t / P)))
 */
export const WAVE_PERIOD_MS = 120_000; // 2 min
export const WAVE_AMPLITUDE = 0.25;

/** Events due `elapsedMs` after the start at an average of `ratePerSecond`; never decreasing. */
export function eventsDue(elapsedMs: number, ratePerSecond: number): number {
  if (elapsedMs <= 0) return 0;
  const t = elapsedMs / 1000;
  const period = WAVE_PERIOD_MS / 1000;
  const wave = ((WAVE_AMPLITUDE * period) / (2 * Math.PI)) * (1 - Math.cos((2 * Math.PI * t) / period));
  return Math.floor(ratePerSecond * (t + wave));
}
