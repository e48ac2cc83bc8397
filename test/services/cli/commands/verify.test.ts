/**
 * `weir verify` without services: its command-line errors (refused before Kafka, the registry or
 * ClickHouse is asked), the recomputation of windows from framed clean records, and the
 * comparison with its bounds.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { serverFeatures, tableLayout } from '../../../../services/aggregator/clickhouse/table-layout.ts';
import { createFolding } from '../../../../services/aggregator/state/window-state.ts';
import type { AggregateTable } from '../../../../services/cli/verify/aggregate-tables.ts';
import { createCleanDecoder } from '../../../../services/aggregator/clean-decoder.ts';
import { compareWindows, measureVerdict } from '../../../../services/cli/verify/compare-windows.ts';
import { windowKey, type MergedWindows } from '../../../../services/cli/verify/merged-windows.ts';
import { WindowRecomputation, type Clean } from '../../../../services/cli/verify/recompute-windows.ts';
import { renderReport } from '../../../../services/cli/verify/verify-report.ts';
import type { VerifyOutcome } from '../../../../services/cli/verify/verify-windows.ts';
import { WriterSchemas } from '../../../../services/processor/writer-schemas.ts';
import { encodeFrame } from '../../../../services/shared/avro/wire-format.ts';
import { RegistryRefusedError } from '../../../../services/shared/registry/registry-client-error.ts';
import { thingAggregate } from '../../aggregator/definition/aggregate-fixture.ts';
import { THING_SCHEMA } from '../../processor/pipeline/pipeline-fixture.ts';
import { useCliHarness } from '../cli-harness.ts';

describe('weir verify command line', () => {
  const cli = useCliHarness();

  it.each([
    [['verify'], /--type is required/],
    [['verify', '--type', 'Bad-Type'], /--type "Bad-Type" is not an event type name/],
    [['verify', '--type', 'thing', '--since', 'yesterday'], /--since "yesterday" is not a time/],
    [['verify', '--type', 'thing', '--since', '1h', '--until', '2h'], /--since \(.*\) must be before --until/],
    [['verify', '--type', 'thing', '--brokers', 'localhost'], /--brokers "localhost" is invalid/],
    [['verify', '--type', 'thing'], /no ClickHouse server: pass --clickhouse-url <url> or set CLICKHOUSE_URL\. `weir verify` reads a ClickHouse server/],
    [['verify', '--type', 'thing', '--clickhouse-url', 'localhost:8123'], /--clickhouse-url "localhost:8123" is invalid: expected a URL with scheme http: or https:/],
    [['verify', '--type', 'thing', '--clickhouse-url', 'http://localhost:8123', '--database', ''], /--database needs a database name/],
    [['verify', '--type', 'thing', '--aggregates', ''], /--aggregates needs a path/],
    [['verify', '--type', 'thing', '--limit', '3'], /Unknown option '--limit'/],
  ])('%j exits 2 with a reason', async (argv, reason) => {
    const { code, stdout, stderr } = await cli.run(argv);
    expect(stderr).toMatch(reason);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  });

  it('takes the server from CLICKHOUSE_URL and checks it there', async () => {
    const { code, stderr } = await cli.run(['verify', '--type', 'thing'], { env: { CLICKHOUSE_URL: 'ftp://clickhouse' } });
    expect(stderr).toMatch(/CLICKHOUSE_URL "ftp:\/\/clickhouse" is invalid/);
    expect(code).toBe(2);
  });

  it('documents itself', async () => {
    const { code, stdout: out } = await cli.run(['verify', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: weir verify --type <type>/);
    expect(out).toContain('--clickhouse-url <url>');
    expect(out).toContain('Exit codes: 0 every window matches');
  });
});

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const SCHEMA_ID = 7;
const thingType = avro.Type.forSchema(THING_SCHEMA as unknown as avro.Schema);

async function thingTable(changes: Record<string, unknown> = {}): Promise<AggregateTable> {
  const aggregate = await thingAggregate({
    dimensions: ['name'],
    measures: [
      { kind: 'count', name: 'events' },
      { kind: 'sum', name: 'total_sum', field: 'total' },
      { kind: 'min', name: 'count_min', field: 'count' },
      { kind: 'avg', name: 'ratio_avg', field: 'ratio' },
      { kind: 'distinct', name: 'ids', field: 'event_id' },
      { kind: 'quantile', name: 'ratio_p90', field: 'ratio', q: 0.9 },
    ],
    windows: [{ kind: 'tumbling', sizeMs: 10_000 }, { kind: 'hopping', sizeMs: 20_000, advanceMs: 10_000 }],
    allowedOutOfOrdernessMs: 1_000,
    graceMs: 2_000,
    ...changes,
  });
  const folding = createFolding(aggregate);
  return { aggregate, folding, layout: tableLayout(aggregate, folding, serverFeatures('18.16.1')), reader: thingType };
}

const decoder = (table: AggregateTable) =>
  createCleanDecoder(table.reader, new WriterSchemas({
    fetchSchema: async (id) => {
      if (id === SCHEMA_ID) return JSON.stringify(THING_SCHEMA);
      throw new RegistryRefusedError(40403, 404, 'Schema not found', { url: 'memory', request: `GET /schemas/ids/${id}` });
    },
    sleep: async () => undefined,
  }));

const thing = (i: number, t: number, name = i % 2 === 0 ? 'a' : 'b') =>
  thingType.toBuffer({ event_id: `e-${i}`, event_time: t, name, nick: null, count: i, total: 10 * i, ratio: i / 7, score: null, flag: false, kind: 'A', url: 'u', ref: null, code: null, props: {}, tags: [] });

const framed = (records: readonly Buffer[], first = 0): Clean[] => records.map((body, i) => ({ offset: String(first + i), value: encodeFrame(SCHEMA_ID, body) }));

/** 40 on-time things over 20 s, then one 30 s late (closed windows), then garbage. */
function partitionRecords(): Clean[] {
  const onTime = Array.from({ length: 40 }, (_, i) => thing(i, T0 + i * 500));
  return [...framed([...onTime, thing(99, T0 + 1_000, 'a')]), { offset: '41', value: Buffer.from('not avro') }];
}

async function recompute(table: AggregateTable, batches: ReadonlyArray<readonly Clean[]>) {
  const r = new WindowRecomputation(table, decoder(table), {});
  for (const batch of batches) await r.add(0, batch);
  return r;
}

describe('recomputing windows', () => {
  it('folds as the aggregator does: late events dead-lettered, undecodable skipped, the same windows whatever the batches', async () => {
    const table = await thingTable();
    const records = partitionRecords();
    const whole = await recompute(table, [records]);
    expect(whole.counts).toEqual({ records: 42, folded: 40, corrected: 0, lateDeadLettered: 1, undecodable: 1 });
    const windows = whole.windows();
    const first = windows.get(windowKey('tumbling_10s', T0, ['a']))!;
    expect(table.folding.measures(first.state)).toMatchObject({ events: 10, total_sum: 10 * (0 + 2 + 4 + 6 + 8 + 10 + 12 + 14 + 16 + 18), count_min: 0, ratio_avg: expect.closeTo(9 / 7, 12), ids: 10 });
    expect(windows.get(windowKey('hopping_20s_10s', T0, ['b']))!.state.count).toBe(20);

    const inPieces = await recompute(table, [records.slice(0, 7), records.slice(5, 30), records.slice(30)]);
    expect(inPieces.counts).toEqual(whole.counts);
    const same = compareWindows(table.aggregate.measures, table.folding, ['name'], windows, inPieces.windows());
    expect(same).toMatchObject({ checked: windows.size, exact: windows.size, mismatched: 0, problems: [] });
  });

  it('counts late events as correction rows under "correct", merged into their windows', async () => {
    const table = await thingTable({ lateEvents: 'correct' });
    const r = await recompute(table, [partitionRecords()]);
    expect(r.counts).toMatchObject({ folded: 40, corrected: 1, lateDeadLettered: 0 });
    expect(r.windows().get(windowKey('tumbling_10s', T0, ['a']))!.state.count).toBe(11);
  });

  it('compares only the windows in range', async () => {
    const table = await thingTable();
    const r = new WindowRecomputation(table, decoder(table), { sinceMs: T0 + 10_000, untilMs: T0 + 20_000 });
    await r.add(0, partitionRecords());
    expect([...r.windows().values()].map((w) => `${w.window} ${w.startMs - T0} ${w.dimensions[0]}`).sort()).toEqual([
      'hopping_20s_10s 10000 a',
      'hopping_20s_10s 10000 b',
      'tumbling_10s 10000 a',
      'tumbling_10s 10000 b',
    ]);
  });
});

describe('comparing windows', () => {
  it('names what differs and what is missing on either side', async () => {
    const table = await thingTable();
    const expected = (await recompute(table, [partitionRecords()])).windows();
    const actual: MergedWindows = new Map([...(await recompute(table, [partitionRecords()])).windows()]);
    const tampered = windowKey('tumbling_10s', T0 + 10_000, ['b']);
    actual.get(tampered)!.state.count = 99;
    actual.delete(windowKey('tumbling_10s', T0, ['a']));
    const onlyStored = actual.get(windowKey('hopping_20s_10s', T0, ['a']))!;
    actual.set(windowKey('tumbling_10s', T0 + 60_000, ['z']), { ...onlyStored, window: 'tumbling_10s', startMs: T0 + 60_000, dimensions: ['z'] });

    const result = compareWindows(table.aggregate.measures, table.folding, ['name'], expected, actual);
    expect(result).toMatchObject({ checked: expected.size + 1, exact: expected.size - 2, mismatched: 1, missingInClickHouse: 1, onlyInClickHouse: 1 });
    expect(result.problems.find((p) => p.kind === 'mismatch')).toEqual({
      kind: 'mismatch',
      window: 'tumbling_10s',
      start: '2026-01-15T12:00:10.000Z',
      dimensions: { name: 'b' },
      measures: [{ name: 'events', kind: 'count', expected: 10, actual: 99, verdict: 'mismatch' }],
    });

    const outcome: VerifyOutcome = { topic: 'weir.clean.thing', partitions: 1, counts: { records: 42, folded: 40, corrected: 0, lateDeadLettered: 1, undecodable: 1 }, comparison: result, notYetAggregated: 0, truncated: [], settled: true };
    const text = renderReport({ type: 'thing', table: 'weir.agg_thing', range: 'all windows' }, outcome).join('\n');
    expect(text).toContain('  mismatched        1');
    expect(text).toContain('  tumbling_10s 2026-01-15T12:00:10Z name="b": differs\n    events expected 10, ClickHouse 99');
    expect(text).toContain('tumbling_10s 2026-01-15T12:00:00Z name="a": missing in ClickHouse');
    expect(text).toContain('tumbling_10s 2026-01-15T12:01:00Z name="z": only in ClickHouse');
  });

  it('holds counts, mins and maxes exact and the sketches to their bounds', () => {
    const m = (kind: string) => ({ kind, name: 'x', field: 'f', q: 0.5, at: '' }) as never;
    expect(measureVerdict(m('count'), 10, 10)).toBe('exact');
    expect(measureVerdict(m('count'), 10, 11)).toBe('mismatch');
    expect(measureVerdict(m('max'), 1.5, 1.5000001)).toBe('mismatch');
    expect(measureVerdict(m('min'), null, 3)).toBe('mismatch');
    expect(measureVerdict(m('sum'), 0.1 + 0.2, 0.3)).toBe('within_bound');
    expect(measureVerdict(m('sum'), 100, 101)).toBe('mismatch');
    expect(measureVerdict(m('distinct'), 40, 41)).toBe('within_bound');
    expect(measureVerdict(m('distinct'), 40, 42)).toBe('mismatch');
    expect(measureVerdict(m('distinct'), 1000, 1019)).toBe('within_bound');
    expect(measureVerdict(m('distinct'), 1000, 1021)).toBe('mismatch');
    expect(measureVerdict(m('quantile'), 250, 252.4)).toBe('within_bound');
    expect(measureVerdict(m('quantile'), 250, 253)).toBe('mismatch');
  });
});
