/**
 * Brings the ClickHouse tables in line with the aggregate definitions, at start or by
 * `weir migrate`: a missing table is created, a measure added later gets its columns
 * (`ALTER TABLE ... ADD COLUMN`, existing rows read the column's default). Anything that would
 * lose data (a column gone or retyped, dimensions changed, which changes the sorting key) is
 * refused with what and why, unless `allowDestructive`, which recreates the table empty.
 * Running it again changes nothing. Every statement applied is recorded in `weir_migrations`.
 * `planMigration` says what it would run and refuse, changing nothing (`weir migrate --dry-run`).
 */
import { WeirError } from '../../shared/errors.ts';
import { quoteString } from '../../shared/clickhouse/sql-literal.ts';
import type { ClickHouseStore } from '../../shared/clickhouse/store.ts';
import { createTableSql, quoteIdentifier as q, type ServerFeatures, type TableLayout } from './table-layout.ts';

export interface MigrationResult {
  readonly applied: readonly string[];
  /** Tables already as the definitions want them. */
  readonly unchanged: readonly string[];
}

export interface MigrateOptions {
  readonly database: string;
  readonly features: ServerFeatures;
  readonly allowDestructive?: boolean;
  readonly now?: () => number;
}

/** What migrate() would do to one table. */
export interface TablePlan {
  readonly layout: TableLayout;
  readonly statements: readonly string[];
  /** Dropped and created again, empty: the definition changed in a way that loses data. */
  readonly recreate: boolean;
  /** Copied into a table with the new sorting key (`indexBy` changed); nothing is lost. */
  readonly resort: boolean;
  /** Why the table is recreated (what is lost) or re-sorted (the keys before and after); empty otherwise. */
  readonly problems: readonly string[];
}

export interface MigrationPlan {
  readonly tables: readonly TablePlan[];
  /** Tables already as the definitions want them. */
  readonly unchanged: readonly string[];
  /** Tables that would lose data, refused without `allowDestructive`: `db.table (type): why`. */
  readonly refusals: readonly string[];
}

/** What migrate() would run, read from the server's system tables; changes nothing. */
export async function planMigration(store: ClickHouseStore, layouts: readonly TableLayout[], options: MigrateOptions): Promise<MigrationPlan> {
  const { database, features } = options;
  const unchanged: string[] = [];
  const refusals: string[] = [];
  const tables: TablePlan[] = [];
  for (const layout of layouts) {
    const existing = await store.query<{ name: string; type: string }>(
      `SELECT name, type FROM system.columns WHERE database = ${quoteString(database)} AND table = ${quoteString(layout.table)}`,
    );
    if (existing.length === 0) {
      tables.push({ layout, statements: [createTableSql(layout, database, features)], recreate: false, resort: false, problems: [] });
      continue;
    }
    const [info] = await store.query<{ sorting_key: string }>(
      `SELECT sorting_key FROM system.tables WHERE database = ${quoteString(database)} AND name = ${quoteString(layout.table)}`,
    );
    const haveKey = (info?.sorting_key ?? '').replace(/[`\s]/g, '').split(',');
    const resort = haveKey.join(',') !== layout.orderBy.join(',');
    const have = new Map(existing.map((c) => [c.name, c.type]));
    const problems: string[] = [];
    const statements: string[] = [];
    for (const column of layout.columns) {
      const type = have.get(column.name);
      if (type === undefined) {
        if (layout.orderBy.includes(column.name)) problems.push(`dimension ${column.name} is new, and dimensions are the table's sorting key`);
        else statements.push(`ALTER TABLE ${q(database)}.${q(layout.table)} ADD COLUMN ${q(column.name)} ${column.type}`);
      } else if (type !== column.type) {
        problems.push(`column ${column.name} is ${type}, the definition now needs ${column.type}`);
      }
    }
    const wanted = new Set(layout.columns.map((c) => c.name));
    for (const name of have.keys()) if (!wanted.has(name)) problems.push(`column ${name} is no longer in the definition`);
    if (problems.length === 0) {
      if (resort) statements.push(...resortStatements(layout, database, features));
      if (statements.length === 0) unchanged.push(layout.table);
      else tables.push({ layout, statements, recreate: false, resort, problems: resort ? [`sorted by (${haveKey.join(', ')}), the definition now sorts by (${layout.orderBy.join(', ')})`] : [] });
    } else if (options.allowDestructive === true) {
      tables.push({ layout, statements: [`DROP TABLE ${q(database)}.${q(layout.table)}`, createTableSql(layout, database, features)], recreate: true, resort: false, problems });
    } else {
      refusals.push(`${database}.${layout.table} (${layout.type}): ${problems.join('; ')}`);
    }
  }
  return { tables, unchanged, refusals };
}

/**
 * Re-sorting a table: ClickHouse cannot change a sorting key's order in place, so the rows are
 * copied into a new table, the two are swapped by RENAME, and the old one is copied once more
 * before it is dropped, for rows an aggregator wrote during the first copy. Copying a row twice
 * is harmless: the copies have the same key and version, and ReplacingMergeTree keeps one.
 */
export function resortStatements(layout: TableLayout, database: string, features: ServerFeatures): string[] {
  const table = `${q(database)}.${q(layout.table)}`;
  const next = `${q(database)}.${q(`${layout.table}__resorted`)}`;
  const old = `${q(database)}.${q(`${layout.table}__unsorted`)}`;
  const columns = layout.columns.map((c) => q(c.name)).join(', ');
  return [
    `DROP TABLE IF EXISTS ${next}`,
    createTableSql({ ...layout, table: `${layout.table}__resorted` }, database, features),
    `INSERT INTO ${next} (${columns}) SELECT ${columns} FROM ${table}`,
    `RENAME TABLE ${table} TO ${old}, ${next} TO ${table}`,
    `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM ${old}`,
    `DROP TABLE ${old}`,
  ];
}

export async function migrate(store: ClickHouseStore, layouts: readonly TableLayout[], options: MigrateOptions): Promise<MigrationResult> {
  const { database } = options;
  const applied: string[] = [];
  const run = async (sql: string) => {
    await store.command(sql);
    applied.push(sql);
  };
  await store.command(`CREATE DATABASE IF NOT EXISTS ${q(database)}`);
  await store.command(`CREATE TABLE IF NOT EXISTS ${q(database)}.weir_migrations (applied_at DateTime('UTC'), statement String) ENGINE = MergeTree ORDER BY applied_at`);

  const { tables, unchanged, refusals } = await planMigration(store, layouts, options);
  if (refusals.length > 0) {
    throw new WeirError(
      'CONFIG_INVALID',
      `the aggregate tables cannot follow the definitions without losing data:\n  ${refusals.join('\n  ')}\n` +
        'Undo the definition change, or run `weir migrate --allow-destructive` to recreate these tables empty (their aggregates are lost; `weir verify` can recompute them from the clean topics while they are retained).',
      { details: { tables: refusals } },
    );
  }
  for (const plan of tables) for (const sql of plan.statements) await run(sql);
  if (applied.length > 0) {
    const at = new Date(options.now?.() ?? Date.now()).toISOString().slice(0, 19).replace('T', ' ');
    await store.insert(`${database}.weir_migrations`, applied.map((statement) => ({ applied_at: at, statement })));
  }
  return { applied, unchanged };
}
