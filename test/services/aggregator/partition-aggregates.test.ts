import { describe, expect, it } from 'vitest';
import { flushRows, progressRow, storedWindow, type FlushFacts } from '../../../services/aggregator/clickhouse/state-rows.ts';
import { serverFeatures, tableLayout } from '../../../services/aggregator/clickhouse/table-layout.ts';
import type { Aggregate } from '../../../services/aggregator/definition/aggregate-definition.ts';
import { PartitionAggregates } from '../../../services/aggregator/partition-aggregates.ts';
import { createFolding } from '../../../services/aggregator/state/window-state.ts';
import { thingAggregate } from './definition/aggregate-fixture.ts';

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

async function setup(changes: Record<string, unknown> = {}) {
  const aggregate: Aggregate = await thingAggregate({
    dimensions: ['name'],
    measures: [
      { kind: 'count', name: 'events' },
      { kind: 'sum', name: 'total_sum', field: 'total' },
      { kind: 'max', name: 'count_max', field: 'count' },
      { kind: 'distinct', name: 'ids', field: 'event_id' },
      { kind: 'quantile', name: 'ratio_p50', field: 'ratio', q: 0.5 },
    ],
    windows: [{ kind: 'tumbling', sizeMs: 10_000 }],
    allowedOutOfOrdernessMs: 1_000,
    graceMs: 2_000,
    ...changes,
  });
  const folding = createFolding(aggregate);
  const layout = tableLayout(aggregate, folding, serverFeatures('26.7'));
  const make = () => new PartitionAggregates({ aggregate, folding, layout, partition: 3 });
  const progress = (f: FlushFacts) => [progressRow(layout, 3, f.version, f.watermarkMs, aggregate.dimensionShapes)];
  const bookkeeping = (f: FlushFacts) => flushRows(layout, 3, f, T0 + 60_000, aggregate.dimensionShapes);
  return { aggregate, folding, layout, make, progress, bookkeeping };
}

const event = (i: number, t: number, name = 'a') => ({ event_id: `e-${i}`, event_time: t, name, count: i, total: 10, ratio: i / 10 });

describe('PartitionAggregates', () => {
  it('folds records into their windows, writes only what changed, and closes windows past the watermark plus grace', async () => {
    const { make, progress, layout, folding, aggregate } = await setup();
    const p = make();
    for (let i = 0; i < 5; i++) expect(p.fold(event(i, T0 + i * 1_000, i % 2 === 0 ? 'a' : 'b'), BigInt(i), T0 + i * 1_000)).toBe('folded');
    const first = p.snapshot(progress)!;
    expect(first.version).toBe(4n);
    expect(first.rows.map((r) => [r['window'], r['name'], r['window_count'], r['window_final']])).toEqual([
      ['tumbling_10s', 'a', 3, 0],
      ['tumbling_10s', 'b', 2, 0],
      ['', '', 0, 0],
    ]);
    expect(first.rows[2]).toMatchObject({ window_partition: 3, window_version: '4', window_watermark: T0 + 3_000 });
    first.commit();
    expect(p.snapshot(progress)).toBeUndefined();

    // One more record for "a", then time moves past the window's end plus grace.
    p.fold(event(5, T0 + 5_000), 5n, T0 + 5_000);
    p.fold(event(6, T0 + 13_500, 'c'), 6n, T0 + 13_500);
    expect(p.advance()).toBe(2);
    const second = p.snapshot(progress)!;
    const byName = new Map(second.rows.map((r) => [`${r['window_start']} ${r['name']}`, r]));
    expect(byName.get('2026-01-15 12:00:00 a')).toMatchObject({ window_count: 4, window_final: 1, total__sum: 40, count__max: 5 });
    expect(byName.get('2026-01-15 12:00:00 b')).toMatchObject({ window_count: 2, window_final: 1 });
    expect(byName.get('2026-01-15 12:00:10 c')).toMatchObject({ window_count: 1, window_final: 0 });
    second.commit();
    expect(p.openWindows).toBe(1);

    // Restored from its rows, a new instance gives the same measures.
    const rows = second.rows.filter((r) => r['window'] !== '' && r['window_final'] === 0);
    const restored = make();
    restored.restore(rows.map((r) => storedWindow(layout, folding, aggregate.dimensionShapes, r)), 6n, T0 + 12_500);
    const again = (x: PartitionAggregates) => {
      x.fold(event(7, T0 + 14_000, 'c'), 7n, T0 + 14_000);
      return x.snapshot(progress)!.rows.find((r) => r['name'] === 'c');
    };
    expect(again(restored)).toEqual(again(p));
  });

  it('dead-letters or corrects events whose window has closed, as the definition says', async () => {
    for (const lateEvents of ['dlq', 'correct'] as const) {
      const { make, progress } = await setup({ lateEvents });
      const p = make();
      p.fold(event(0, T0 + 30_000), 0n, T0 + 30_000); // watermark 29 s: [0, 10 s) closed (10 s + 2 s grace)
      const outcome = p.fold(event(1, T0 + 1_000), 1n, T0 + 1_000);
      const rows = p.snapshot(progress)!.rows;
      if (lateEvents === 'dlq') {
        expect(outcome).toBe('late_dead_letter');
        expect(rows.filter((r) => r['window'] !== '')).toHaveLength(1);
      } else {
        expect(outcome).toBe('late_corrected');
        const correction = rows.find((r) => r['window_correction'] !== 0)!;
        expect(correction).toMatchObject({ window_correction: 2, window_final: 1, window_count: 1, window_start: '2026-01-15 12:00:00' });
      }
    }
  });

  it('merges session windows and supersedes the row of a session absorbed by the merge', async () => {
    const { make, progress } = await setup({ windows: [{ kind: 'session', gapMs: 5_000 }], graceMs: 5_000 });
    const p = make();
    p.fold(event(0, T0), 0n, T0);
    p.fold(event(1, T0 + 8_000), 1n, T0 + 8_000);
    const first = p.snapshot(progress)!;
    expect(first.rows.filter((r) => r['window'] !== '').map((r) => [r['window_start'], r['window_end'], r['window_count']])).toEqual([
      ['2026-01-15 12:00:00', '2026-01-15 12:00:05', 1],
      ['2026-01-15 12:00:08', '2026-01-15 12:00:13', 1],
    ]);
    first.commit();
    p.fold(event(2, T0 + 4_000), 2n, T0 + 4_000); // bridges the two
    const rows = p.snapshot(progress)!.rows.filter((r) => r['window'] !== '');
    expect(rows.map((r) => [r['window_start'], r['window_end'], r['window_count'], r['window_superseded']])).toEqual([
      ['2026-01-15 12:00:00', '2026-01-15 12:00:13', 3, 0],
      ['2026-01-15 12:00:08', '2026-01-15 12:00:13', 1, 1],
    ]);
  });

  it('writes with every flush a change row naming the earliest window start it wrote, counting no events', async () => {
    const { make, bookkeeping } = await setup({ lateEvents: 'correct' });
    const p = make();
    const changeOf = (rows: readonly Record<string, unknown>[]) => rows.filter((r) => r['window'] === '~changes');
    p.fold(event(0, T0 + 1_000), 0n, T0 + 1_000);
    p.fold(event(1, T0 + 12_000, 'b'), 1n, T0 + 12_000);
    const first = p.snapshot(bookkeeping)!;
    expect(first.rows.map((r) => r['window'])).toEqual(['tumbling_10s', 'tumbling_10s', '', '~changes']);
    expect(changeOf(first.rows)).toEqual([
      expect.objectContaining({ window_start: '2026-01-15 12:01:00', window_partition: 3, window_version: '1', window_correction: '2', window_final: 1, window_count: 0, window_watermark: T0, name: '' }),
    ]);
    first.commit();

    // A correction of a closed window reaches back to it, whatever else the flush writes.
    p.fold(event(2, T0 + 30_000, 'b'), 2n, T0 + 30_000);
    expect(p.fold(event(3, T0 + 2_000), 3n, T0 + 2_000)).toBe('late_corrected');
    expect(p.advance()).toBe(2);
    const second = p.snapshot(bookkeeping)!;
    expect(changeOf(second.rows)).toEqual([expect.objectContaining({ window_version: '3', window_watermark: T0 })]);
    second.commit();

    // A window closed by time alone is written at the same offset: the change row, which shares
    // its key with the last one, covers both flushes (its own window starts at 30 s).
    expect(p.advance(T0 + 60_000)).toBe(1);
    const third = p.snapshot(bookkeeping)!;
    expect(changeOf(third.rows)).toEqual([expect.objectContaining({ window_version: '3', window_correction: '4', window_watermark: T0 })]);
    third.commit();
    // Only the watermark moved (no window row): the row, at the same key again, still covers the earlier flushes.
    expect(p.advance(T0 + 120_000)).toBe(0);
    const fourth = p.snapshot(bookkeeping)!;
    expect(fourth.rows.map((r) => r['window'])).toEqual(['', '~changes']);
    expect(changeOf(fourth.rows)).toEqual([expect.objectContaining({ window_version: '3', window_watermark: T0 })]);
    fourth.commit();
    p.fold(event(4, T0 + 70_000), 4n, T0 + 70_000);
    expect(changeOf(p.snapshot(bookkeeping)!.rows)).toEqual([expect.objectContaining({ window_version: '4', window_watermark: T0 + 70_000 })]);

    // Offsets without a window row (a record for no window, here a late one dead-lettered) still get a change row, writing nothing.
    const dlq = (await setup({ lateEvents: 'dlq' })).make();
    dlq.fold(event(0, T0 + 30_000), 0n, T0 + 30_000);
    dlq.snapshot(bookkeeping)!.commit();
    expect(dlq.fold(event(1, T0 + 1_000), 1n, T0 + 1_000)).toBe('late_dead_letter');
    const late = dlq.snapshot((await setup()).bookkeeping)!;
    expect(late.rows.map((r) => r['window'])).toEqual(['', '~changes']);
    expect(changeOf(late.rows)).toEqual([expect.objectContaining({ window_version: '1', window_count: 0, window_watermark: '9223372036854775807' })]);
  });
});
