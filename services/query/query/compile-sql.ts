/**
 * One SELECT per query: the stored rows of one window of one type, read FINAL (the newest version
 * of every partition's row), filtered, grouped by bucket and dimensions, with every partial state
 * merged the way the aggregator's table layout says (services/aggregator/clickhouse/table-layout.ts):
 * counts and sums added, min and max taken, HLL positions united and reduced to a histogram of
 * register values (what the estimator needs), quantile sketches added with sumMap. Estimates and
 * ratios are finished in TypeScript (evaluate-rows.ts). The SQL is what ClickHouse 18.16 accepts.
 *
 * Identifiers come from the catalog only, quoted; values go through the binder.
 */
import type { MeasureDef } from '../../aggregator/definition/aggregate-definition.ts';
import { quoteIdentifier as q } from '../../aggregator/clickhouse/table-layout.ts';
import { HLL_HISTOGRAM_SIZE } from '../../aggregator/sketches/hll.ts';
import type { CatalogDimension } from '../catalog.ts';
import type { BucketPlan } from './plan-buckets.ts';
import type { Filter, QuerySpec, Value } from './query-spec.ts';
import type { SqlBinder } from './sql-binder.ts';

/** A merged partial state, selected as `s<i>`. */
export interface StateColumn {
  readonly alias: string;
  readonly kind: 'number' | 'histogram' | 'sketch';
  /** The aggregate expression, or for a histogram the sorted HLL positions' expression. */
  readonly expr: string;
}

export interface CompiledQuery {
  readonly sql: string;
  readonly params: Record<string, string | number> | undefined;
  readonly dimensions: readonly CatalogDimension[];
  readonly states: readonly StateColumn[];
  /** For each measure of the query, the aliases of the states it is computed from. */
  readonly inputs: ReadonlyMap<string, readonly string[]>;
}

function measureStates(m: MeasureDef): Array<{ kind: StateColumn['kind']; expr: string }> {
  switch (m.kind) {
    case 'count':
      return [{ kind: 'number', expr: 'sum(window_count)' }];
    case 'sum':
      return [{ kind: 'number', expr: `sum(${q(`${m.field}__sum`)})` }];
    case 'min':
      return [{ kind: 'number', expr: `min(${q(`${m.field}__min`)})` }];
    case 'max':
      return [{ kind: 'number', expr: `max(${q(`${m.field}__max`)})` }];
    case 'avg':
      return [
        { kind: 'number', expr: `sum(${q(`${m.field}__sum`)})` },
        { kind: 'number', expr: `sum(${q(`${m.field}__n`)})` },
      ];
    case 'distinct':
      return [{ kind: 'histogram', expr: `arrayReverseSort(groupUniqArrayArray(${q(`${m.field}__hll`)}))` }];
    case 'quantile':
      return [{ kind: 'sketch', expr: `sumMap(${q(`${m.field}__qb`)}, ${q(`${m.field}__qc`)})` }];
  }
}

/** The histogram of register values from sorted HLL positions (register * 64 + rank): the top rank per register, counted by value. */
function histogramExpr(positions: string): string {
  const ranks = `arrayMap(p -> p % 64, arrayFilter((p, e) -> e = 1, ${positions}, arrayEnumerateUniq(arrayMap(p -> intDiv(p, 64), ${positions}))))`;
  return `[${Array.from({ length: HLL_HISTOGRAM_SIZE }, (_, k) => `countEqual(${ranks}, ${k})`).join(', ')}]`;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

function bucketExpr(plan: BucketPlan): string {
  const t = 'toInt64(toUInt32(window_start))';
  if (plan.mode === 'native') return t;
  const runs = plan.runs;
  const piece = (r: (typeof runs)[number]) => `${seconds(r.startMs)} + intDiv(${t} - ${seconds(r.startMs)}, ${seconds(r.stepMs)}) * ${seconds(r.stepMs)}`;
  if (runs.length === 1) return piece(runs[0]!);
  const branches = runs.slice(1).map((r, i) => `${t} < ${seconds(r.startMs)}, ${piece(runs[i]!)}`);
  return `multiIf(${branches.join(', ')}, ${piece(runs[runs.length - 1]!)})`;
}

function valueSql(value: Value, dimension: CatalogDimension, bind: SqlBinder): string {
  if (typeof value === 'string') return bind.text(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return bind.int(value);
  throw new TypeError(`null has no literal (${dimension.name})`);
}

function filterSql(filter: Filter, bind: SqlBinder): string {
  const column = q(filter.dimension.name);
  const nullable = filter.dimension.nullable;
  switch (filter.op) {
    case 'eq':
      return filter.value === null ? `isNull(${column})` : `${column} = ${valueSql(filter.value, filter.dimension, bind)}`;
    case 'neq':
      if (filter.value === null) return `isNotNull(${column})`;
      return nullable ? `(isNull(${column}) OR ${column} != ${valueSql(filter.value, filter.dimension, bind)})` : `${column} != ${valueSql(filter.value, filter.dimension, bind)}`;
    case 'in': {
      const present = filter.values.filter((v) => v !== null);
      const parts = present.length > 0 ? [`${column} IN (${present.map((v) => valueSql(v, filter.dimension, bind)).join(', ')})`] : [];
      if (present.length < filter.values.length) parts.push(`isNull(${column})`);
      return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
    }
    case 'prefix':
      return `startsWith(${column}, ${bind.text(filter.value)})`;
    case 'range': {
      const parts: string[] = [];
      const ops = { gte: '>=', gt: '>', lte: '<=', lt: '<' } as const;
      for (const key of ['gte', 'gt', 'lte', 'lt'] as const) {
        const v = filter[key];
        if (v !== undefined) parts.push(`${column} ${ops[key]} ${valueSql(v, filter.dimension, bind)}`);
      }
      return parts.join(' AND ');
    }
  }
}

export function compileQuery(spec: QuerySpec, plan: BucketPlan, database: string, bind: SqlBinder): CompiledQuery {
  const states: StateColumn[] = [];
  const inputs = new Map<string, string[]>();
  for (const m of spec.measures) {
    inputs.set(
      m.name,
      measureStates(m).map((s) => {
        const existing = states.find((c) => c.expr === s.expr);
        if (existing !== undefined) return existing.alias;
        const alias = `s${states.length}`;
        states.push({ alias, kind: s.kind, expr: s.expr });
        return alias;
      }),
    );
  }
  const dimensions = spec.groupBy;
  const keys = ['b', ...dimensions.map((_, i) => `d${i}`)];
  const where = [
    `window = ${bind.text(plan.window.name)}`,
    'window_superseded = 0',
    `window_start >= toDateTime(${Math.ceil(plan.fromMs / 1000)}, 'UTC')`,
    `window_start < toDateTime(${Math.ceil(plan.toMs / 1000)}, 'UTC')`,
    ...spec.filters.map((f) => filterSql(f, bind)),
  ];
  const inner = [
    `SELECT ${bucketExpr(plan)} AS b`,
    ...dimensions.map((d, i) => `${q(d.name)} AS d${i}`),
    'min(window_final) AS f',
    'toInt64(toUInt32(max(window_end))) AS e',
    ...states.map((s) => `${s.expr} AS ${s.alias}`),
  ].join(', ');
  let sql = `${inner}\nFROM ${q(database)}.${q(spec.type.table.layout.table)} FINAL\nWHERE ${where.join('\n  AND ')}\nGROUP BY ${keys.join(', ')}`;
  if (states.some((s) => s.kind === 'histogram')) {
    const outer = [...keys, 'f', 'e', ...states.map((s) => (s.kind === 'histogram' ? `${histogramExpr(s.alias)} AS h${s.alias}` : s.alias))];
    sql = `SELECT ${outer.join(', ')}\nFROM (\n${sql}\n)`;
  }
  return { sql, params: bind.params(), dimensions, states, inputs };
}
