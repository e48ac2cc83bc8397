import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../../../services/query/catalog.ts';
import { DEFAULT_LIMIT, MAX_IN_VALUES, MAX_VALUE_LENGTH, parseQuery, type ParseOptions } from '../../../../services/query/query/parse-query.ts';
import { QueryError } from '../../../../services/query/query-error.ts';
import { dimensions, measures, testCatalog, testTable } from '../catalog-fixture.ts';

// The `shop` catalog, built by hand: a dimension of every kind (region nullable), a measure of
// every kind, a window of every kind; and `secret`, which the test key may not read.
const table = (source: string) =>
  testTable({
    source,
    dimensions: [...dimensions('country'), { field: 'plan', kind: 'enum', symbols: ['free', 'pro', 'team'] }, ...dimensions('mobile', 'status', 'user_num', 'region?')],
    measures: measures('events', 'revenue', 'amount_min', 'amount_avg', 'buyers', 'amount_p90'),
    windows: [
      { kind: 'tumbling', sizeMs: 60_000 },
      { kind: 'tumbling', sizeMs: 3_600_000 },
      { kind: 'hopping', sizeMs: 3_600_000, advanceMs: 300_000 },
      { kind: 'session', gapMs: 1_800_000 },
    ],
  });
const CATALOG: Catalog = testCatalog({ shop: table('shop'), secret: table('secret') });
const OPTIONS: ParseOptions = { maxRows: 50_000, mayRead: (type) => type !== 'secret' };

const parse = (raw: unknown, options: Partial<ParseOptions> = {}) => parseQuery(raw, CATALOG, { ...OPTIONS, ...options });
const base = { type: 'shop', measures: ['events'] };

/** The problems of an invalid query, as "at: message". */
function problems(raw: unknown): string[] {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof QueryError && error.code === 'QUERY_INVALID') return error.problems.map((p) => `${p.at}: ${p.message}`);
    throw error;
  }
  throw new Error('expected the query to be refused');
}
const where = (raw: unknown) => problems(raw).map((p) => p.slice(0, p.indexOf(': ')));

describe('parseQuery: the query as a whole', () => {
  it('fills in the defaults', () => {
    const spec = parse(base);
    expect(spec.type.type).toBe('shop');
    expect(spec.measures.map((m) => m.name)).toEqual(['events']);
    expect(spec).toMatchObject({ groupBy: [], filters: [], time: {}, timeZone: 'UTC', granularityMs: undefined, window: undefined, orderBy: [], limit: DEFAULT_LIMIT, topN: undefined, fill: false });
    expect(parse(base, { maxRows: 500 }).limit).toBe(500);
  });

  it('refuses what is not an object, or names no known type', () => {
    for (const raw of [null, [], 'shop', 3]) expect(where(raw)).toEqual(['query']);
    expect(problems({ measures: ['events'] })).toEqual(['type: must name an event type, got nothing']);
    expect(problems({ type: 'nope', measures: ['events'] })).toEqual(['type: no aggregates are defined for "nope"; known: shop']);
  });

  it('answers FORBIDDEN (403) for a type the key may not read, before looking at the rest', () => {
    const error = (() => {
      try {
        parse({ type: 'secret', measures: ['nope'] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('collects every problem with its path', () => {
    const list = problems({
      type: 'shop',
      measures: ['events', 'nope', 'events', 7],
      groupBy: ['country', 'planet'],
      filters: [{ dimension: 'country', op: 'eq', value: 'FR', extra: 1 }, { dimension: 'country', op: 'eq', value: 5 }, { dimension: 'country', op: 'like', value: 'F%' }, { dimension: 'nope', op: 'eq', value: 'x' }, 'country=FR'],
      topN: { n: 3, by: 'revenue' },
      colour: 'blue',
    });
    expect(list.map((p) => p.slice(0, p.indexOf(': ')))).toEqual([
      'colour',
      'measures[2]',
      'measures[3]',
      'measures[1]',
      'groupBy[1]',
      'filters[0].extra',
      'filters[1].value',
      'filters[2].op',
      'filters[3].dimension',
      'filters[4]',
      'topN.by',
    ]);
    expect(list).toContain('measures[2]: "events" appears twice');
    expect(list).toContain('filters[1].value: country holds text, got number 5');
    expect(list).toContain('topN.by: must be one of the query\'s measures (events, nope), got "revenue"');
  });

  it('names the first three problems in the message and counts the rest', () => {
    try {
      parse({ type: 'shop', measures: ['a', 'b', 'c', 'd', 'e'] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/^invalid query: measures\[0\]: unknown measure "a"; .*; measures\[2\]: .* \(and 2 more\)$/);
    }
  });

  it('needs at least one measure', () => {
    expect(where({ type: 'shop' })).toEqual(['measures']);
    expect(where({ type: 'shop', measures: [] })).toEqual(['measures']);
    expect(where({ type: 'shop', measures: 'events,revenue' })).toEqual(['measures[0]']);
  });
});

describe('parseQuery: filter values by dimension kind', () => {
  const eq = (dimension: string, value: unknown) => ({ ...base, filters: [{ dimension, op: 'eq', value }] });
  const accepted = (dimension: string, value: unknown) => {
    const f = parse(eq(dimension, value)).filters[0]!;
    return f.op === 'eq' ? f.value : undefined;
  };

  it.each([
    ['country', "'; DROP TABLE x; --"],
    ['country', ''],
    ['country', 'x'.repeat(MAX_VALUE_LENGTH)],
    ['plan', 'pro'],
    ['mobile', true],
    ['mobile', false],
    ['status', 2_147_483_647],
    ['status', -2_147_483_648],
    ['user_num', Number.MAX_SAFE_INTEGER],
    ['user_num', Number.MIN_SAFE_INTEGER],
    ['region', null],
    ['region', 'eu'],
  ])('accepts %s = %j', (dimension, value) => {
    expect(accepted(dimension, value)).toBe(value);
  });

  it.each([
    ['country', 5, 'country holds text, got number 5'],
    ['country', null, 'country is never null'],
    ['country', 'x'.repeat(MAX_VALUE_LENGTH + 1), `is ${MAX_VALUE_LENGTH + 1} characters long; at most ${MAX_VALUE_LENGTH}`],
    ['country', 'a\ud800b', 'is not valid Unicode (a lone surrogate)'],
    ['plan', 'gold', '"gold" is not a symbol of plan: free, pro, team'],
    ['plan', 1, 'plan holds one of free, pro, team, got number 1'],
    ['mobile', 'true', 'mobile holds true or false, got "true"'],
    ['mobile', 1, 'mobile holds true or false, got number 1'],
    ['status', 2_147_483_648, '2147483648 is out of range for status (-2147483648 .. 2147483647)'],
    ['status', -2_147_483_649, '-2147483649 is out of range for status (-2147483648 .. 2147483647)'],
    ['status', 1.5, 'status holds whole numbers, got number 1.5'],
    ['status', '200', 'status holds whole numbers, got "200"'],
    ['user_num', 2 ** 53, '9007199254740992 is out of range for user_num (-9007199254740991 .. 9007199254740991)'],
    ['user_num', Infinity, 'user_num holds whole numbers, got number Infinity'],
    ['region', { $ne: 1 }, 'region holds text, got an object'],
  ])('refuses %s = %j', (dimension, value, message) => {
    expect(problems(eq(dimension, value))).toEqual([`filters[0].value: ${message}`]);
  });

  it('reads every op', () => {
    // Each filter reads back as given, its dimension resolved (and named here by its name).
    const filters = [
      { dimension: 'region', op: 'neq', value: null },
      { dimension: 'plan', op: 'in', values: ['free', 'team'] },
      { dimension: 'region', op: 'in', values: ['eu', null] },
      { dimension: 'status', op: 'range', gte: 200, lt: 300 },
      { dimension: 'plan', op: 'range', gt: 'a' },
      { dimension: 'country', op: 'prefix', value: 'F' },
    ];
    const spec = parse({ ...base, filters: structuredClone(filters) });
    expect(spec.filters.map(({ dimension, ...rest }) => ({ dimension: dimension.name, ...rest }))).toEqual(filters);
  });

  it.each([
    [{ dimension: 'country', op: 'in', values: [] }, ['filters[0].values']],
    [{ dimension: 'country', op: 'in', values: 'FR' }, ['filters[0].values']],
    [{ dimension: 'country', op: 'in', values: ['FR', 'DE', 3] }, ['filters[0].values[2]']],
    [{ dimension: 'country', op: 'in', values: Array.from({ length: MAX_IN_VALUES + 1 }, (_, i) => `c${i}`) }, ['filters[0].values']],
    [{ dimension: 'country', op: 'eq' }, ['filters[0].value']],
    [{ dimension: 'mobile', op: 'range', gte: 0 }, ['filters[0].op']],
    [{ dimension: 'status', op: 'range', gte: 1, gt: 2 }, ['filters[0]']],
    [{ dimension: 'status', op: 'range', lte: 1, lt: 2 }, ['filters[0]']],
    [{ dimension: 'status', op: 'range' }, ['filters[0]']],
    [{ dimension: 'status', op: 'range', gte: 'a' }, ['filters[0].gte', 'filters[0]']],
    [{ dimension: 'status', op: 'prefix', value: '2' }, ['filters[0].op']],
    [{ dimension: 'country', op: 'prefix', value: '' }, ['filters[0].value']],
    [{ dimension: 'country', op: 'prefix', value: 5 }, ['filters[0].value']],
    [{ dimension: 7, op: 'eq', value: 'x' }, ['filters[0].dimension']],
    [{ dimension: 'country', value: 'x' }, ['filters[0].op']],
  ])('refuses the filter %j at %j', (filter, at) => {
    expect(where({ ...base, filters: [filter] })).toEqual(at);
  });

  it('refuses filters that are not a list, or too many', () => {
    expect(where({ ...base, filters: { dimension: 'country' } })).toEqual(['filters']);
    expect(where({ ...base, filters: Array.from({ length: 33 }, () => ({ dimension: 'country', op: 'eq', value: 'x' })) })).toEqual(['filters']);
  });
});

describe('parseQuery: time', () => {
  const time = (fields: Record<string, unknown>) => parse({ ...base, ...fields }).time;

  it.each([
    [{ from: '2026-11-24T10:00:00Z' }, Date.UTC(2026, 10, 24, 10)],
    [{ from: '2026-11-24T10:00:00+01:00' }, Date.UTC(2026, 10, 24, 9)],
    [{ from: '2026-11-24T10:00:00.250-05:00' }, Date.UTC(2026, 10, 24, 15, 0, 0, 250)],
    [{ from: '2026-11-24T10:00', timeZone: 'Europe/Paris' }, Date.UTC(2026, 10, 24, 9)],
    [{ from: '2026-11-24 10:00:30', timeZone: 'Europe/Paris' }, Date.UTC(2026, 10, 24, 9, 0, 30)],
    [{ from: '2026-11-24', timeZone: 'America/New_York' }, Date.UTC(2026, 10, 24, 5)],
    [{ from: '2026-11-24', timeZone: 'Asia/Kolkata' }, Date.UTC(2026, 10, 23, 18, 30)],
    [{ from: '2026-11-24' }, Date.UTC(2026, 10, 24)],
    // A local time that a DST jump skips is the instant of the jump.
    [{ from: '2026-03-29T02:30', timeZone: 'Europe/Paris' }, Date.UTC(2026, 2, 29, 1)],
    // RFC 3339 carries its own offset: the query's zone does not change it.
    [{ from: '2026-11-24T10:00:00Z', timeZone: 'Asia/Kolkata' }, Date.UTC(2026, 10, 24, 10)],
    [{ from: 1_795_000_000_000 }, 1_795_000_000_000],
    [{ from: '1795000000000' }, 1_795_000_000_000],
    [{ from: 0 }, 0],
    [{ from: 253_402_300_799_999 }, 253_402_300_799_999],
    // Years 0 to 99 are those years, not 1900 to 1999 (as Date.UTC would have it).
    [{ from: '0050-01-01' }, -60_589_296_000_000],
  ])('reads %j', (fields, fromMs) => {
    expect(time(fields).fromMs).toBe(fromMs);
  });

  it.each([['yesterday'], ['2026-02-30'], ['2026-11-24T24:00'], ['2026-11-24T10:60'], ['2026-13-01'], ['2026-11-24T10:00:00'.replace('T', 'X')], [-1], [1.5], [true], [null], [{}], ['1e12'], ['2026-11-24T10:00:00+25:00']])(
    'refuses from = %j',
    (from) => {
      expect(where({ ...base, from })).toEqual(['from']);
    },
  );

  it('refuses instants and ranges that dates cannot hold, as problems rather than crashes', () => {
    // Past 9999 (and past JavaScript's dates) the range could be neither bucketed nor shown.
    expect(where({ ...base, from: 9_000_000_000_000_000, to: 1 })).toEqual(['from']);
    expect(where({ ...base, from: 253_402_300_800_000 })).toEqual(['from']);
    expect(where({ ...base, to: '999999999999999' })).toEqual(['to']);
    expect(where({ ...base, last: '999999999w' })).toEqual(['last']);
    expect(where({ ...base, last: '36526d' })).toEqual(['last']);
    expect(time({ last: '36525d' })).toEqual({ lastMs: 36_525 * 86_400_000 });
  });

  it('reads last, and refuses it beside from', () => {
    expect(time({ last: '15m' })).toEqual({ lastMs: 900_000 });
    expect(time({ last: '7d', to: '2026-11-24T00:00:00Z' })).toEqual({ lastMs: 604_800_000, toMs: Date.UTC(2026, 10, 24) });
    expect(where({ ...base, last: 'fortnight' })).toEqual(['last']);
    expect(where({ ...base, last: 15 })).toEqual(['last']);
    expect(where({ ...base, last: '1h', from: '2026-11-24T00:00:00Z' })).toEqual(['last']);
  });

  it('needs to after from', () => {
    expect(time({ from: '2026-11-24T00:00:00Z', to: '2026-11-24T01:00:00Z' })).toEqual({ fromMs: Date.UTC(2026, 10, 24), toMs: Date.UTC(2026, 10, 24, 1) });
    expect(where({ ...base, from: '2026-11-24T01:00:00Z', to: '2026-11-24T01:00:00Z' })).toEqual(['to']);
    expect(where({ ...base, from: '2026-11-24T01:00:00Z', to: '2026-11-24T00:00:00Z' })).toEqual(['to']);
  });

  it('reads the time zone, and refuses one that is not a zone', () => {
    expect(parse({ ...base, timeZone: 'utc' }).timeZone).toBe('UTC');
    expect(parse({ ...base, timeZone: 'Asia/Kolkata' }).timeZone).toBe('Asia/Kolkata');
    for (const timeZone of ['Mars/Olympus', '../etc', '', 'x'.repeat(100), 5, null]) expect(where({ ...base, timeZone })).toEqual(['timeZone']);
  });
});

describe('parseQuery: buckets, order, limit, topN, fill', () => {
  it('reads granularity and window', () => {
    const spec = parse({ ...base, granularity: '90s', window: 'tumbling_1m' });
    expect(spec.granularityMs).toBe(90_000);
    expect(spec.window?.name).toBe('tumbling_1m');
    expect(where({ ...base, granularity: '1.5h' })).toEqual(['granularity']);
    expect(where({ ...base, window: 'tumbling_1d' })).toEqual(['window']);
    expect(where({ ...base, window: 3 })).toEqual(['window']);
    expect(where({ ...base, window: 'hopping_1h_5m', granularity: '1h' })).toEqual(['granularity']);
    expect(parse({ ...base, window: 'session_30m' }).window?.spec).toEqual({ kind: 'session', gapMs: 1_800_000, at: '' });
  });

  it('orders by start, the query\'s measures and its groupBy dimensions', () => {
    expect(parse({ ...base, orderBy: 'events:desc' }).orderBy).toEqual([{ by: 'events', desc: true }]);
    expect(parse({ ...base, groupBy: ['country'], orderBy: ['start', { by: 'country', direction: 'desc' }] }).orderBy).toEqual([
      { by: 'start', desc: false },
      { by: 'country', desc: true },
    ]);
    expect(where({ ...base, orderBy: 'country' })).toEqual(['orderBy']);
    expect(where({ ...base, orderBy: 'revenue' })).toEqual(['orderBy']);
    expect(where({ ...base, orderBy: ['start', 'events:up'] })).toEqual(['orderBy[1]']);
    expect(where({ ...base, orderBy: [5] })).toEqual(['orderBy[0]']);
  });

  it('bounds the limit by maxRows', () => {
    expect(parse({ ...base, limit: 1 }).limit).toBe(1);
    expect(parse({ ...base, limit: 50_000 }).limit).toBe(50_000);
    for (const limit of [0, -1, 1.5, 50_001, '10']) expect(where({ ...base, limit })).toEqual(['limit']);
  });

  it('reads topN', () => {
    const spec = parse({ type: 'shop', measures: ['events', 'revenue'], groupBy: ['country'], topN: { n: 5, by: 'revenue' } });
    expect(spec.topN).toMatchObject({ n: 5, desc: true });
    expect(spec.topN?.by.name).toBe('revenue');
    expect(parse({ ...base, groupBy: ['country'], topN: { n: 1, by: 'events', direction: 'asc' } }).topN?.desc).toBe(false);
    expect(where({ ...base, groupBy: ['country'], topN: { n: 0, by: 'events' } })).toEqual(['topN.n']);
    expect(where({ ...base, groupBy: ['country'], topN: { n: 1001, by: 'events' } })).toEqual(['topN.n']);
    expect(where({ ...base, groupBy: ['country'], topN: { n: 5, by: 'revenue' } })).toEqual(['topN.by']);
    expect(where({ ...base, groupBy: ['country'], topN: { n: 5, by: 'events', direction: 'down' } })).toEqual(['topN.direction']);
    expect(where({ ...base, groupBy: ['country'], topN: { n: 5, by: 'events', within: 'day' } })).toEqual(['topN.within']);
    expect(where({ ...base, topN: { n: 5, by: 'events' } })).toEqual(['topN']);
    expect(where({ ...base, groupBy: ['country'], topN: 5 })).toEqual(['topN']);
  });

  it('reads fill', () => {
    expect(parse({ ...base, fill: true }).fill).toBe(true);
    expect(where({ ...base, fill: 'yes' })).toEqual(['fill']);
  });

  it('bounds measures and groupBy', () => {
    expect(where({ ...base, groupBy: Array.from({ length: 9 }, () => 'country') })).toEqual(['groupBy']);
    expect(parse({ ...base, groupBy: 'country' }).groupBy.map((d) => d.name)).toEqual(['country']);
    expect(problems({ type: 'shop', measures: Array.from({ length: 33 }, (_, i) => `m${i}`) })[0]).toBe('measures: has 33 entries; at most 32');
  });
});
