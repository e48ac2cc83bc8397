import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../../services/query/query/parse-query.ts';
import { queryFromParams } from '../../../../services/query/query/query-params.ts';
import { canonicalQuery } from '../../../../services/query/query/query-spec.ts';
import { QueryError } from '../../../../services/query/query-error.ts';
import { dimensions, measures, readAll, testCatalog, testTable } from '../catalog-fixture.ts';

// A `shop` catalog by hand: one dimension of each kind the GET form types by (text, int, long, boolean).
const CATALOG = testCatalog({ shop: testTable({ dimensions: dimensions('country', 'status', 'user_num', 'mobile'), measures: measures('events', 'revenue'), windows: [{ kind: 'tumbling', sizeMs: 60_000 }] }) });
const spec = (raw: unknown) => parseQuery(raw, CATALOG, readAll());

function problemsOf(params: Record<string, unknown>): string[] {
  try {
    queryFromParams(params, CATALOG);
  } catch (error) {
    if (error instanceof QueryError && error.code === 'QUERY_INVALID') return error.problems.map((p) => p.at);
    throw error;
  }
  throw new Error('expected the parameters to be refused');
}

describe('queryFromParams', () => {
  it('turns the GET form into the JSON body', () => {
    const params = {
      type: 'shop',
      measures: 'events,revenue',
      groupBy: 'country,status',
      filter: ['status:gte:200', 'status:lt:300', 'mobile:eq:true', 'country:in:FR,DE', 'user_num:neq:-12', 'country:prefix:F'],
      from: '2026-11-24T00:00',
      to: '2026-11-25T00:00',
      timeZone: 'Europe/Paris',
      granularity: '1h',
      window: 'tumbling_1m',
      orderBy: 'revenue:desc,start',
      limit: '10',
      topN: '5:revenue:asc',
      fill: 'true',
      key: 'the-stream-key',
    };
    const body = {
      type: 'shop',
      measures: ['events', 'revenue'],
      groupBy: ['country', 'status'],
      filters: [
        { dimension: 'status', op: 'range', gte: 200 },
        { dimension: 'status', op: 'range', lt: 300 },
        { dimension: 'mobile', op: 'eq', value: true },
        { dimension: 'country', op: 'in', values: ['FR', 'DE'] },
        { dimension: 'user_num', op: 'neq', value: -12 },
        { dimension: 'country', op: 'prefix', value: 'F' },
      ],
      from: '2026-11-24T00:00',
      to: '2026-11-25T00:00',
      timeZone: 'Europe/Paris',
      granularity: '1h',
      window: 'tumbling_1m',
      orderBy: ['revenue:desc', 'start'],
      limit: 10,
      topN: { n: 5, by: 'revenue', direction: 'asc' },
      fill: true,
    };
    expect(queryFromParams(params, CATALOG)).toEqual(body);
    // And parsed, it is the same query as the body (the stream key is transport, not query).
    expect(canonicalQuery(spec(queryFromParams(params, CATALOG)))).toBe(canonicalQuery(spec(body)));
  });

  it('types values by the dimension kind, and leaves text as text', () => {
    const filter = (f: string) => (queryFromParams({ type: 'shop', filter: f }, CATALOG) as { filters: unknown[] }).filters[0];
    expect(filter('country:eq:200')).toEqual({ dimension: 'country', op: 'eq', value: '200' });
    expect(filter('country:eq:true')).toEqual({ dimension: 'country', op: 'eq', value: 'true' });
    expect(filter('country:eq:a:b:c')).toEqual({ dimension: 'country', op: 'eq', value: 'a:b:c' });
    expect(filter('country:eq:')).toEqual({ dimension: 'country', op: 'eq', value: '' });
    expect(filter('status:eq:2x')).toEqual({ dimension: 'status', op: 'eq', value: '2x' });
    expect(filter('status:in:1,2,x')).toEqual({ dimension: 'status', op: 'in', values: [1, 2, 'x'] });
    expect(filter('mobile:eq:yes')).toEqual({ dimension: 'mobile', op: 'eq', value: 'yes' });
    expect(filter('nope:eq:1')).toEqual({ dimension: 'nope', op: 'eq', value: '1' });
    // 17 digits are not read as a number (they could not be exact): parseQuery then refuses the text.
    expect(filter('user_num:eq:12345678901234567')).toEqual({ dimension: 'user_num', op: 'eq', value: '12345678901234567' });
  });

  it('leaves what is wrong to parseQuery, which names it like a bad body', () => {
    const raw = queryFromParams({ type: 'shop', measures: 'events', filter: 'status:eq:2x', limit: 'ten', fill: 'maybe', topN: 'x:events' }, CATALOG);
    expect(raw).toMatchObject({ limit: 'ten', fill: 'maybe', topN: { n: 'x', by: 'events' } });
    try {
      spec(raw);
      expect.unreachable();
    } catch (error) {
      expect((error as QueryError).problems.map((p) => p.at)).toEqual(['filters[0].value', 'limit', 'topN.n', 'topN', 'fill']);
    }
  });

  it('reads empty lists as empty', () => {
    expect(queryFromParams({ type: 'shop', measures: 'events', groupBy: '' }, CATALOG)).toEqual({ type: 'shop', measures: ['events'], groupBy: [] });
  });

  it('takes q=<JSON> alone, as the body', () => {
    const body = { type: 'shop', measures: ['events'], filters: [{ dimension: 'country', op: 'eq', value: "'; DROP TABLE x; --" }] };
    expect(queryFromParams({ q: JSON.stringify(body) }, CATALOG)).toEqual(body);
    expect(queryFromParams({ q: JSON.stringify(body), key: 'k' }, CATALOG)).toEqual(body);
    expect(problemsOf({ q: JSON.stringify(body), type: 'shop' })).toEqual(['q']);
    expect(problemsOf({ q: '{"type":' })).toEqual(['q']);
    expect(problemsOf({ q: ['{}', '{}'] })).toEqual(['q']);
  });

  it('refuses unknown and repeated parameters', () => {
    expect(problemsOf({ type: 'shop', measure: 'events' })).toEqual(['measure']);
    expect(problemsOf({ type: 'shop', measures: 'events', 'filters[0]': 'x' })).toEqual(['filters[0]']);
    expect(problemsOf({ type: ['shop', 'shop'], measures: 'events' })).toEqual(['type']);
    expect(problemsOf({ type: 'shop', measures: ['events', 'revenue'] })).toEqual(['measures']);
    expect(problemsOf({ type: 'shop', limit: ['1', '2'], fill: ['true', 'false'], topN: ['1:a', '2:b'] })).toEqual(['limit', 'fill', 'topN']);
    expect(problemsOf({ type: 'shop', filter: ['country:eq:FR', 'country=FR', 'country:eq'] })).toEqual(['filter[1]', 'filter[2]']);
  });

  it('takes one filter given once, and repeated filters in order', () => {
    expect(queryFromParams({ filter: 'country:eq:FR' }, CATALOG)).toEqual({ filters: [{ dimension: 'country', op: 'eq', value: 'FR' }] });
    expect((queryFromParams({ filter: ['country:eq:FR', 'country:neq:DE'] }, CATALOG) as { filters: unknown[] }).filters).toHaveLength(2);
  });
});
