/**
 * Checks a query (the JSON body of POST /v1/query, or the GET form turned into the same shape)
 * against the catalog and turns it into a QuerySpec. Every problem is collected with its path, so
 * one 400 names all of them. Names are only ever looked up in the catalog; values are only ever
 * checked for their kind here and bound (or escaped) later, never pasted into SQL.
 */
import type { MeasureDef } from '../../aggregator/definition/aggregate-definition.ts';
import { parseTimestamp } from '../../gateway/validation/time-format.ts';
import type { Catalog, CatalogDimension, CatalogType, CatalogWindow } from '../catalog.ts';
import { invalidQuery, QueryError, type Problem } from '../query-error.ts';
import { DURATION_HINT, parseDuration } from '../time/durations.ts';
import { canonicalTimeZone, fromWallMs } from '../time/zone-clock.ts';
import { FILTER_OPS, type Filter, type Order, type QuerySpec, type TimeSpec, type Value } from './query-spec.ts';

export const QUERY_FIELDS = ['type', 'measures', 'groupBy', 'filters', 'from', 'to', 'last', 'timeZone', 'granularity', 'window', 'orderBy', 'limit', 'topN', 'fill'] as const;
export const MAX_FILTERS = 32;
export const MAX_IN_VALUES = 1_000;
export const MAX_VALUE_LENGTH = 1_024;
/** 9999-12-31T23:59:59.999Z: later instants, and ranges reaching past JavaScript's dates, cannot be bucketed or shown. */
export const MAX_INSTANT_MS = 253_402_300_799_999;
export const MAX_LAST_MS = 36_525 * 86_400_000; // 100 years
export const DEFAULT_LIMIT = 10_000;

export interface ParseOptions {
  /** The most rows a response may have (WEIR_QUERY_MAX_ROWS). */
  readonly maxRows: number;
  /** Whether the caller's key may read this type. */
  readonly mayRead: (type: string) => boolean;
}

const INT32 = [-2_147_483_648, 2_147_483_647] as const;

const describe = (v: unknown): string => (v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `"${v.length > 40 ? `${v.slice(0, 40)}...` : v}"` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`);

class Problems {
  readonly list: Problem[] = [];
  add(at: string, message: string): undefined {
    this.list.push({ at, message });
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string without lone surrogates (which would not survive UTF-8), within the length limit. */
function checkText(v: string, at: string, p: Problems): string | undefined {
  if (v.length > MAX_VALUE_LENGTH) return p.add(at, `is ${v.length} characters long; at most ${MAX_VALUE_LENGTH}`);
  if (!v.isWellFormed()) return p.add(at, 'is not valid Unicode (a lone surrogate)');
  return v;
}

function stringList(raw: unknown, at: string, p: Problems, max: number): string[] | undefined {
  if (raw === undefined) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list)) return p.add(at, `must be an array of names, got ${describe(raw)}`);
  if (list.length > max) return p.add(at, `has ${list.length} entries; at most ${max}`);
  const out: string[] = [];
  list.forEach((name, i) => {
    if (typeof name !== 'string') p.add(`${at}[${i}]`, `must be a name, got ${describe(name)}`);
    else if (out.includes(name)) p.add(`${at}[${i}]`, `"${name}" appears twice`);
    else out.push(name);
  });
  return out;
}

function lookup<T extends { readonly name: string }>(items: readonly T[], name: string, at: string, what: string, p: Problems): T | undefined {
  const found = items.find((i) => i.name === name);
  if (found === undefined) p.add(at, `unknown ${what} ${describe(name)}; known: ${items.map((i) => i.name).join(', ') || 'none'}`);
  return found;
}

/** A dimension's value, of the dimension's kind. */
function dimensionValue(raw: unknown, dimension: CatalogDimension, at: string, p: Problems): Value | undefined {
  if (raw === null) return dimension.nullable ? null : p.add(at, `${dimension.name} is never null`);
  switch (dimension.kind) {
    case 'string':
      return typeof raw === 'string' ? checkText(raw, at, p) : p.add(at, `${dimension.name} holds text, got ${describe(raw)}`);
    case 'enum':
      if (typeof raw !== 'string') return p.add(at, `${dimension.name} holds one of ${dimension.symbols?.join(', ')}, got ${describe(raw)}`);
      return dimension.symbols === undefined || dimension.symbols.includes(raw) ? raw : p.add(at, `${describe(raw)} is not a symbol of ${dimension.name}: ${dimension.symbols.join(', ')}`);
    case 'boolean':
      return typeof raw === 'boolean' ? raw : p.add(at, `${dimension.name} holds true or false, got ${describe(raw)}`);
    case 'int':
    case 'long': {
      const [lo, hi] = dimension.kind === 'int' ? INT32 : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return p.add(at, `${dimension.name} holds whole numbers, got ${describe(raw)}`);
      return raw >= lo && raw <= hi ? raw : p.add(at, `${raw} is out of range for ${dimension.name} (${lo} .. ${hi})`);
    }
  }
}

function parseFilter(raw: unknown, at: string, dims: readonly CatalogDimension[], p: Problems): Filter | undefined {
  if (!isRecord(raw)) return p.add(at, `must be an object like {"dimension": "country", "op": "eq", "value": "FR"}, got ${describe(raw)}`);
  const allowed = new Set(['dimension', 'op', 'value', 'values', 'gte', 'gt', 'lte', 'lt']);
  for (const key of Object.keys(raw)) if (!allowed.has(key)) p.add(`${at}.${key}`, `unknown field; a filter has ${[...allowed].join(', ')}`);
  if (typeof raw.dimension !== 'string') return p.add(`${at}.dimension`, `must name a dimension, got ${describe(raw.dimension)}`);
  const dimension = lookup(dims, raw.dimension, `${at}.dimension`, 'dimension', p);
  if (!(FILTER_OPS as readonly unknown[]).includes(raw.op)) return p.add(`${at}.op`, `must be one of ${FILTER_OPS.join(', ')}, got ${describe(raw.op)}`);
  if (dimension === undefined) return undefined;
  const op = raw.op as Filter['op'];
  switch (op) {
    case 'eq':
    case 'neq': {
      if (!('value' in raw)) return p.add(`${at}.value`, `is required for ${op}`);
      const value = dimensionValue(raw.value, dimension, `${at}.value`, p);
      return value === undefined ? undefined : { dimension, op, value };
    }
    case 'in': {
      if (!Array.isArray(raw.values) || raw.values.length === 0) return p.add(`${at}.values`, `must be a non-empty array for in, got ${describe(raw.values)}`);
      if (raw.values.length > MAX_IN_VALUES) return p.add(`${at}.values`, `has ${raw.values.length} values; at most ${MAX_IN_VALUES}`);
      const values = raw.values.map((v, i) => dimensionValue(v, dimension, `${at}.values[${i}]`, p));
      return values.some((v) => v === undefined) ? undefined : { dimension, op, values: values as Value[] };
    }
    case 'prefix': {
      if (dimension.kind !== 'string' && dimension.kind !== 'enum') return p.add(`${at}.op`, `prefix applies to text dimensions; ${dimension.name} holds ${dimension.kind} values`);
      if (typeof raw.value !== 'string' || raw.value === '') return p.add(`${at}.value`, `must be non-empty text for prefix, got ${describe(raw.value)}`);
      const value = checkText(raw.value, `${at}.value`, p);
      return value === undefined ? undefined : { dimension, op, value };
    }
    case 'range': {
      if (dimension.kind === 'boolean') return p.add(`${at}.op`, `range does not apply to ${dimension.name}, which holds true or false`);
      const bounds: Record<string, string | number> = {};
      for (const key of ['gte', 'gt', 'lte', 'lt'] as const) {
        if (raw[key] === undefined) continue;
        const v = dimensionValue(raw[key], { ...dimension, nullable: false, kind: dimension.kind === 'enum' ? 'string' : dimension.kind }, `${at}.${key}`, p);
        if (v !== undefined && v !== null && typeof v !== 'boolean') bounds[key] = v;
      }
      if (raw.gte !== undefined && raw.gt !== undefined) p.add(at, 'give gte or gt, not both');
      if (raw.lte !== undefined && raw.lt !== undefined) p.add(at, 'give lte or lt, not both');
      if (Object.keys(bounds).length === 0) return p.add(at, 'range needs at least one of gte, gt, lte, lt');
      return { dimension, op, ...bounds };
    }
  }
}

/** An instant: RFC 3339 with a zone, a local date or date-time (read in `timeZone`), or epoch ms. */
function instant(raw: unknown, at: string, timeZone: string, p: Problems): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 && raw <= MAX_INSTANT_MS ? raw : p.add(at, `epoch milliseconds must be a whole number from 0 to ${MAX_INSTANT_MS}, got ${raw}`);
  if (typeof raw !== 'string') return p.add(at, `must be a time, got ${describe(raw)}`);
  if (/^\d{1,15}$/.test(raw)) return Number(raw) <= MAX_INSTANT_MS ? Number(raw) : p.add(at, `epoch milliseconds must be at most ${MAX_INSTANT_MS}, got ${raw}`);
  const zoned = parseTimestamp(raw, 'millis');
  if (zoned !== undefined) return zoned;
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(raw);
  if (local !== null) {
    const [y, mo, d, h = '0', mi = '0', s = '0'] = local.slice(1).map((x) => x ?? '0');
    // Not Date.UTC, which reads years 0 to 99 as 1900 to 1999.
    const check = new Date(0);
    check.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
    check.setUTCHours(Number(h), Number(mi), Number(s), 0);
    const wall = check.getTime();
    if (check.getUTCMonth() === Number(mo) - 1 && check.getUTCDate() === Number(d) && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60) return fromWallMs(wall, timeZone);
  }
  return p.add(at, `${describe(raw)} is not a time: give RFC 3339 ("2026-11-24T10:00:00Z"), a local time in the query's timeZone ("2026-11-24T10:00" or "2026-11-24"), or epoch milliseconds`);
}

function duration(raw: unknown, at: string, p: Problems): number | undefined {
  if (typeof raw !== 'string') return p.add(at, `must be ${DURATION_HINT}, got ${describe(raw)}`);
  return parseDuration(raw) ?? p.add(at, `${describe(raw)} is not ${DURATION_HINT}`);
}

function parseOrder(raw: unknown, at: string, keys: readonly string[], p: Problems): Order | undefined {
  let by: unknown;
  let direction: unknown = 'asc';
  if (typeof raw === 'string') [by, direction = 'asc'] = raw.split(':');
  else if (isRecord(raw)) ({ by, direction = 'asc' } = raw);
  else return p.add(at, `must be "name", "name:desc" or {"by": "name", "direction": "desc"}, got ${describe(raw)}`);
  if (typeof by !== 'string' || !keys.includes(by)) return p.add(at, `can order by ${keys.join(', ')}; got ${describe(by)}`);
  if (direction !== 'asc' && direction !== 'desc') return p.add(at, `direction must be asc or desc, got ${describe(direction)}`);
  return { by, desc: direction === 'desc' };
}

export function parseQuery(raw: unknown, catalog: Catalog, options: ParseOptions): QuerySpec {
  const p = new Problems();
  if (!isRecord(raw)) throw invalidQuery([{ at: 'query', message: `must be a JSON object, got ${describe(raw)}` }]);
  for (const key of Object.keys(raw)) if (!(QUERY_FIELDS as readonly string[]).includes(key)) p.add(key, `unknown field; a query has ${QUERY_FIELDS.join(', ')}`);

  if (typeof raw.type !== 'string') throw invalidQuery([...p.list, { at: 'type', message: `must name an event type, got ${describe(raw.type)}` }]);
  const entry: CatalogType | undefined = catalog.get(raw.type);
  if (entry === undefined) {
    const known = [...catalog.keys()].filter(options.mayRead);
    throw invalidQuery([...p.list, { at: 'type', message: `no aggregates are defined for ${describe(raw.type)}; known: ${known.join(', ') || 'none'}` }]);
  }
  if (!options.mayRead(entry.type)) throw new QueryError('FORBIDDEN', `this key may not read ${entry.type}`);

  const timeZone = raw.timeZone === undefined ? 'UTC' : typeof raw.timeZone === 'string' ? canonicalTimeZone(raw.timeZone) : undefined;
  if (timeZone === undefined) p.add('timeZone', `${describe(raw.timeZone)} is not an IANA time zone (such as UTC, Europe/Paris, America/New_York)`);
  const zone = timeZone ?? 'UTC';

  const measureNames = stringList(raw.measures, 'measures', p, 32) ?? [];
  if (raw.measures === undefined || measureNames.length === 0) p.add('measures', `name at least one measure: ${entry.measures.map((m) => m.name).join(', ')}`);
  const measures = measureNames.map((name, i) => lookup(entry.measures, name, `measures[${i}]`, 'measure', p)).filter((m): m is MeasureDef => m !== undefined);

  const groupNames = stringList(raw.groupBy, 'groupBy', p, 8) ?? [];
  const groupBy = groupNames.map((name, i) => lookup(entry.dimensions, name, `groupBy[${i}]`, 'dimension', p)).filter((d): d is CatalogDimension => d !== undefined);

  const filters: Filter[] = [];
  if (raw.filters !== undefined) {
    if (!Array.isArray(raw.filters)) p.add('filters', `must be an array, got ${describe(raw.filters)}`);
    else if (raw.filters.length > MAX_FILTERS) p.add('filters', `has ${raw.filters.length} filters; at most ${MAX_FILTERS}`);
    else raw.filters.forEach((f, i) => {
      const filter = parseFilter(f, `filters[${i}]`, entry.dimensions, p);
      if (filter !== undefined) filters.push(filter);
    });
  }

  const time: { fromMs?: number; toMs?: number; lastMs?: number } = {};
  if (raw.last !== undefined) {
    if (raw.from !== undefined) p.add('last', 'give from (and to) or last, not both');
    const last = duration(raw.last, 'last', p);
    if (last !== undefined && last > MAX_LAST_MS) p.add('last', `${describe(raw.last)} is longer than 100 years (36525d)`);
    else if (last !== undefined) time.lastMs = last;
  }
  if (raw.from !== undefined) {
    const from = instant(raw.from, 'from', zone, p);
    if (from !== undefined) time.fromMs = from;
  }
  if (raw.to !== undefined) {
    const to = instant(raw.to, 'to', zone, p);
    if (to !== undefined) time.toMs = to;
  }
  if (time.fromMs !== undefined && time.toMs !== undefined && time.fromMs >= time.toMs) p.add('to', `must be after from (${new Date(time.fromMs).toISOString()})`);

  let window: CatalogWindow | undefined;
  if (raw.window !== undefined) window = typeof raw.window === 'string' ? lookup(entry.windows, raw.window, 'window', 'window', p) : p.add('window', `must name a stored window, got ${describe(raw.window)}`);
  let granularityMs: number | undefined;
  if (raw.granularity !== undefined) {
    granularityMs = duration(raw.granularity, 'granularity', p);
    if (window !== undefined && window.spec.kind !== 'tumbling') p.add('granularity', `${window.name} is not rolled up: its buckets are its own windows; leave granularity out`);
  }

  const orderKeys = ['start', ...measureNames, ...groupNames];
  const orderBy: Order[] = [];
  if (raw.orderBy !== undefined) {
    const list = Array.isArray(raw.orderBy) ? raw.orderBy : [raw.orderBy];
    if (list.length > 8) p.add('orderBy', `has ${list.length} entries; at most 8`);
    else list.forEach((o, i) => {
      const order = parseOrder(o, Array.isArray(raw.orderBy) ? `orderBy[${i}]` : 'orderBy', orderKeys, p);
      if (order !== undefined) orderBy.push(order);
    });
  }

  let limit = Math.min(DEFAULT_LIMIT, options.maxRows);
  if (raw.limit !== undefined) {
    if (typeof raw.limit !== 'number' || !Number.isInteger(raw.limit) || raw.limit < 1 || raw.limit > options.maxRows) p.add('limit', `must be a whole number from 1 to ${options.maxRows}, got ${describe(raw.limit)}`);
    else limit = raw.limit;
  }

  let topN: QuerySpec['topN'];
  if (raw.topN !== undefined) {
    const t = raw.topN;
    if (!isRecord(t)) p.add('topN', `must be {"n": 5, "by": "<measure>", "direction": "desc"}, got ${describe(t)}`);
    else {
      for (const key of Object.keys(t)) if (!['n', 'by', 'direction'].includes(key)) p.add(`topN.${key}`, 'unknown field; topN has n, by, direction');
      const n = typeof t.n === 'number' && Number.isInteger(t.n) && t.n >= 1 && t.n <= 1_000 ? t.n : p.add('topN.n', `must be a whole number from 1 to 1000, got ${describe(t.n)}`);
      const by = typeof t.by === 'string' && measureNames.includes(t.by) ? measures.find((m) => m.name === t.by) : p.add('topN.by', `must be one of the query's measures (${measureNames.join(', ')}), got ${describe(t.by)}`);
      const direction = t.direction ?? 'desc';
      if (direction !== 'asc' && direction !== 'desc') p.add('topN.direction', `must be asc or desc, got ${describe(direction)}`);
      if (groupBy.length === 0) p.add('topN', 'ranks groups within each bucket: give groupBy too');
      if (n !== undefined && by !== undefined) topN = { n, by, desc: direction !== 'asc' };
    }
  }

  if (raw.fill !== undefined && typeof raw.fill !== 'boolean') p.add('fill', `must be true or false, got ${describe(raw.fill)}`);

  if (p.list.length > 0) throw invalidQuery(p.list);
  const spec: QuerySpec = {
    type: entry,
    measures,
    groupBy,
    filters,
    time: time as TimeSpec,
    timeZone: zone,
    granularityMs,
    window,
    orderBy,
    limit,
    topN,
    fill: raw.fill === true,
  };
  return spec;
}
