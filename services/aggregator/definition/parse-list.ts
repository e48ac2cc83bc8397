/**
 * What the lists of an aggregate definition share. An item tagged by "kind" is read twice: first
 * for its kind, then as "a '<kind>' <what>", so that an unknown key is answered with the keys of
 * that kind. A list is a required, bounded array of such items whose names must differ, because
 * each becomes a column or a table.
 */
import { ObjectReader } from '../../processor/pipeline/json-reader.ts';
import type { Report } from '../../processor/pipeline/pipeline-errors.ts';

/** The item's kind and a reader named after it; undefined after reporting a bad item or kind. */
export function readKind<K extends string>(value: unknown, at: string, what: string, kinds: readonly K[], report: Report): { kind: K; r: ObjectReader } | undefined {
  const kind = ObjectReader.of(value, at, `a ${what}`, report)?.oneOf('kind', kinds);
  if (kind === undefined) return undefined;
  const r = ObjectReader.of(value, at, `a '${kind}' ${what}`, report) as ObjectReader;
  r.raw('kind');
  return { kind, r };
}

export interface ListOptions<T> {
  /** "measure": for "must list at least one measure". */
  readonly what: string;
  readonly max: number;
  /** Said when the list is empty, after "must list at least one <what>". */
  readonly emptyHint?: string;
  readonly parse: (value: unknown, at: string, report: Report) => T | undefined;
  /** The name two items must not share. */
  readonly nameOf: (item: T) => string;
  /** Where and what to report for an item named like the one at `firstAt`. */
  readonly duplicate: (item: T, firstAt: string) => readonly [at: string, message: string];
}

/** The items that read, and whether all did with distinct names (a missing one would change the tables). */
export function parseList<T extends { readonly at: string }>(r: ObjectReader, key: string, options: ListOptions<T>, report: Report): { items: T[]; complete: boolean } {
  const values = r.array(key, true);
  if (values === undefined) return { items: [], complete: false };
  if (values.length === 0) r.report(key, `must list at least one ${options.what}${options.emptyHint ?? ''}`);
  if (values.length > options.max) r.report(key, `lists ${values.length} ${options.what}s; at most ${options.max} are allowed`);
  const items: T[] = [];
  const firstAt = new Map<string, string>();
  for (const value of values) {
    const item = options.parse(value.value, value.at, report);
    if (item === undefined) continue;
    const name = options.nameOf(item);
    const first = firstAt.get(name);
    if (first === undefined) firstAt.set(name, item.at);
    else report(...options.duplicate(item, first));
    items.push(item);
  }
  const complete = values.length > 0 && values.length <= options.max && items.length === values.length && firstAt.size === items.length;
  return { items, complete };
}
