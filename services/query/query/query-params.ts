/**
 * The GET form of a query, for links, curl and EventSource (which cannot POST): the same fields as
 * the JSON body, as URL parameters. Lists are comma-separated; filters are
 * `filter=<dimension>:<op>:<value>` (repeatable; `in` takes comma-separated values), `topN` is
 * `<n>:<measure>[:asc]`, `orderBy` is `<name>[:desc],...`. Or `q=<the JSON body>`, alone.
 * Numbers and booleans are read by the dimension's kind in the catalog; anything left wrong is
 * reported by parseQuery like a bad body.
 */
import type { Catalog } from '../catalog.ts';
import { invalidQuery, type Problem } from '../query-error.ts';

const LISTS = ['measures', 'groupBy', 'orderBy'] as const;
const SCALARS = ['type', 'from', 'to', 'last', 'timeZone', 'granularity', 'window'] as const;
/** Parameters that are not part of the query (the stream's key). */
export const TRANSPORT_PARAMS = ['key'] as const;

type Params = Readonly<Record<string, unknown>>;

function single(params: Params, name: string, problems: Problem[]): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    problems.push({ at: name, message: 'give this parameter once' });
    return undefined;
  }
  return v;
}

function typedValue(text: string, kind: string | undefined): unknown {
  if ((kind === 'int' || kind === 'long') && /^-?\d{1,16}$/.test(text)) return Number(text);
  if (kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

export function queryFromParams(params: Params, catalog: Catalog): unknown {
  const problems: Problem[] = [];
  const known = new Set<string>([...LISTS, ...SCALARS, 'filter', 'limit', 'topN', 'fill', 'q', ...TRANSPORT_PARAMS]);
  for (const name of Object.keys(params)) if (!known.has(name)) problems.push({ at: name, message: `unknown parameter; the GET form takes ${[...known].join(', ')}` });

  const q = single(params, 'q', problems);
  if (q !== undefined) {
    const others = Object.keys(params).filter((k) => k !== 'q' && !(TRANSPORT_PARAMS as readonly string[]).includes(k));
    if (others.length > 0) problems.push({ at: 'q', message: `q holds the whole query as JSON; leave out ${others.join(', ')}` });
    if (problems.length > 0) throw invalidQuery(problems);
    try {
      return JSON.parse(q);
    } catch (error) {
      throw invalidQuery([{ at: 'q', message: `is not valid JSON: ${(error as Error).message}` }]);
    }
  }

  const query: Record<string, unknown> = {};
  for (const name of SCALARS) {
    const v = single(params, name, problems);
    if (v !== undefined) query[name] = v;
  }
  for (const name of LISTS) {
    const v = single(params, name, problems);
    if (v !== undefined) query[name] = v === '' ? [] : v.split(',');
  }
  const dims = typeof query.type === 'string' ? catalog.get(query.type)?.dimensions : undefined;
  const rawFilters = params['filter'];
  if (rawFilters !== undefined) {
    const list = Array.isArray(rawFilters) ? rawFilters : [rawFilters];
    query.filters = list.map((f: unknown, i) => {
      const text = String(f);
      const first = text.indexOf(':');
      const second = first < 0 ? -1 : text.indexOf(':', first + 1);
      if (second < 0) {
        problems.push({ at: `filter[${i}]`, message: `must be <dimension>:<op>:<value>, e.g. country:eq:FR, got ${JSON.stringify(text.slice(0, 60))}` });
        return undefined;
      }
      const dimension = text.slice(0, first);
      const op = text.slice(first + 1, second);
      const value = text.slice(second + 1);
      const kind = dims?.find((d) => d.name === dimension)?.kind;
      if (op === 'in') return { dimension, op, values: value.split(',').map((v) => typedValue(v, kind)) };
      if (['gte', 'gt', 'lte', 'lt'].includes(op)) return { dimension, op: 'range', [op]: typedValue(value, kind) };
      return { dimension, op, value: typedValue(value, kind) };
    });
  }
  const limit = single(params, 'limit', problems);
  if (limit !== undefined) query.limit = /^\d{1,9}$/.test(limit) ? Number(limit) : limit;
  const fill = single(params, 'fill', problems);
  if (fill !== undefined) query.fill = fill === 'true' ? true : fill === 'false' ? false : fill;
  const topN = single(params, 'topN', problems);
  if (topN !== undefined) {
    const [n, by, direction] = topN.split(':');
    query.topN = { n: /^\d{1,4}$/.test(n ?? '') ? Number(n) : n, by, ...(direction === undefined ? {} : { direction }) };
  }
  if (problems.length > 0) throw invalidQuery(problems);
  return query;
}
