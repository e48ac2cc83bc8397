import type avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from '../../../services/registry/avro-schema.ts';
import { checkCompatibility } from '../../../services/registry/compatibility.ts';
import { checkLevel, COMPATIBILITY_LEVELS, type CompatibilityLevel } from '../../../services/registry/compatibility-modes.ts';

const type = (schema: unknown): avro.Type => parseAvroSchema(JSON.stringify(schema)).type;

const currency = (symbols: string[], extra: object = {}) => ({ type: 'enum', name: 'Currency', symbols, ...extra });
const purchase = (fields: unknown[], extra: object = {}) =>
  type({ type: 'record', name: 'Purchase', namespace: 'dev.weir.events', fields, ...extra });

const orderId = { name: 'order_id', type: 'string' };
const amount = { name: 'amount_minor', type: 'long' };

/** old -> new, and whether each non-transitive level accepts the new schema after the old one. */
interface Case {
  name: string;
  old: avro.Type;
  new: avro.Type;
  BACKWARD: boolean;
  FORWARD: boolean;
}

const cases: Case[] = [
  {
    name: 'identical schema',
    old: purchase([orderId, amount]),
    new: purchase([orderId, amount]),
    BACKWARD: true,
    FORWARD: true,
  },
  {
    name: 'add a field with a default',
    old: purchase([orderId]),
    new: purchase([orderId, { name: 'tax_minor', type: 'long', default: 0 }]),
    BACKWARD: true,
    FORWARD: true,
  },
  {
    name: 'add a field without a default',
    old: purchase([orderId]),
    new: purchase([orderId, amount]),
    BACKWARD: false,
    FORWARD: true,
  },
  {
    name: 'remove a field that had a default',
    old: purchase([orderId, { name: 'tax_minor', type: 'long', default: 0 }]),
    new: purchase([orderId]),
    BACKWARD: true,
    FORWARD: true,
  },
  {
    name: 'remove a field without a default',
    old: purchase([orderId, amount]),
    new: purchase([orderId]),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'rename a field, keeping the old name as an alias',
    old: purchase([orderId, amount]),
    new: purchase([orderId, { name: 'total_minor', type: 'long', aliases: ['amount_minor'] }]),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'rename a field without an alias',
    old: purchase([orderId, amount]),
    new: purchase([orderId, { name: 'total_minor', type: 'long' }]),
    BACKWARD: false,
    FORWARD: false,
  },
  {
    name: 'widen int to long',
    old: purchase([{ name: 'items_count', type: 'int' }]),
    new: purchase([{ name: 'items_count', type: 'long' }]),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'widen long to double',
    old: purchase([amount]),
    new: purchase([{ name: 'amount_minor', type: 'double' }]),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'narrow long to int',
    old: purchase([amount]),
    new: purchase([{ name: 'amount_minor', type: 'int' }]),
    BACKWARD: false,
    FORWARD: true,
  },
  {
    name: 'string to bytes',
    old: purchase([{ name: 'coupon', type: 'string' }]),
    new: purchase([{ name: 'coupon', type: 'bytes' }]),
    BACKWARD: true,
    FORWARD: true,
  },
  {
    name: 'string to int',
    old: purchase([{ name: 'coupon', type: 'string' }]),
    new: purchase([{ name: 'coupon', type: 'int' }]),
    BACKWARD: false,
    FORWARD: false,
  },
  {
    name: 'add an enum symbol (no enum default)',
    old: purchase([{ name: 'currency', type: currency(['USD', 'EUR']) }]),
    new: purchase([{ name: 'currency', type: currency(['USD', 'EUR', 'JPY']) }]),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'remove an enum symbol (no enum default)',
    old: purchase([{ name: 'currency', type: currency(['USD', 'EUR', 'JPY']) }]),
    new: purchase([{ name: 'currency', type: currency(['USD', 'EUR']) }]),
    BACKWARD: false,
    FORWARD: true,
  },
  {
    name: 'add an enum symbol when both enums have a default',
    old: purchase([{ name: 'currency', type: currency(['XXX', 'USD'], { default: 'XXX' }) }]),
    new: purchase([{ name: 'currency', type: currency(['XXX', 'USD', 'JPY'], { default: 'XXX' }) }]),
    BACKWARD: true,
    FORWARD: true,
  },
  {
    name: 'add a union branch',
    old: purchase([{ name: 'coupon', type: ['null', 'string'], default: null }]),
    new: purchase([{ name: 'coupon', type: ['null', 'string', 'long'], default: null }]),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'remove a union branch',
    old: purchase([{ name: 'coupon', type: ['null', 'string', 'long'], default: null }]),
    new: purchase([{ name: 'coupon', type: ['null', 'string'], default: null }]),
    BACKWARD: false,
    FORWARD: true,
  },
  {
    name: 'make a field optional',
    old: purchase([{ name: 'coupon', type: 'string' }]),
    new: purchase([{ name: 'coupon', type: ['null', 'string'], default: null }]),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'widen inside an array and a map',
    old: purchase([{ name: 'lines', type: { type: 'array', items: { type: 'map', values: 'int' } } }]),
    new: purchase([{ name: 'lines', type: { type: 'array', items: { type: 'map', values: 'long' } } }]),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'change the size of a fixed',
    old: purchase([{ name: 'hash', type: { type: 'fixed', name: 'Hash', size: 16 } }]),
    new: purchase([{ name: 'hash', type: { type: 'fixed', name: 'Hash', size: 32 } }]),
    BACKWARD: false,
    FORWARD: false,
  },
  {
    name: 'rename the record, keeping the old name as an alias',
    old: purchase([orderId]),
    new: type({ type: 'record', name: 'Order', namespace: 'dev.weir.events', aliases: ['Purchase'], fields: [orderId] }),
    BACKWARD: true,
    FORWARD: false,
  },
  {
    name: 'move the record to another namespace (names match unqualified)',
    old: purchase([orderId]),
    new: type({ type: 'record', name: 'Purchase', namespace: 'com.example', fields: [orderId] }),
    BACKWARD: true,
    FORWARD: true,
  },
];

function accepts(level: CompatibilityLevel, c: Case): boolean {
  return checkLevel(level, c.new, [{ version: 1, type: c.old }]).length === 0;
}

describe('compatibility matrix: one earlier version', () => {
  describe.each(cases)('$name', (c) => {
    const expected: Record<CompatibilityLevel, boolean> = {
      NONE: true,
      BACKWARD: c.BACKWARD,
      BACKWARD_TRANSITIVE: c.BACKWARD,
      FORWARD: c.FORWARD,
      FORWARD_TRANSITIVE: c.FORWARD,
      FULL: c.BACKWARD && c.FORWARD,
      FULL_TRANSITIVE: c.BACKWARD && c.FORWARD,
    };
    it.each(COMPATIBILITY_LEVELS.map((level) => [level, expected[level]] as const))('%s: compatible=%s', (level, ok) => {
      expect(accepts(level, c)).toBe(ok);
    });
  });
});

describe('transitive levels check every version, the others only the latest', () => {
  // v2 adds a field with a default; v3 drops the default. v3 reads v2's data, not v1's.
  const backwardHistory = [
    { version: 1, type: purchase([orderId]) },
    { version: 2, type: purchase([orderId, { name: 'channel', type: 'string', default: 'web' }]) },
  ];
  const backwardCandidate = purchase([orderId, { name: 'channel', type: 'string' }]);

  it('BACKWARD accepts v3 (checked against v2 only)', () => {
    expect(checkLevel('BACKWARD', backwardCandidate, backwardHistory)).toEqual([]);
  });

  it('BACKWARD_TRANSITIVE refuses v3, naming v1 and the field', () => {
    const failures = checkLevel('BACKWARD_TRANSITIVE', backwardCandidate, backwardHistory);
    expect(failures.map((f) => [f.version, f.direction])).toEqual([[1, 'BACKWARD']]);
    expect(failures[0]?.problems).toEqual([
      {
        kind: 'READER_FIELD_MISSING_DEFAULT_VALUE',
        path: '/fields/channel',
        message: expect.stringContaining("the new schema field 'channel' has no default and is missing in version 1"),
      },
    ]);
  });

  // v1 has `note` without a default, v2 gives it one, v3 removes it: v2 can read v3's data, v1 cannot.
  const forwardHistory = [
    { version: 1, type: purchase([orderId, { name: 'note', type: 'string' }]) },
    { version: 2, type: purchase([orderId, { name: 'note', type: 'string', default: '' }]) },
  ];
  const forwardCandidate = purchase([orderId]);

  it('FORWARD accepts v3, FORWARD_TRANSITIVE refuses it because of v1', () => {
    expect(checkLevel('FORWARD', forwardCandidate, forwardHistory)).toEqual([]);
    const failures = checkLevel('FORWARD_TRANSITIVE', forwardCandidate, forwardHistory);
    expect(failures.map((f) => [f.version, f.direction])).toEqual([[1, 'FORWARD']]);
    expect(failures[0]?.problems[0]?.message).toContain("version 1 field 'note' has no default and is missing in the new schema");
  });

  it('FULL_TRANSITIVE reports each failing version and direction, newest first', () => {
    const history = [
      { version: 1, type: purchase([orderId, { name: 'note', type: 'string' }]) },
      { version: 2, type: purchase([orderId, { name: 'note', type: 'string' }]) },
    ];
    const failures = checkLevel('FULL_TRANSITIVE', purchase([orderId, amount]), history);
    expect(failures.map((f) => [f.version, f.direction])).toEqual([
      [2, 'BACKWARD'],
      [2, 'FORWARD'],
      [1, 'BACKWARD'],
      [1, 'FORWARD'],
    ]);
  });

  it('no earlier version: every level accepts', () => {
    for (const level of COMPATIBILITY_LEVELS) expect(checkLevel(level, backwardCandidate, [])).toEqual([]);
  });
});

describe('checkCompatibility reports every problem with a path and the rule', () => {
  it('names the reader field that lacks a default', () => {
    const problems = checkCompatibility(purchase([orderId, { name: 'currency', type: currency(['USD']) }]), purchase([orderId]));
    expect(problems).toEqual([
      {
        kind: 'READER_FIELD_MISSING_DEFAULT_VALUE',
        path: '/fields/currency',
        message: expect.stringContaining("reader field 'currency' has no default and is missing in writer"),
      },
    ]);
  });

  it('collects several problems at once instead of stopping at the first', () => {
    const reader = purchase([
      { name: 'amount_minor', type: 'int' },
      { name: 'currency', type: currency(['USD']) },
      { name: 'coupon', type: ['null', 'int'], default: null },
    ]);
    const writer = purchase([amount, { name: 'currency', type: currency(['USD', 'JPY']) }, { name: 'coupon', type: ['null', 'string'], default: null }]);
    const problems = checkCompatibility(reader, writer);
    expect(problems.map((p) => [p.kind, p.path])).toEqual([
      ['TYPE_MISMATCH', '/fields/amount_minor/type'],
      ['MISSING_ENUM_SYMBOLS', '/fields/currency/type/symbols'],
      ['MISSING_UNION_BRANCH', '/fields/coupon/type'],
    ]);
    expect(problems[0]?.message).toMatch(/field 'amount_minor': reader type 'int' cannot read writer type 'long' \(Avro only promotes/);
    expect(problems[1]?.message).toContain('has no symbol JPY');
    expect(problems[2]?.message).toContain("writer union branch type 'string' matches no branch of reader union [null, int]");
  });

  it('paths and messages name nested fields', () => {
    const address = (zip: string) => ({
      name: 'address',
      type: { type: 'record', name: 'Address', fields: [{ name: 'zip', type: zip }] },
    });
    const problems = checkCompatibility(purchase([address('int')]), purchase([address('string')]));
    expect(problems).toEqual([
      {
        kind: 'TYPE_MISMATCH',
        path: '/fields/address/type/fields/zip/type',
        message: expect.stringMatching(/^field 'address\.zip': reader type 'int' cannot read writer type 'string'/),
      },
    ]);
  });

  it('names both records when their names differ and no alias links them', () => {
    const problems = checkCompatibility(type({ type: 'record', name: 'A', fields: [] }), type({ type: 'record', name: 'B', fields: [] }));
    expect(problems).toEqual([
      { kind: 'NAME_MISMATCH', path: '/name', message: expect.stringContaining("'B' is not among the aliases of 'A'") },
    ]);
  });

  it('reports a fixed size change at /size', () => {
    const problems = checkCompatibility(type({ type: 'fixed', name: 'H', size: 16 }), type({ type: 'fixed', name: 'H', size: 32 }));
    expect(problems).toEqual([{ kind: 'FIXED_SIZE_MISMATCH', path: '/size', message: expect.stringContaining('size 16 but writer') }]);
  });

  it('an enum default in the reader absorbs unknown writer symbols', () => {
    const reader = type(currency(['XXX', 'USD'], { default: 'XXX' }));
    expect(checkCompatibility(reader, type(currency(['USD', 'JPY'])))).toEqual([]);
  });

  it('a non-union reader must read every branch of a writer union', () => {
    expect(checkCompatibility(type('string'), type(['null', 'string']))).toEqual([
      { kind: 'TYPE_MISMATCH', path: '/', message: "top-level type: reader type 'string' cannot read writer union branch type 'null'" },
    ]);
    expect(checkCompatibility(type('long'), type(['int', 'long']))).toEqual([]);
  });

  it('a writer type is read by the first union branch that can read it, with promotions', () => {
    expect(checkCompatibility(type(['null', 'double']), type('int'))).toEqual([]);
    expect(checkCompatibility(type(['null', 'string']), type('int'))).toEqual([
      { kind: 'MISSING_UNION_BRANCH', path: '/', message: "top-level type: writer type 'int' matches no branch of reader union [null, string]" },
    ]);
  });

  it('goes into the union branch with the same name for details', () => {
    const reader = type(['null', { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] }]);
    const writer = type({ type: 'record', name: 'R', fields: [{ name: 'b', type: 'int' }] });
    expect(checkCompatibility(reader, writer)).toEqual([
      { kind: 'READER_FIELD_MISSING_DEFAULT_VALUE', path: '/1/fields/a', message: expect.stringContaining("reader field 'a'") },
    ]);
  });

  it('terminates on recursive types and still finds problems inside them', () => {
    const list = (value: string) =>
      type({ type: 'record', name: 'Node', fields: [{ name: 'value', type: value }, { name: 'next', type: ['null', 'Node'], default: null }] });
    expect(checkCompatibility(list('long'), list('int'))).toEqual([]);
    expect(checkCompatibility(list('int'), list('long')).map((p) => p.path)).toEqual(['/fields/value/type']);
  });

  it('uses the labels it is given', () => {
    const problems = checkCompatibility(purchase([orderId, amount]), purchase([orderId]), { reader: 'the new schema', writer: 'version 4' });
    expect(problems[0]?.message).toContain("the new schema field 'amount_minor' has no default and is missing in version 4");
  });
});
