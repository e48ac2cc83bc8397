import { describe, expect, it } from 'vitest';
import { createCachedRunner } from '../../../../services/query/query/cached-runner.ts';
import { ChangeLog, type ChangeLogRow } from '../../../../services/query/query/change-log.ts';
import type { QuerySpec } from '../../../../services/query/query/query-spec.ts';
import type { QueryOutcome, QueryRunner } from '../../../../services/query/query/run-query.ts';
import { parseQuery } from '../../../../services/query/query/parse-query.ts';
import { measures, readAll, testCatalog, testTable } from '../catalog-fixture.ts';

/** A runner that answers each run with its number, resolved when the test says. */
function scriptedRunner() {
  const pending: Array<(o: QueryOutcome) => void> = [];
  let runs = 0;
  const runner: QueryRunner = {
    run: () => {
      runs++;
      const n = runs;
      return new Promise<QueryOutcome>((resolve) => pending.push(() => resolve({ rowsRead: n } as unknown as QueryOutcome)));
    },
  };
  return { runner, runs: () => runs, finish: () => pending.splice(0).forEach((f) => f(undefined as never)) };
}

describe('cached runner', () => {
  const catalog = testCatalog({ shop: testTable({ measures: measures('events', 'revenue'), windows: [{ kind: 'tumbling', sizeMs: 60_000 }] }) });
  const spec = (names: string[]): QuerySpec => parseQuery({ type: 'shop', measures: names }, catalog, readAll());

  it('runs equal queries asked together once, reuses the answer while fresh, and refreshes it in the background after', async () => {
    const { runner, runs, finish } = scriptedRunner();
    let t = 0;
    const cached = createCachedRunner(runner, { freshMs: 1_000, staleMs: 1_000, maxEntries: 10, now: () => t });
    const a = cached.run(spec(['events']));
    const b = cached.run(spec(['events']));
    expect(runs()).toBe(1);
    finish();
    expect((await a).rowsRead).toBe(1);
    expect((await b).rowsRead).toBe(1);
    t = 999;
    expect(await cached.run(spec(['events']))).toMatchObject({ rowsRead: 1, cacheAgeMs: 999 });
    expect(runs()).toBe(1);
    // Stale: served at once, one refresh started for however many callers.
    t = 1_500;
    expect(await cached.run(spec(['events']))).toMatchObject({ rowsRead: 1, cacheAgeMs: 1_500 });
    expect(await cached.run(spec(['events']))).toMatchObject({ rowsRead: 1 });
    expect(runs()).toBe(2);
    finish();
    await Promise.resolve();
    await Promise.resolve();
    expect(await cached.run(spec(['events']))).toMatchObject({ rowsRead: 2, cacheAgeMs: 0 });
    // Too old to serve: the caller waits for a new run.
    t = 10_000;
    const late = cached.run(spec(['events']));
    expect(runs()).toBe(3);
    finish();
    expect((await late).rowsRead).toBe(3);
  });

  it('keeps different queries apart, never keeps failures, and is off at 0', async () => {
    let runs = 0;
    let fail = true;
    const runner: QueryRunner = {
      run: async () => {
        runs++;
        if (fail) throw new Error('down');
        return { rowsRead: runs } as unknown as QueryOutcome;
      },
    };
    const cached = createCachedRunner(runner, { freshMs: 1_000, staleMs: 1_000, maxEntries: 10, now: () => 0 });
    await expect(cached.run(spec(['events']))).rejects.toThrow('down');
    fail = false;
    expect((await cached.run(spec(['events']))).rowsRead).toBe(2);
    expect((await cached.run(spec(['events', 'revenue']))).rowsRead).toBe(3);
    expect((await cached.run(spec(['events']))).rowsRead).toBe(2);
    expect(createCachedRunner(runner, { freshMs: 0, staleMs: 0, maxEntries: 10 })).toBe(runner);
  });

  describe('answers over a fixed range with every bucket final', () => {
    const fixed = (extra: Record<string, unknown> = {}): QuerySpec =>
      parseQuery({ type: 'shop', measures: ['events'], from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z', granularity: '1h', ...extra }, catalog, readAll());
    const DAY_END = Date.parse('2026-11-24T00:00:00Z');
    /** A runner whose answers have one row, open or final as the test says, numbered by run, read up to the end of the day. */
    function rowRunner() {
      const state = { runs: 0, open: false };
      const runner: QueryRunner = {
        run: async () => {
          state.runs++;
          return { rowsRead: state.runs, rows: [{ open: state.open }], plan: { toMs: DAY_END } } as unknown as QueryOutcome;
        },
      };
      return { runner, state };
    }
    /** Partition 0's flush at `offset`, writing windows from `fromMs` on (with its progress row). */
    const flush = (offset: number, fromMs: number | string): ChangeLogRow[] => [
      { w: '', p: 0, v: offset, f: 0, t: 0 },
      { w: '~changes', p: 0, v: offset, f: fromMs, t: 1_800_000_000 },
    ];
    function setup(open = false) {
      const { runner, state } = rowRunner();
      state.open = open;
      const clock = { t: 0, polls: 0, fail: false, written: [] as ChangeLogRow[] };
      const changes = new ChangeLog(async (type) => {
        expect(type).toBe('shop');
        clock.polls++;
        if (clock.fail) throw new Error('ClickHouse down');
        return clock.written.splice(0);
      });
      const cached = createCachedRunner(runner, { freshMs: 1_000, staleMs: 1_000, maxEntries: 10, now: () => clock.t, changes });
      return { cached, state, clock };
    }
    const settle = () => new Promise((resolve) => setImmediate(resolve));

    it('are served while no flush since they ran wrote a window starting before their end, and run again once one does', async () => {
      const { cached, state, clock } = setup();
      clock.written = flush(10, DAY_END - 60_000); // before the first poll: only its offsets are learnt
      expect((await cached.run(fixed())).rowsRead).toBe(1); // after the first poll
      expect(clock.polls).toBe(1);
      clock.t = 2_500; // past freshMs + staleMs: kept, nothing written
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 1, cacheAgeMs: 2_500 });
      clock.t = 2_600;
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 1, cacheAgeMs: 2_600 });
      expect(clock.polls).toBe(2); // at most once per freshMs, however many callers
      clock.written = [...flush(11, DAY_END), ...flush(12, DAY_END + 3_600_000)]; // live windows of the next day
      clock.t = 60_000;
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 1, cacheAgeMs: 60_000 });
      expect([state.runs, clock.polls]).toEqual([1, 3]);
      clock.t = 600_000; // 10 min: run again all the same
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 2 });
      expect([state.runs, clock.polls]).toEqual([2, 4]);
      clock.t = 660_000;
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 2, cacheAgeMs: 60_000 });
      clock.written = flush(13, DAY_END - 60_000); // a late event corrected into the day's last minute
      clock.t = 700_000;
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 3 });
      clock.t = 760_000;
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 3, cacheAgeMs: 60_000 });
      clock.written = [{ w: '', p: 1, v: 5, f: 0, t: 0 }]; // a partition's offsets moved with no change row: anything may have changed
      clock.t = 800_000;
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 4 });
      clock.written = flush(14, '9223372036854775807'); // a flush that wrote no window (only late events dead-lettered)
      clock.t = 860_000;
      expect(await cached.run(fixed())).toMatchObject({ rowsRead: 4, cacheAgeMs: 60_000 });
    });

    it('are not kept past freshMs + staleMs when a bucket is open, the range is relative, or the change log cannot be read', async () => {
      const open = setup(true);
      const relative = setup();
      const failing = setup();
      failing.clock.fail = true;
      for (const { cached, clock } of [open, relative, failing]) {
        const spec = clock === relative.clock ? fixed({ from: undefined, to: undefined, last: '1d' }) : fixed();
        await cached.run(spec);
        await settle();
        clock.t = 2_500;
        await cached.run(spec);
        await settle();
        clock.t = 60_000;
        await cached.run(spec);
      }
      expect([open.state.runs, relative.state.runs, failing.state.runs]).toEqual([3, 3, 3]);
      expect(failing.clock.polls).toBe(3);
    });
  });
});
