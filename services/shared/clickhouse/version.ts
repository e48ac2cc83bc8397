/**
 * The ClickHouse server versions weir supports in production. weir's tables and queries use
 * query parameters, DateTime64, TTL, SimpleAggregateFunction, insert deduplication tokens and
 * async inserts; 24.8 (an LTS line) is the oldest release tested to have all of them.
 */
import { WeirError } from '../errors.ts';

export const MIN_SUPPORTED_CLICKHOUSE = '24.8';

/** Negative, zero or positive as `a` is older than, the same release line as, or newer than `b` (major.minor). */
export function compareReleases(a: string, b: string): number {
  const parse = (v: string): [number, number] => {
    const match = /^(\d+)\.(\d+)/.exec(v.trim());
    if (!match) throw new WeirError('CLICKHOUSE_VERSION_UNSUPPORTED', `cannot read ClickHouse version "${v}"`, { details: { version: v } });
    return [Number(match[1]), Number(match[2])];
  };
  const [am, an] = parse(a);
  const [bm, bn] = parse(b);
  return am !== bm ? am - bm : an - bn;
}

/** Throws CLICKHOUSE_VERSION_UNSUPPORTED, naming the server and the minimum, when `version` is too old. */
export function assertSupportedClickHouse(version: string, location: string): void {
  if (compareReleases(version, MIN_SUPPORTED_CLICKHOUSE) < 0) {
    throw new WeirError(
      'CLICKHOUSE_VERSION_UNSUPPORTED',
      `ClickHouse ${version} at ${location} is older than ${MIN_SUPPORTED_CLICKHOUSE}, the oldest release weir supports: ` +
        'upgrade the server, or unset CLICKHOUSE_URL to use the embedded engine',
      { details: { version, location, minimum: MIN_SUPPORTED_CLICKHOUSE } },
    );
  }
}
