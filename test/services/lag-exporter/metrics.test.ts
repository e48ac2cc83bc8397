import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { LagReport } from '../../../services/lag-exporter/collect-lag.ts';
import { createLagExporterMetrics } from '../../../services/lag-exporter/metrics.ts';

const lag = (groupId: string, topic: string, partition: number, offsets: number, seconds: number | undefined) => ({ groupId, topic, partition, lagOffsets: offsets, lagSeconds: seconds });

function report(partial: Partial<LagReport>): LagReport {
  return { groups: [], partitions: [], unread: new Set(), failures: [], ...partial };
}

async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Object.fromEntries((metric?.values ?? []).map((v) => [Object.values(v.labels).join('/'), v.value]));
}

describe('lag exporter metrics', () => {
  it('sets a series per group and partition', async () => {
    const registry = new Registry();
    const metrics = createLagExporterMetrics(registry);
    metrics.report(report({ groups: [{ groupId: 'g', state: 'Empty', members: 0 }], partitions: [lag('g', 't', 0, 7, 12.5), lag('g', 't', 1, 0, 0)] }));
    expect(await series(registry, 'weir_consumer_group_lag_offsets')).toEqual({ 'g/t/0': 7, 'g/t/1': 0 });
    expect(await series(registry, 'weir_consumer_group_lag_seconds')).toEqual({ 'g/t/0': 12.5, 'g/t/1': 0 });
    expect(await series(registry, 'weir_consumer_group_members')).toEqual({ g: 0 });
    expect(await series(registry, 'weir_consumer_group_state')).toEqual({ 'g/Empty': 1 });
  });

  it('removes the series of partitions and groups that disappeared', async () => {
    const registry = new Registry();
    const metrics = createLagExporterMetrics(registry);
    metrics.report(report({
      groups: [{ groupId: 'g', state: 'Stable', members: 2 }, { groupId: 'h', state: 'Stable', members: 1 }],
      partitions: [lag('g', 't', 0, 1, 1), lag('g', 't', 1, 2, 2), lag('h', 'u', 0, 3, 3)],
    }));
    metrics.report(report({ groups: [{ groupId: 'g', state: 'Empty', members: 0 }], partitions: [lag('g', 't', 0, 4, 4)] }));
    expect(await series(registry, 'weir_consumer_group_lag_offsets')).toEqual({ 'g/t/0': 4 });
    expect(await series(registry, 'weir_consumer_group_lag_seconds')).toEqual({ 'g/t/0': 4 });
    expect(await series(registry, 'weir_consumer_group_members')).toEqual({ g: 0 });
    // The old state's series goes: one state per group.
    expect(await series(registry, 'weir_consumer_group_state')).toEqual({ 'g/Empty': 1 });
  });

  it('keeps the series of a group that could not be read this time', async () => {
    const registry = new Registry();
    const metrics = createLagExporterMetrics(registry);
    metrics.report(report({ groups: [{ groupId: 'g', state: 'Stable', members: 1 }], partitions: [lag('g', 't', 0, 5, 6)] }));
    metrics.report(report({ unread: new Set(['g']) }));
    expect(await series(registry, 'weir_consumer_group_lag_offsets')).toEqual({ 'g/t/0': 5 });
    expect(await series(registry, 'weir_consumer_group_members')).toEqual({ g: 1 });
    expect(await series(registry, 'weir_consumer_group_state')).toEqual({ 'g/Stable': 1 });
    metrics.report(report({}));
    expect(await series(registry, 'weir_consumer_group_lag_offsets')).toEqual({});
    expect(await series(registry, 'weir_consumer_group_state')).toEqual({});
  });

  it('keeps the last seconds when a timestamp could not be fetched', async () => {
    const registry = new Registry();
    const metrics = createLagExporterMetrics(registry);
    metrics.report(report({ groups: [{ groupId: 'g', state: 'Empty', members: 0 }], partitions: [lag('g', 't', 0, 5, 30)] }));
    metrics.report(report({ groups: [{ groupId: 'g', state: 'Empty', members: 0 }], partitions: [lag('g', 't', 0, 6, undefined)] }));
    expect(await series(registry, 'weir_consumer_group_lag_offsets')).toEqual({ 'g/t/0': 6 });
    expect(await series(registry, 'weir_consumer_group_lag_seconds')).toEqual({ 'g/t/0': 30 });
  });

  it('counts failures by stage, every stage at 0 from the start', async () => {
    const registry = new Registry();
    const metrics = createLagExporterMetrics(registry);
    metrics.failed('timestamps');
    expect(await series(registry, 'weir_lag_exporter_errors_total')).toEqual({ list_groups: 0, describe_groups: 0, fetch_offsets: 0, topic_offsets: 0, timestamps: 1 });
  });
});
