import { Counter, Gauge, type Registry } from 'prom-client';
import type { Stage } from './group-offsets.ts';
import type { LagReport } from './collect-lag.ts';
import { SeriesTracker, type Labels } from './series-tracker.ts';

export interface LagExporterMetrics {
  /** Sets every series of the report and removes those of groups and partitions that are gone. */
  report(report: LagReport): void;
  collected(seconds: number): void;
  failed(stage: Stage): void;
}

const STAGES = ['list_groups', 'describe_groups', 'fetch_offsets', 'topic_offsets', 'timestamps'] as const satisfies readonly Stage[];

/** The lag exporter's metrics on the given registry. Labels are bounded by the cluster's groups and partitions. */
export function createLagExporterMetrics(registry: Registry): LagExporterMetrics {
  const partitionLabels = ['group', 'topic', 'partition'];
  const lagOffsets = new Gauge({
    name: 'weir_consumer_group_lag_offsets',
    help: 'Records of a partition a consumer group has not consumed: end offset (last stable) minus committed offset; from the earliest offset when none is committed',
    labelNames: partitionLabels,
    registers: [registry],
  });
  const lagSeconds = new Gauge({
    name: 'weir_consumer_group_lag_seconds',
    help: 'Age of the oldest record of a partition a consumer group has not consumed: now minus the broker timestamp of the record at the committed offset; 0 when caught up',
    labelNames: partitionLabels,
    registers: [registry],
  });
  const members = new Gauge({ name: 'weir_consumer_group_members', help: 'Members of a consumer group (0: nothing consumes, and its lag grows)', labelNames: ['group'], registers: [registry] });
  const state = new Gauge({
    name: 'weir_consumer_group_state',
    help: 'State of a consumer group: 1 on the series of its current state (Stable, Empty, PreparingRebalance, CompletingRebalance, Dead)',
    labelNames: ['group', 'state'],
    registers: [registry],
  });
  const duration = new Gauge({ name: 'weir_lag_exporter_scrape_duration_seconds', help: 'Time the last collection of every group\'s lag from Kafka took', registers: [registry] });
  const errors = new Counter({
    name: 'weir_lag_exporter_errors_total',
    help: 'Failed reads from Kafka, by stage (list_groups, describe_groups, fetch_offsets, topic_offsets, timestamps); series of what could not be read keep their last value',
    labelNames: ['stage'],
    registers: [registry],
  });
  for (const stage of STAGES) errors.inc({ stage }, 0); // every series from the start, so rate() sees the first error
  const partitionSeries = new SeriesTracker();
  const groupSeries = new SeriesTracker();
  const stateSeries = new SeriesTracker();

  return {
    report({ groups, partitions, unread }) {
      const keep = (labels: Labels) => unread.has(labels['group'] ?? '');
      const current: Labels[] = [];
      for (const p of partitions) {
        const labels = { group: p.groupId, topic: p.topic, partition: String(p.partition) };
        current.push(labels);
        lagOffsets.set(labels, p.lagOffsets);
        if (p.lagSeconds !== undefined) lagSeconds.set(labels, p.lagSeconds);
      }
      for (const labels of partitionSeries.update(current, keep)) {
        lagOffsets.remove(labels);
        lagSeconds.remove(labels);
      }
      for (const g of groups) {
        members.set({ group: g.groupId }, g.members);
        state.set({ group: g.groupId, state: g.state }, 1);
      }
      for (const labels of groupSeries.update(groups.map((g) => ({ group: g.groupId })), keep)) members.remove(labels);
      for (const labels of stateSeries.update(groups.map((g) => ({ group: g.groupId, state: g.state })), (l) => keep(l) && !groups.some((g) => g.groupId === l['group']))) state.remove(labels);
    },
    collected: (seconds) => duration.set(seconds),
    failed: (stage) => errors.inc({ stage }),
  };
}
