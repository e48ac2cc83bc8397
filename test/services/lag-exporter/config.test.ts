import { describe, expect, it } from 'vitest';
import { loadLagExporterConfig } from '../../../services/lag-exporter/config.ts';
import { wantedGroup } from '../../../services/lag-exporter/group-offsets.ts';
import { isWeirError } from '../../../services/shared/errors.ts';

describe('lag exporter config', () => {
  it('watches every group but internal ones (a leading underscore) by default', () => {
    const config = loadLagExporterConfig({});
    const filter = { include: config.groupsInclude, exclude: config.groupsExclude };
    expect(config.port).toBe(8085);
    expect(config.intervalMs).toBe(5_000);
    expect(wantedGroup(filter, 'weir-processor')).toBe(true);
    expect(wantedGroup(filter, 'someone-else')).toBe(true);
    expect(wantedGroup(filter, '_confluent-ksql-default')).toBe(false);
  });

  it('includes and excludes by regular expression', () => {
    const config = loadLagExporterConfig({ WEIR_LAG_EXPORTER_GROUPS_INCLUDE: '^weir-', WEIR_LAG_EXPORTER_GROUPS_EXCLUDE: 'aggregator' });
    const filter = { include: config.groupsInclude, exclude: config.groupsExclude };
    expect(['weir-processor', 'weir-aggregator', 'other'].filter((g) => wantedGroup(filter, g))).toEqual(['weir-processor']);
  });

  it('refuses a bad regular expression and a too short interval, naming the variables', () => {
    let error: unknown;
    try {
      loadLagExporterConfig({ WEIR_LAG_EXPORTER_GROUPS_INCLUDE: '(', WEIR_LAG_EXPORTER_INTERVAL_MS: '10' });
    } catch (e) {
      error = e;
    }
    expect(isWeirError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('WEIR_LAG_EXPORTER_GROUPS_INCLUDE="(" is invalid: expected a JavaScript regular expression');
    expect((error as Error).message).toContain('WEIR_LAG_EXPORTER_INTERVAL_MS');
  });
});
