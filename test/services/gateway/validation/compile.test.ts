import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileEventValidator } from '../../../../services/gateway/validation/compile.ts';
import { EVERYTHING, errorsOf, everythingEvent, type JsonRecord, summary, valueOf } from './fixtures.ts';

const validate = compileEventValidator(EVERYTHING);
const everythingType = avro.Type.forSchema(EVERYTHING as avro.Schema);

/** A valid EVERYTHING event with some fields replaced (undefined deletes). */
function eventWith(changes: Record<string, unknown>): Record<string, unknown> {
  const event = everythingEvent();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete event[key];
    else event[key] = value;
  }
  return event;
}

function only(changes: Record<string, unknown>): string[] {
  return summary(errorsOf(validate(eventWith(changes))));
}

describe('compileEventValidator: one reason at a time', () => {
  it('accepts the valid event and the value encodes with avsc', () => {
    const value = valueOf(validate(everythingEvent()));
    expect(everythingType.isValid(value)).toBe(true);
    const buffer = everythingType.toBuffer(value);
    expect(everythingType.toBuffer(everythingType.fromBuffer(buffer)).equals(buffer)).toBe(true);
  });

  it('missing_field: a required field is absent, at its own path', () => {
    expect(only({ s: undefined })).toEqual(['/s missing_field']);
    expect(errorsOf(validate(eventWith({ s: undefined })))[0]?.message).toBe('missing required field s (string)');
  });

  it('does not read a field from Object.prototype: "constructor" absent takes its default', () => {
    const value = valueOf(validate(eventWith({})));
    expect(value['constructor']).toBeNull();
  });

  it.each([
    ['b', 'true'],
    ['i', 1.5],
    ['i', '1'],
    ['s', 5],
    ['arr', { 0: 1 }],
    ['m', [1]],
    ['nested', 'inner'],
    ['d', Number.NaN],
    ['n', 0],
    ['e', 3],
    ['opt', 5],
    ['by', 12],
  ])('wrong_type: %s = %j', (field, sent) => {
    const errors = errorsOf(validate(eventWith({ [field]: sent })));
    expect(summary(errors)).toEqual([`/${field} wrong_type`]);
    expect(errors[0]?.message).toMatch(/^expected .+, got .+/);
  });

  it('not_in_enum: names every symbol and the value sent', () => {
    const errors = errorsOf(validate(eventWith({ e: 'PURPLE' })));
    expect(summary(errors)).toEqual(['/e not_in_enum']);
    expect(errors[0]?.message).toBe('expected one of RED, GREEN, BLUE, got "PURPLE"');
  });

  it('unknown_field: every unknown field, escaped in the path', () => {
    expect(only({ extra: 1, 'a/b~c': 2 })).toEqual(['/extra unknown_field', '/a~1b~0c unknown_field']);
  });

  it.each([
    ['i', 2 ** 31],
    ['i', -(2 ** 31) - 1],
    ['l', 2 ** 53 - 1],
    ['l', -(2 ** 52) - 1],
    ['l', '9007199254740993'],
    ['l', Number.POSITIVE_INFINITY],
    ['f', 1e39],
    ['d', JSON.parse('1e400') as number],
    ['amount', '123456789.5'],
  ])('out_of_range: %s = %s', (field, sent) => {
    expect(only({ [field]: sent })).toEqual([`/${field} out_of_range`]);
  });

  it('keeps the ends of each integer range, through avsc and back', () => {
    for (const i of [2 ** 31 - 1, -(2 ** 31)]) expect(valueOf(validate(eventWith({ i })))['i']).toBe(i);
    // avsc 5.7 writes longs below -2^52 wrongly (zigzag in floating point): the range stops there.
    for (const l of [2 ** 53 - 2, -(2 ** 52), -(2 ** 52) + 1]) {
      const value = valueOf(validate(eventWith({ l })));
      expect(everythingType.fromBuffer(everythingType.toBuffer(value)).l).toBe(l);
    }
  });

  it('long: takes a canonical digit string within range, not other strings', () => {
    expect(valueOf(validate(eventWith({ l: '-42' })))['l']).toBe(-42);
    expect(only({ l: '042' })).toEqual(['/l wrong_type']);
    expect(only({ l: '4.2' })).toEqual(['/l wrong_type']);
  });

  it.each([
    ['uid', 'not-a-uuid'],
    ['ts_ms', '2026-11-24 10:00'],
    ['ts_ms', '2026-02-30T10:00:00Z'],
    ['ts_us', '2026-11-24T10:00:00'],
    ['day', '2026-13-01'],
    ['amount', '12,5'],
    ['amount', '1.234'],
    ['by', 'AQI'],
    ['fx', Buffer.from([1, 2, 3]).toString('base64')],
    ['s', 'bad \ud800 surrogate'],
  ])('invalid_format: %s = %j', (field, sent) => {
    expect(only({ [field]: sent })).toEqual([`/${field} invalid_format`]);
  });

  it('too_long: strings over the limit in UTF-8 bytes, including map keys', () => {
    const small = compileEventValidator(EVERYTHING, { maxStringBytes: 40 });
    expect(summary(errorsOf(small(eventWith({ s: 'x'.repeat(41), nested: { name: 'é'.repeat(21) } }))))).toEqual([
      '/s too_long',
      '/nested/name too_long',
    ]);
    expect(valueOf(small(eventWith({ s: 'x'.repeat(40), nested: { name: 'é'.repeat(20) } })))['s']).toBe('x'.repeat(40));
    expect(summary(errorsOf(small(eventWith({ m: { ['k'.repeat(41)]: 1 } }))))).toEqual([`/m/${'k'.repeat(41)} too_long`]);
    expect(only({ s: 'y'.repeat(8193) })).toEqual(['/s too_long']);
  });

  it('too_deep: a recursive record nested past the limit, at the level that is too deep', () => {
    const shallow = compileEventValidator(EVERYTHING, { maxDepth: 4 });
    // Event 1, tree 2, children 3, child 4, its children 5.
    const tree = { value: 1, children: [{ value: 2, children: [{ value: 3 }] }] };
    expect(summary(errorsOf(shallow(eventWith({ tree }))))).toEqual(['/tree/children/0/children too_deep']);
    let deep: Record<string, unknown> = { value: 0 };
    for (let i = 0; i < 40; i++) deep = { value: i, children: [deep] };
    expect(summary(errorsOf(validate(eventWith({ tree: deep }))))).toHaveLength(1);
    expect(errorsOf(validate(eventWith({ tree: deep })))[0]?.reason).toBe('too_deep');
  });
});

describe('compileEventValidator: paths, all errors, caps', () => {
  it('reports every error of an event with nested paths', () => {
    const errors = errorsOf(
      validate(
        eventWith({
          i: 'x',
          arr: [1, 'two', 3, null],
          m: { ok: 1, 'bad/key': 'x' },
          nested: { tags: ['a', 7] },
          tree: { value: 1, children: [{ value: 2 }, { value: 'three', children: [{ nope: true, value: 4 }] }] },
        }),
      ),
    );
    expect(summary(errors)).toEqual([
      '/i wrong_type',
      '/arr/1 wrong_type',
      '/arr/3 wrong_type',
      '/m/bad~1key wrong_type',
      '/nested/name missing_field',
      '/nested/tags/1 wrong_type',
      '/tree/children/1/value wrong_type',
      '/tree/children/1/children/0/nope unknown_field',
    ]);
  });

  it('stops at maxErrors and says the list is truncated', () => {
    const extra = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x${i}`, i]));
    const result = validate(eventWith(extra));
    expect(errorsOf(result)).toHaveLength(20);
    expect(!result.ok && result.truncated).toBe(true);
    const three = compileEventValidator(EVERYTHING, { maxErrors: 3 })(eventWith({ arr: Array.from({ length: 50 }, () => 'x') }));
    expect(summary(errorsOf(three))).toEqual(['/arr/0 wrong_type', '/arr/1 wrong_type', '/arr/2 wrong_type']);
    // Errors in the last two fields: the cap is reached with nothing left unchecked.
    const exact = compileEventValidator(EVERYTHING, { maxErrors: 2 })(eventWith({ tree: 'x', constructor: 5 }));
    expect(summary(errorsOf(exact))).toEqual(['/tree wrong_type', '/constructor wrong_type']);
    expect(!exact.ok && exact.truncated).toBe(false);
  });

  it('keeps messages short however long the bad value', () => {
    const huge = 'z'.repeat(1_000_000);
    const errors = errorsOf(validate(eventWith({ e: huge, [huge]: 1 })));
    expect(summary(errors)).toEqual(['/e not_in_enum', ' unknown_field']);
    for (const error of errors) expect(error.message.length).toBeLessThan(300);
  });

  it('rejects a non-object event with path ""', () => {
    for (const sent of [null, [], 'event', 3, new Date(), undefined]) {
      expect(summary(errorsOf(validate(sent)))).toEqual([' wrong_type']);
    }
  });
});

describe('compileEventValidator: prototype safety', () => {
  it('treats a parsed "__proto__" key as an unknown field and pollutes nothing', () => {
    const sent = JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(everythingEvent()).slice(1)}`) as unknown;
    expect(summary(errorsOf(validate(sent)))).toEqual(['/__proto__ unknown_field']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses "__proto__" as a map key, which avsc readers would drop', () => {
    const m = JSON.parse('{"__proto__": 1, "fine": 2}') as unknown;
    expect(only({ m })).toEqual(['/m/__proto__ invalid_format']);
  });

  it('returns fresh objects: neither the input nor shared defaults are handed out', () => {
    const event = eventWith({ nested: { name: 'n' }, tree: undefined });
    const a = valueOf(validate(event));
    const b = valueOf(validate(event));
    expect(a['m']).toEqual(event['m']);
    expect(a['m']).not.toBe(event['m']);
    expect((a['nested'] as { tags: unknown }).tags).toEqual([]);
    expect((a['nested'] as { tags: unknown }).tags).not.toBe((b['nested'] as { tags: unknown }).tags);
    expect(a['tree']).toEqual({ value: 0, children: [] });
    expect(a['tree']).not.toBe(b['tree']);
  });

  it('refuses a schema with a field named __proto__', () => {
    const schema: JsonRecord = { type: 'record', name: 'Bad', fields: [{ name: '__proto__', type: 'string' }] };
    expect(() => compileEventValidator(schema)).toThrow(/__proto__/);
  });
});

describe('compileEventValidator: setup', () => {
  it.each([{ maxErrors: 0 }, { maxDepth: 1.5 }, { maxDepth: 100_000 }, { maxStringBytes: -1 }])('rejects option %j, naming it', (options) => {
    expect(() => compileEventValidator(EVERYTHING, options)).toThrow(new RegExp(Object.keys(options)[0] ?? 'never'));
  });

  it('rejects invalid schemas and non-record schemas', () => {
    expect(() => compileEventValidator({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] })).toThrow(/invalid Avro schema/);
    expect(() => compileEventValidator({ type: 'string' })).toThrow(/must be a record/);
  });

  it('follows the union wrapping of the avsc Type it is given', () => {
    const schema: JsonRecord = { type: 'record', name: 'W', fields: [{ name: 'o', type: ['null', 'string'] }] };
    const wrappedType = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: true });
    const value = valueOf(compileEventValidator(schema, { avroType: wrappedType })({ o: 'x' }));
    expect(value).toEqual({ o: { string: 'x' } });
    expect(wrappedType.isValid(value)).toBe(true);
  });
});
