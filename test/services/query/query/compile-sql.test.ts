/**
 * The SELECT a query compiles to, bound (query parameters) and escaped (literals), for a query with
 * every filter kind and hostile values. The SQL is taken apart by a small lexer written here
 * (string literals, backquoted identifiers, the rest), so that "a value is only ever data" is
 * checked on what ClickHouse would parse, not on substrings.
 */
import { describe, expect, it } from 'vitest';
import { compileQuery } from '../../../../services/query/query/compile-sql.ts';
import { parseQuery } from '../../../../services/query/query/parse-query.ts';
import { planBuckets } from '../../../../services/query/query/plan-buckets.ts';
import { createBinder } from '../../../../services/query/query/sql-binder.ts';
import { dimensions, measures, readAll, testCatalog, testTable } from '../catalog-fixture.ts';

const CATALOG = testCatalog({
  shop: testTable({
    dimensions: dimensions('country', 'plan', 'mobile', 'status', 'user_num', 'region?'),
    measures: measures('events', 'revenue', 'amount_avg', 'amount_max', 'buyers', 'amount_p90'),
    windows: [
      { kind: 'tumbling', sizeMs: 60_000 },
      { kind: 'tumbling', sizeMs: 3_600_000 },
    ],
  }),
});
const NOW = Date.UTC(2026, 10, 24, 10, 17, 23);

const HOSTILE = ["'; DROP TABLE x; --", "\\'; DROP TABLE y; /*", "x' OR '1'='1", "a' FORMAT TSV --", "' SETTINGS readonly=0 --", "{p0:String}'); DROP TABLE z; --", '`region` = 1 OR `country`', 'nul\u0000 and\nnewline\\'];
const QUERY = {
  type: 'shop',
  measures: ['events', 'revenue', 'amount_avg', 'amount_max', 'buyers', 'amount_p90'],
  groupBy: ['country', 'mobile'],
  filters: [
    { dimension: 'country', op: 'eq', value: HOSTILE[0] },
    { dimension: 'region', op: 'neq', value: HOSTILE[1] },
    { dimension: 'country', op: 'in', values: [HOSTILE[2], HOSTILE[6]] },
    { dimension: 'region', op: 'in', values: [HOSTILE[7], null] },
    { dimension: 'plan', op: 'range', gte: HOSTILE[3], lt: HOSTILE[5] },
    { dimension: 'country', op: 'prefix', value: HOSTILE[4] },
    { dimension: 'status', op: 'range', gte: 200, lt: 300 },
    { dimension: 'mobile', op: 'eq', value: true },
    { dimension: 'user_num', op: 'neq', value: -9_007_199_254_740_991 },
    { dimension: 'region', op: 'eq', value: null },
    { dimension: 'region', op: 'neq', value: null },
  ],
  last: '1h',
  granularity: '5m',
};
const DATABASE = 'weir`; DROP DATABASE weir; --';

function compile(query: Record<string, unknown>, bindParameters: boolean, database = 'weir') {
  const spec = parseQuery(query, CATALOG, readAll());
  const plan = planBuckets(spec, NOW, 10_000);
  return { plan, compiled: compileQuery(spec, plan, database, createBinder(bindParameters)) };
}

/** ClickHouse's tokens that matter here: '...' literals (backslash escapes), `...` identifiers, and the rest. */
function lex(sql: string): { literals: string[]; identifiers: string[]; code: string } {
  const literals: string[] = [];
  const identifiers: string[] = [];
  let code = '';
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', '\\': '\\', "'": "'", '`': '`' };
  let i = 0;
  const quoted = (quote: string): string => {
    let out = '';
    i++;
    for (;;) {
      if (i >= sql.length) throw new Error(`unterminated ${quote}`);
      const c = sql[i]!;
      if (c === quote) {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = sql[i + 1]!;
        if (e === 'x') {
          out += String.fromCharCode(parseInt(sql.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (e in escapes) {
          out += escapes[e];
          i += 2;
        } else throw new Error(`unknown escape \\${e}`);
      } else {
        out += c;
        i++;
      }
    }
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'") {
      literals.push(quoted("'"));
      code += '?';
    } else if (c === '`') {
      identifiers.push(quoted('`'));
      code += 'ID';
    } else {
      code += c;
      i++;
    }
  }
  return { literals, identifiers, code };
}

const TEXT_VALUES = [HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[6], HOSTILE[7], HOSTILE[3], HOSTILE[5], HOSTILE[4]];

describe('compileQuery with bound parameters', () => {
  const { compiled } = compile(QUERY, true, DATABASE);
  const { literals, identifiers, code } = lex(compiled.sql);

  it('sends every text value as a parameter, and none in the SQL', () => {
    expect(compiled.params).toBeDefined();
    expect(Object.values(compiled.params!)).toEqual(['tumbling_1m', ...TEXT_VALUES]);
    for (const value of TEXT_VALUES) expect(compiled.sql).not.toContain(value);
    // Only the time zone of toDateTime is a literal: nothing of a value.
    expect(literals).toEqual(['UTC', 'UTC']);
    expect(identifiers.filter((x) => x === DATABASE)).toHaveLength(1);
    // Every placeholder is a parameter, and every parameter is used once.
    const placeholders = [...code.matchAll(/\{(p\d+):String\}/g)].map((m) => m[1]);
    expect(placeholders.sort()).toEqual(Object.keys(compiled.params!).sort());
  });

  it('leaves no SQL of a value or of a name outside quotes', () => {
    for (const fragment of ['DROP', ';', '--', '/*', 'FORMAT', 'SETTINGS', 'readonly', 'OR \'1']) expect(code).not.toContain(fragment);
    for (const name of ['country', 'region', 'plan', 'mobile', 'status', 'user_num', 'agg_shop', 'amount__sum']) expect(code).not.toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('writes every filter', () => {
    const where = code.slice(code.indexOf('WHERE'), code.indexOf('GROUP BY'));
    expect(where.split('\n  AND ').map((s) => s.trim())).toEqual([
      'WHERE window = {p0:String}',
      'window_superseded = 0',
      `window_start >= toDateTime(${Date.UTC(2026, 10, 24, 9, 15) / 1000}, ?)`,
      `window_start < toDateTime(${Date.UTC(2026, 10, 24, 10, 20) / 1000}, ?)`,
      'ID = {p1:String}',
      '(isNull(ID) OR ID != {p2:String})',
      'ID IN ({p3:String}, {p4:String})',
      '(ID IN ({p5:String}) OR isNull(ID))',
      'ID >= {p6:String} AND ID < {p7:String}',
      'startsWith(ID, {p8:String})',
      'ID >= 200 AND ID < 300',
      'ID = 1',
      'ID != -9007199254740991',
      'isNull(ID)',
      'isNotNull(ID)',
    ]);
  });
});

describe('compileQuery with escaped literals', () => {
  const { compiled } = compile(QUERY, false, DATABASE);
  const { literals, identifiers, code } = lex(compiled.sql);

  it('writes each text value only inside a literal that reads back as the value', () => {
    expect(compiled.params).toBeUndefined();
    expect(literals).toEqual(['tumbling_1m', 'UTC', 'UTC', ...TEXT_VALUES]);
    for (const fragment of ['DROP', ';', '--', '/*', 'FORMAT', 'SETTINGS', 'readonly', '{p']) expect(code).not.toContain(fragment);
    expect(identifiers).toContain(DATABASE);
  });

  it('is the bound SQL with literals in place of the placeholders', () => {
    const bound = compile(QUERY, true, DATABASE).compiled;
    expect(lex(bound.sql).code.replace(/\{p\d+:String\}/g, '?')).toBe(code);
  });
});

describe('compileQuery: identifiers, states and the histogram', () => {
  it('backquotes every column, the database and the table', () => {
    const { identifiers } = lex(compile(QUERY, true).compiled.sql);
    expect(new Set(identifiers)).toEqual(new Set(['country', 'mobile', 'region', 'plan', 'status', 'user_num', 'amount__sum', 'amount__n', 'amount__max', 'user_id__hll', 'amount__qb', 'amount__qc', 'weir', 'agg_shop']));
  });

  it('selects each state once, shared by the measures that read it', () => {
    const { compiled } = compile(QUERY, true);
    expect(compiled.states.map((s) => [s.alias, s.kind])).toEqual([
      ['s0', 'number'],
      ['s1', 'number'],
      ['s2', 'number'],
      ['s3', 'number'],
      ['s4', 'histogram'],
      ['s5', 'sketch'],
    ]);
    expect(Object.fromEntries(compiled.inputs)).toEqual({ events: ['s0'], revenue: ['s1'], amount_avg: ['s1', 's2'], amount_max: ['s3'], buyers: ['s4'], amount_p90: ['s5'] });
  });

  it('reduces HLL positions to a histogram in an outer SELECT only for distinct measures', () => {
    const withDistinct = compile(QUERY, true).compiled.sql;
    expect(withDistinct).toMatch(/^SELECT b, d0, d1, f, e, s0, s1, s2, s3, \[countEqual\(.*\)\] AS hs4, s5\nFROM \(\nSELECT /s);
    expect(withDistinct.match(/countEqual\(/g)).toHaveLength(52);
    const without = compile({ ...QUERY, measures: ['events', 'amount_p90'] }, true).compiled.sql;
    expect(without).not.toContain('countEqual');
    expect(without).not.toContain('FROM (');
    expect(without).toMatch(/^SELECT .* AS b, `country` AS d0, `mobile` AS d1, min\(window_final\) AS f, .*\nFROM `weir`\.`agg_shop` FINAL\nWHERE /);
  });
});

describe('compileQuery: the bucket expression', () => {
  /** Evaluates the SQL bucket expression for a window start (in seconds), as ClickHouse would. */
  function bucketFunction(sql: string): (seconds: number) => number {
    const expr = sql.slice('SELECT '.length, sql.indexOf(' AS b'));
    const js = expr.replaceAll('toInt64(toUInt32(window_start))', 't').replaceAll('multiIf(', 'mif(').replaceAll('intDiv(', 'idiv(');
    expect(js).toMatch(/^[\dt+\-*<, ()midfv]+$/);
    const mif = (...args: unknown[]) => {
      for (let k = 0; k + 1 < args.length; k += 2) if (args[k]) return args[k + 1];
      return args[args.length - 1];
    };
    const idiv = (a: number, b: number) => Math.trunc(a / b);
    const f = new Function('t', 'mif', 'idiv', `return ${js};`) as (t: number, m: typeof mif, d: typeof idiv) => number;
    return (seconds) => f(seconds, mif, idiv);
  }

  it.each([
    ['1d in Paris over both DST changes', { timeZone: 'Europe/Paris', granularity: '1d', from: '2026-03-20', to: '2026-11-05' }],
    ['1h in Kolkata', { timeZone: 'Asia/Kolkata', granularity: '1h', from: '2026-11-20', to: '2026-11-22' }],
    ['5m in UTC', { granularity: '5m', last: '6h' }],
  ])('puts every window start in its bucket: %s', (_name, time) => {
    const { compiled, plan } = compile({ type: 'shop', measures: ['events'], ...time }, true);
    if (plan.mode !== 'rollup') throw new Error('rollup expected');
    const bucket = bucketFunction(compiled.sql);
    const b = plan.boundaries;
    const size = (plan.window.spec as { sizeMs: number }).sizeMs;
    const failures: string[] = [];
    let i = 0;
    for (let start = b[0]!; start < b[b.length - 1]!; start += size * 7) {
      while (b[i + 1]! <= start) i++;
      if (bucket(start / 1000) * 1000 !== b[i]) failures.push(`${new Date(start).toISOString()} -> ${bucket(start / 1000)}`);
    }
    for (let k = 0; k + 1 < b.length; k++) if (bucket(b[k]! / 1000) * 1000 !== b[k] || bucket((b[k + 1]! - size) / 1000) * 1000 !== b[k]) failures.push(`bucket ${k}`);
    expect(failures).toEqual([]);
  });
});

describe('createBinder', () => {
  it('binds text as numbered String parameters', () => {
    const bind = createBinder(true);
    expect(bind.params()).toBeUndefined();
    expect([bind.text("'"), bind.text('b')]).toEqual(['{p0:String}', '{p1:String}']);
    expect(bind.params()).toEqual({ p0: "'", p1: 'b' });
  });

  it('escapes text when the server cannot bind, and writes whole numbers as they are', () => {
    const bind = createBinder(false);
    expect(bind.text("it's")).toBe("'it\\'s'");
    expect(bind.params()).toBeUndefined();
    expect(bind.int(-42)).toBe('-42');
    expect(() => bind.int(2 ** 53)).toThrow(RangeError);
    expect(() => bind.int(1.5)).toThrow(RangeError);
    expect(() => bind.int(Number.NaN)).toThrow(RangeError);
  });
});
