/**
 * The query API on real ClickHouse filled through the real aggregator from a real clean topic, on
 * the ClickHouse server (18.16: values escaped) and on chDB (values bound as parameters): totals
 * equal a recomputation from the events, for every filter, roll-ups (1 min windows summed to 1 h
 * equal the 1 h window), top N, time zones, filled and open buckets, and the GET form.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestAggregator, writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { createTestDatabase, embeddedStore, serverStore } from '../../harness/clickhouse.ts';
import { startTestQuery, type TestQuery } from '../../harness/query.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { createSalesType, T0, type Sale } from '../aggregator/fixtures/sales.ts';

const DEFINITION = {
  dimensions: ['shop', 'user'],
  measures: [
    { kind: 'count', name: 'sales' },
    { kind: 'sum', name: 'revenue', field: 'amount' },
    { kind: 'max', name: 'biggest', field: 'amount' },
    { kind: 'min', name: 'smallest', field: 'amount' },
    { kind: 'avg', name: 'mean', field: 'amount' },
    { kind: 'distinct', name: 'buyers', field: 'user' },
    { kind: 'quantile', name: 'p90', field: 'amount', q: 0.9 },
  ],
  windows: [{ kind: 'tumbling', sizeMs: 60_000 }, { kind: 'tumbling', sizeMs: 3_600_000 }, { kind: 'hopping', sizeMs: 600_000, advanceMs: 300_000 }],
  allowedOutOfOrdernessMs: 1_000,
  graceMs: 1_000,
};

const SHOPS = ['a', 'b', 'c'];
/** Two hours of sales from T0, one every 3 s. */
const SALES: Sale[] = Array.from({ length: 2_400 }, (_, i) => ({ event_id: `q-${i}`, event_time: T0 + i * 3_000, shop: SHOPS[i % 3]!, user: `u${i % 37}`, amount: ((i * 7_919) % 1_000) + 1 }));
const RANGE = { from: new Date(T0).toISOString(), to: new Date(T0 + 2 * 3_600_000).toISOString() };

interface Expected {
  sales: number;
  revenue: number;
  biggest: number;
  users: Set<string>;
}

/** Per bucket start (ms) and the grouped dimensions: what the query should answer. */
function expected(sales: readonly Sale[], bucket: (t: number) => number, groupBy: ReadonlyArray<'shop' | 'user'> = []): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const s of sales) {
    const key = JSON.stringify([bucket(s.event_time), ...groupBy.map((d) => s[d])]);
    const e = out.get(key) ?? { sales: 0, revenue: 0, biggest: -Infinity, users: new Set<string>() };
    e.sales++;
    e.revenue += s.amount;
    e.biggest = Math.max(e.biggest, s.amount);
    e.users.add(s.user);
    out.set(key, e);
  }
  return out;
}

type Row = { start: string; end: string; open: boolean; dimensions: Record<string, unknown>; values: Record<string, number | null> };

/** The rows as the same map, for comparing with expected(). */
function answered(rows: readonly Row[], groupBy: readonly string[] = []): Map<string, { sales: number; revenue: number; biggest: number }> {
  return new Map(rows.map((r) => [JSON.stringify([Date.parse(r.start), ...groupBy.map((d) => r.dimensions[d])]), { sales: r.values.sales!, revenue: r.values.revenue!, biggest: r.values.biggest! }]));
}

const exact = (m: Map<string, Expected>) => new Map([...m].map(([k, e]) => [k, { sales: e.sales, revenue: e.revenue, biggest: e.biggest }]));
const hour = (t: number) => Math.floor(t / 3_600_000) * 3_600_000;

describe.each([
  ['the ClickHouse server', serverStore],
  ['chDB embedded', embeddedStore],
])('query API on %s', (_name, openStore) => {
  let api: TestQuery;
  let type: string;

  beforeAll(async () => {
    const registryUrl = (await startTestRegistry()).url;
    const sales = await createSalesType(registryUrl, 2);
    type = sales.type;
    const store = await openStore();
    const database = await createTestDatabase(store, 'query');
    const aggregatesDir = writeAggregateDefinitions({ [type]: DEFINITION });
    await startTestAggregator({ registryUrl, store, database, aggregatesDir });
    await sales.produce(SALES);
    api = await startTestQuery({ registryUrl, store, database, aggregatesDir, readKeys: { other: ['nothing_here'] } });
    await waitFor('all sales queryable', async () => {
      const { body } = await api.request('/v1/query', { body: { type, measures: ['sales'], window: 'tumbling_1h', ...RANGE } });
      return (body.rows as Row[] | undefined)?.reduce((n, r) => n + r.values.sales!, 0) === SALES.length;
    }, { timeoutMs: 60_000, intervalMs: 250 });
  }, 120_000);

  it('lists the type in the catalog with its dimensions, measures and windows', async () => {
    const { status, body } = await api.request('/v1/catalog');
    expect(status).toBe(200);
    const entry = body.types.find((t: { type: string }) => t.type === type);
    expect(entry.dimensions).toEqual([{ name: 'shop', kind: 'string', nullable: false }, { name: 'user', kind: 'string', nullable: false }]);
    expect(entry.measures.map((m: { name: string }) => m.name)).toEqual(DEFINITION.measures.map((m) => m.name));
    expect(entry.windows.map((w: { name: string }) => w.name)).toEqual(['tumbling_1m', 'tumbling_1h', 'hopping_10m_5m']);
    expect(entry.granularities).toEqual(['1m', '1h']);
  });

  it('rolls 1 min windows up to 1 h buckets that equal the 1 h windows and a recomputation', async () => {
    const measures = ['sales', 'revenue', 'biggest', 'smallest', 'mean', 'buyers', 'p90'];
    const rolled = await api.request('/v1/query', { body: { type, measures, groupBy: ['shop'], window: 'tumbling_1m', granularity: '1h', ...RANGE } });
    const stored = await api.request('/v1/query', { body: { type, measures, groupBy: ['shop'], window: 'tumbling_1h', ...RANGE } });
    expect(rolled.status).toBe(200);
    expect(rolled.body.meta).toMatchObject({ window: 'tumbling_1m', granularity: '1h', buckets: 2 });
    expect(stored.body.meta).toMatchObject({ window: 'tumbling_1h', granularity: '1h' });
    expect(rolled.body.rows).toEqual(stored.body.rows);
    expect(rolled.body.rows).toHaveLength(6);
    expect(answered(rolled.body.rows, ['shop'])).toEqual(exact(expected(SALES, hour, ['shop'])));
    // Chosen by itself, the coarsest window that fits: the 1 h one.
    const chosen = await api.request('/v1/query', { body: { type, measures: ['sales'], granularity: '1h', ...RANGE } });
    expect(chosen.body.meta.window).toBe('tumbling_1h');
    for (const row of rolled.body.rows as Row[]) {
      const mine = SALES.filter((s) => s.shop === row.dimensions.shop && hour(s.event_time) === Date.parse(row.start));
      const amounts = mine.map((s) => s.amount).sort((a, b) => a - b);
      expect(row.values.smallest).toBe(amounts[0]);
      expect(row.values.mean).toBeCloseTo(amounts.reduce((a, b) => a + b, 0) / amounts.length, 9);
      expect(Math.abs(row.values.buyers! - new Set(mine.map((s) => s.user)).size)).toBeLessThanOrEqual(1); // 37 users: HLL is exact-ish here
      const truth = amounts[Math.floor(0.9 * (amounts.length - 1))]!;
      expect(Math.abs(row.values.p90! - truth) / truth).toBeLessThanOrEqual(0.01);
      // The last minutes wait for a watermark past their end (plus grace): the second hour is open.
      expect(row.open).toBe(Date.parse(row.start) !== T0);
    }
  });

  it('applies each filter kind exactly', async () => {
    const cases: Array<[object, (s: Sale) => boolean]> = [
      [{ dimension: 'shop', op: 'eq', value: 'a' }, (s) => s.shop === 'a'],
      [{ dimension: 'shop', op: 'neq', value: 'a' }, (s) => s.shop !== 'a'],
      [{ dimension: 'user', op: 'in', values: ['u1', 'u2', 'u30', 'nobody'] }, (s) => ['u1', 'u2', 'u30'].includes(s.user)],
      [{ dimension: 'user', op: 'range', gte: 'u10', lt: 'u2' }, (s) => s.user >= 'u10' && s.user < 'u2'],
      [{ dimension: 'user', op: 'prefix', value: 'u3' }, (s) => s.user.startsWith('u3')],
    ];
    for (const [filter, keep] of cases) {
      const { status, body } = await api.request('/v1/query', { body: { type, measures: ['sales', 'revenue', 'biggest'], groupBy: ['shop'], filters: [filter], granularity: '1h', ...RANGE } });
      expect(status, JSON.stringify(filter)).toBe(200);
      expect(answered(body.rows, ['shop']), JSON.stringify(filter)).toEqual(exact(expected(SALES.filter(keep), hour, ['shop'])));
    }
  });

  it('keeps the top N groups of each bucket, ordered as asked, and limits rows', async () => {
    const { body } = await api.request('/v1/query', { body: { type, measures: ['revenue'], groupBy: ['user'], granularity: '1h', topN: { n: 3, by: 'revenue' }, orderBy: ['start', 'revenue:desc'], ...RANGE } });
    const truth = expected(SALES, hour, ['user']);
    for (const start of [T0, T0 + 3_600_000]) {
      const top = [...truth].filter(([k]) => JSON.parse(k)[0] === start).map(([k, e]) => [JSON.parse(k)[1], e.revenue] as const).sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, 3);
      const got = (body.rows as Row[]).filter((r) => Date.parse(r.start) === start).map((r) => [r.dimensions.user, r.values.revenue] as const);
      expect(got).toEqual(top);
    }
    const limited = await api.request('/v1/query', { body: { type, measures: ['sales'], groupBy: ['user'], granularity: '1h', orderBy: [{ by: 'sales', direction: 'desc' }], limit: 5, ...RANGE } });
    expect(limited.body.rows).toHaveLength(5);
    expect(limited.body.meta.truncated).toBe(true);
    const counts = (limited.body.rows as Row[]).map((r) => r.values.sales!);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('buckets days on the wall clock of the time zone, including half-hour offsets', async () => {
    for (const timeZone of ['Asia/Kolkata', 'America/New_York', 'UTC']) {
      const { status, body } = await api.request('/v1/query', { body: { type, measures: ['sales', 'revenue', 'biggest'], granularity: '1d', timeZone, ...RANGE } });
      expect(status, timeZone).toBe(200);
      const dayStart = (t: number) => {
        const local = new Date(new Date(t).toLocaleString('en-US', { timeZone })); // wall clock read as this machine's local time
        const offset = local.getTime() - new Date(new Date(t).toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
        const wall = t + offset;
        return Math.floor(wall / 86_400_000) * 86_400_000 - offset;
      };
      expect(answered(body.rows), timeZone).toEqual(exact(expected(SALES, dayStart)));
      expect(body.meta.timeZone).toBe(timeZone);
      // Kolkata is UTC+05:30: 1 h windows straddle its midnights, so the 1 min ones are read.
      if (timeZone === 'Asia/Kolkata') {
        expect(body.meta.window).toBe('tumbling_1m');
        expect(body.rows[0].start).toMatch(/T00:00:00\+05:30$/);
      }
    }
  });

  it('fills empty buckets with zeros on request, and tells open buckets from final ones', async () => {
    const { body } = await api.request('/v1/query', { body: { type, measures: ['sales', 'biggest'], granularity: '10m', fill: true, from: new Date(T0 - 30 * 60_000).toISOString(), to: RANGE.to } });
    expect(body.meta.buckets).toBe(15);
    expect(body.rows).toHaveLength(15);
    expect((body.rows as Row[]).slice(0, 3).map((r) => r.values)).toEqual([{ sales: 0, biggest: null }, { sales: 0, biggest: null }, { sales: 0, biggest: null }]);
    expect((body.rows as Row[]).reduce((n, r) => n + r.values.sales!, 0)).toBe(SALES.length);
    // The newest windows wait for a watermark past their end: the last minute is still open.
    const minutes = await api.request('/v1/query', { body: { type, measures: ['sales'], granularity: '1m', ...RANGE } });
    const rows = minutes.body.rows as Row[];
    expect(rows.at(-1)!.open).toBe(true);
    expect(rows[0]!.open).toBe(false);
    expect(minutes.body.meta.openBuckets).toBeGreaterThan(0);
    expect(minutes.body.meta.rowsRead).toBeGreaterThan(0);
  });

  it('reads hopping windows as their own buckets', async () => {
    const { status, body } = await api.request('/v1/query', { body: { type, measures: ['sales'], window: 'hopping_10m_5m', ...RANGE } });
    expect(status).toBe(200);
    expect(body.meta.granularity).toBeNull();
    const total = (body.rows as Row[]).reduce((n, r) => n + r.values.sales!, 0);
    // Every sale is in two windows; those starting before T0 are outside the range.
    expect(total).toBe(2 * SALES.length - SALES.filter((s) => s.event_time < T0 + 300_000).length);
  });

  it('answers the GET form as the JSON body', async () => {
    const params = new URLSearchParams({ type, measures: 'sales,revenue', groupBy: 'shop', filter: 'user:in:u1,u2', granularity: '1h', from: RANGE.from, to: RANGE.to, orderBy: 'shop' });
    const get = await api.request(`/v1/query?${params}`);
    const post = await api.request('/v1/query', { body: { type, measures: ['sales', 'revenue'], groupBy: ['shop'], filters: [{ dimension: 'user', op: 'in', values: ['u1', 'u2'] }], granularity: '1h', orderBy: ['shop'], ...RANGE } });
    expect(get.status).toBe(200);
    expect(get.body.rows).toEqual(post.body.rows);
    const q = await api.request(`/v1/query?q=${encodeURIComponent(JSON.stringify({ type, measures: ['sales'], last: '7d' }))}`);
    expect(q.status).toBe(200);
  });

  it('refuses what it cannot answer with a precise 4xx', async () => {
    const bad = await api.request('/v1/query', { body: { type, measures: ['sales', 'nope'], groupBy: ['shop', 'shop'], filters: [{ dimension: 'shop', op: 'eq', value: 3 }, { dimension: 'user', op: 'like', value: 'x' }], granularity: '90s', timeZone: 'Mars/Olympus', limit: 0, extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('QUERY_INVALID');
    expect(bad.body.error.problems.map((p: { at: string }) => p.at).sort()).toEqual(['extra', 'filters[0].value', 'filters[1].op', 'groupBy[1]', 'limit', 'measures[1]', 'timeZone'].sort());
    const misaligned = await api.request('/v1/query', { body: { type, measures: ['sales'], granularity: '90s', ...RANGE } });
    expect(misaligned.status).toBe(400);
    expect(misaligned.body.error.problems[0]).toMatchObject({ at: 'granularity' });
    expect(misaligned.body.error.message).toContain('multiple of 1m or 1h');
    expect((await api.request('/v1/query', { body: { type, measures: ['sales'] }, key: null })).status).toBe(401);
    expect((await api.request('/v1/query', { body: { type, measures: ['sales'] }, key: 'other-secret-key' })).status).toBe(403);
    expect((await api.request('/v1/query', { body: 'not json' })).status).toBe(400);
    expect((await api.request('/v1/query', { body: '{}', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const tooMany = await api.request('/v1/query', { body: { type, measures: ['sales'], granularity: '1m', last: '365d' } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('QUERY_TOO_LARGE');
    expect((await api.request('/v1/nothing')).status).toBe(404);
    const catalog = await api.request('/v1/catalog', { key: 'other-secret-key' });
    expect(catalog.body.types).toEqual([]);
  });
});
