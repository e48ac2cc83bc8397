import { describe, expect, it } from 'vitest';
import { isWeirError } from '../../../../services/shared/errors.ts';
import { assertSupportedClickHouse, compareReleases } from '../../../../services/shared/clickhouse/version.ts';

describe('ClickHouse versions', () => {
  it('compares release lines by major and minor', () => {
    expect(compareReleases('18.16.1', '24.8')).toBeLessThan(0);
    expect(compareReleases('24.8.14.39', '24.8')).toBe(0);
    expect(compareReleases('24.10.1', '24.8')).toBeGreaterThan(0);
    expect(compareReleases('26.7.2.1', '24.8')).toBeGreaterThan(0);
  });

  it('refuses servers older than the supported minimum, naming the server and the minimum', () => {
    expect(() => assertSupportedClickHouse('25.8.1', 'http://ch:8123')).not.toThrow();
    let thrown: unknown;
    try {
      assertSupportedClickHouse('18.16.1', 'http://old:8123');
    } catch (error) {
      thrown = error;
    }
    expect(isWeirError(thrown, 'CLICKHOUSE_VERSION_UNSUPPORTED')).toBe(true);
    expect((thrown as Error).message).toContain('ClickHouse 18.16.1 at http://old:8123 is older than 24.8');
  });

  it('says so when a version string cannot be read', () => {
    expect(() => compareReleases('banana', '24.8')).toThrow('cannot read ClickHouse version "banana"');
  });
});
