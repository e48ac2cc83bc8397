/**
 * Can data written with `writer` be read with `reader`? The Avro specification's schema resolution
 * rules (https://avro.apache.org/docs/1.12.0/specification/#schema-resolution), written out so that
 * every problem is reported, each with a path into the reader schema and a sentence naming the
 * field and the rule it breaks. (avsc's createResolver stops at the first problem, with a message
 * written for library users.)
 */
import type avro from 'avsc';

export const INCOMPATIBILITY_KINDS = [
  'TYPE_MISMATCH',
  'NAME_MISMATCH',
  'FIXED_SIZE_MISMATCH',
  'MISSING_ENUM_SYMBOLS',
  'READER_FIELD_MISSING_DEFAULT_VALUE',
  'MISSING_UNION_BRANCH',
] as const;
export type IncompatibilityKind = (typeof INCOMPATIBILITY_KINDS)[number];

export interface Incompatibility {
  readonly kind: IncompatibilityKind;
  /** Where in the reader schema, by field name: `/fields/amount_minor/type`; `/` is the top level. */
  readonly path: string;
  readonly message: string;
}

/** How messages name the two schemas, e.g. `{ reader: 'the new schema', writer: 'version 3' }`. */
export interface RoleLabels {
  readonly reader: string;
  readonly writer: string;
}

const PLAIN_LABELS: RoleLabels = { reader: 'reader', writer: 'writer' };

/** Writer type -> reader types that may read it besides itself. */
const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};
const PROMOTION_RULE = 'Avro only promotes int to long, float or double, long to float or double, float to double, and string to or from bytes';

type Kind = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string' | 'record' | 'enum' | 'fixed' | 'array' | 'map' | 'union';

interface At {
  readonly path: readonly string[];
  /** Names of the enclosing fields, outermost first, for messages. */
  readonly fields: readonly string[];
  /** The writer type is one branch of a writer union, which the messages should say. */
  readonly writerBranch?: boolean;
}

export function checkCompatibility(reader: avro.Type, writer: avro.Type, labels: RoleLabels = PLAIN_LABELS): Incompatibility[] {
  const checker = new Checker(labels);
  checker.check(reader, writer, { path: [], fields: [] });
  return checker.problems;
}

class Checker {
  problems: Incompatibility[] = [];
  readonly #labels: RoleLabels;
  /** Record pairs being compared further up the stack: a recursive type meets itself and is assumed fine there. */
  readonly #active = new Map<avro.Type, Set<avro.Type>>();

  constructor(labels: RoleLabels) {
    this.#labels = labels;
  }

  check(reader: avro.Type, writer: avro.Type, at: At): void {
    const r = kindOf(reader);
    const w = kindOf(writer);
    if (w === 'union') {
      for (const branch of branches(writer)) {
        const branchAt = { ...at, writerBranch: true };
        if (r === 'union') this.#checkReaderUnion(reader, branch, branchAt);
        else this.check(reader, branch, branchAt);
      }
      return;
    }
    if (r === 'union') return this.#checkReaderUnion(reader, writer, at);
    if (r !== w) {
      if (PROMOTIONS[w]?.includes(r)) return;
      const hint = PROMOTIONS[w] !== undefined && PROMOTIONS[r] !== undefined ? ` (${PROMOTION_RULE})` : '';
      return this.#report('TYPE_MISMATCH', at, `${this.#readerType(reader)} cannot read ${this.#writerType(writer, at)}${hint}`);
    }
    switch (r) {
      case 'record':
        return this.#checkRecord(reader as avro.types.RecordType, writer as avro.types.RecordType, at);
      case 'enum':
        return this.#checkEnum(reader as avro.types.EnumType, writer as avro.types.EnumType, at);
      case 'fixed':
        if (!this.#namesMatch(reader, writer, at)) return;
        if ((reader as avro.types.FixedType).size !== (writer as avro.types.FixedType).size) {
          this.#report(
            'FIXED_SIZE_MISMATCH',
            { ...at, path: [...at.path, 'size'] },
            `${this.#readerType(reader)} has size ${(reader as avro.types.FixedType).size} but ${this.#writerType(writer, at)} has size ${(writer as avro.types.FixedType).size}`,
          );
        }
        return;
      case 'array':
        return this.check((reader as avro.types.ArrayType).itemsType, (writer as avro.types.ArrayType).itemsType, { ...at, path: [...at.path, 'items'], writerBranch: false });
      case 'map':
        return this.check((reader as avro.types.MapType).valuesType as avro.Type, (writer as avro.types.MapType).valuesType as avro.Type, { ...at, path: [...at.path, 'values'], writerBranch: false });
    }
  }

  #checkRecord(reader: avro.types.RecordType, writer: avro.types.RecordType, at: At): void {
    let seen = this.#active.get(reader);
    if (seen?.has(writer)) return;
    if (!this.#namesMatch(reader, writer, at)) return;
    seen ??= new Set();
    this.#active.set(reader, seen.add(writer));
    try {
      for (const field of reader.fields) {
        const source = writer.fields.find((f) => f.name === field.name) ?? writer.fields.find((f) => field.aliases.includes(f.name));
        const fieldAt: At = { path: [...at.path, 'fields', field.name], fields: [...at.fields, field.name] };
        if (source !== undefined) {
          this.check(field.type, source.type, { ...fieldAt, path: [...fieldAt.path, 'type'] });
        } else if (field.defaultValue() === undefined) {
          const name = fieldAt.fields.join('.');
          this.#report(
            'READER_FIELD_MISSING_DEFAULT_VALUE',
            fieldAt,
            `${this.#labels.reader} field '${name}' has no default and is missing in ${this.#labels.writer}; ` +
              `give it a default so that data written without it can be read`,
            false,
          );
        }
      }
    } finally {
      seen.delete(writer);
    }
  }

  #checkEnum(reader: avro.types.EnumType, writer: avro.types.EnumType, at: At): void {
    if (!this.#namesMatch(reader, writer, at)) return;
    if ((reader as unknown as { default?: string }).default !== undefined) return;
    const missing = writer.symbols.filter((s) => !reader.symbols.includes(s));
    if (missing.length === 0) return;
    this.#report(
      'MISSING_ENUM_SYMBOLS',
      { ...at, path: [...at.path, 'symbols'] },
      `${this.#readerType(reader)} has no symbol ${missing.join(', ')}, which ${this.#writerType(writer, at)} can write; ` +
        `add the symbol, or give ${describe(reader)} in ${this.#labels.reader} a default for symbols it does not know`,
    );
  }

  /** A writer type (or writer union branch) must be readable by at least one branch of the reader union. */
  #checkReaderUnion(reader: avro.Type, writer: avro.Type, at: At): void {
    const options = branches(reader);
    for (const option of options) {
      if (this.#trial(option, writer, at).length === 0) return;
    }
    // No branch reads it. If one has the same name or kind, its detailed problems say more than "no branch".
    const closest = options.findIndex((option) => kindOf(option) === kindOf(writer) && (!isNamed(option) || namesMatch(option, writer)));
    const option = options[closest];
    if (option !== undefined) return this.check(option, writer, { ...at, path: [...at.path, String(closest)] });
    const listed = options.map(display).join(', ');
    this.#report('MISSING_UNION_BRANCH', at, `${this.#writerType(writer, at)} matches no branch of ${this.#labels.reader} union [${listed}]`);
  }

  #trial(reader: avro.Type, writer: avro.Type, at: At): Incompatibility[] {
    const saved = this.problems;
    this.problems = [];
    try {
      this.check(reader, writer, at);
      return this.problems;
    } finally {
      this.problems = saved;
    }
  }

  #namesMatch(reader: avro.Type, writer: avro.Type, at: At): boolean {
    if (namesMatch(reader, writer)) return true;
    this.#report(
      'NAME_MISMATCH',
      { ...at, path: [...at.path, 'name'] },
      `${this.#readerType(reader)} cannot read ${this.#writerType(writer, at)}: the names differ and ` +
        `'${writer.name ?? ''}' is not among the aliases of '${reader.name ?? ''}'`,
    );
    return false;
  }

  #readerType(type: avro.Type): string {
    return `${this.#labels.reader} ${describe(type)}`;
  }

  #writerType(type: avro.Type, at: At): string {
    return at.writerBranch ? `${this.#labels.writer} union branch ${describe(type)}` : `${this.#labels.writer} ${describe(type)}`;
  }

  #report(kind: IncompatibilityKind, at: At, sentence: string, withField = true): void {
    const path = `/${at.path.join('/')}`;
    const where = !withField ? '' : at.fields.length > 0 ? `field '${at.fields.join('.')}': ` : 'top-level type: ';
    this.problems.push({ kind, path, message: `${where}${sentence}` });
  }
}

function kindOf(type: avro.Type): Kind {
  const name = type.typeName;
  if (name.startsWith('union')) return 'union';
  if (name === 'error') return 'record';
  if (name.startsWith('logical:')) return kindOf((type as avro.types.LogicalType).underlyingType);
  return name as Kind;
}

function branches(union: avro.Type): readonly avro.Type[] {
  return (union as avro.types.UnwrappedUnionType).types;
}

function isNamed(type: avro.Type): boolean {
  const kind = kindOf(type);
  return kind === 'record' || kind === 'enum' || kind === 'fixed';
}

const unqualified = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

/**
 * The spec matches named types by unqualified name; the reader's aliases (qualified by avsc with
 * the reader's namespace) may name the writer's type instead.
 */
function namesMatch(reader: avro.Type, writer: avro.Type): boolean {
  const writerName = unqualified(writer.name ?? '');
  return unqualified(reader.name ?? '') === writerName || (reader.aliases ?? []).some((alias) => unqualified(alias) === writerName);
}

function display(type: avro.Type): string {
  return type.name ?? kindOf(type);
}

function describe(type: avro.Type): string {
  const kind = kindOf(type);
  return isNamed(type) ? `${kind} '${type.name ?? ''}'` : `type '${kind}'`;
}
