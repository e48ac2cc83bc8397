import { describe, expect, it } from 'vitest';
import { AggregateError, isAggregateError } from '../../../../services/aggregator/definition/aggregate-errors.ts';
import { loadAggregates } from '../../../../services/aggregator/definition/load-aggregates.ts';
import { tempFolder } from '../../processor/pipeline/pipeline-fixture.ts';
import { MINIMAL, problemsOf, thingAggregate, thingProblems } from './aggregate-fixture.ts';

/** [what, changes over the minimal definition, expected "path: message" part] */
type Case = [string, Record<string, unknown>, string];

const measures = (...items: unknown[]) => ({ measures: [{ kind: 'count', name: 'events' }, ...items] });
const windows = (...items: unknown[]) => ({ windows: items });

const cases: Case[] = [
  ['an unknown top-level key, with a suggestion', { dimensons: [] }, '/dimensons: unknown key (did you mean "dimensions"?)'],
  ['a source that is not the file name', { source: 'other' }, '/source: is "other" but the file is named thing.json'],
  ['no dimensions', { dimensions: undefined }, ': an aggregate definition needs "dimensions"'],
  ['a dimension that is not a string', { dimensions: [3] }, '/dimensions/0: must be a field name (a string), got number 3'],
  ['a dimension twice', { dimensions: ['name', 'name'] }, '/dimensions/1: "name" is already a dimension at /dimensions/0'],
  ['too many dimensions', { dimensions: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] }, '/dimensions: lists 9 fields; at most 8 are allowed'],
  ['a dimension the clean schema lacks', { dimensions: ['nmae'] }, '/dimensions/0: the clean schema of thing has no field "nmae" to group by; its fields are event_id, event_time, name'],
  ['a dimension of a double', { dimensions: ['ratio'] }, '/dimensions/0: a dimension is a string, enum, int, long or boolean (nullable or not), but "ratio" is double'],
  ['a dimension of a map', { dimensions: ['props'] }, 'but "props" is map'],
  ['the event time as a dimension', { dimensions: ['event_time'] }, '/dimensions/0: "event_time" is the event time; the windows already group by it'],
  ['an indexBy field that is no dimension', { dimensions: ['name'], indexBy: ['kind'] }, '/indexBy/0: "kind" is not one of the dimensions (they are name): the table can be sorted by dimensions only'],
  ['an indexBy without dimensions', { dimensions: [], indexBy: [7] }, '/indexBy/0: number 7 is not one of the dimensions (there are none)'],
  ['an indexBy field twice', { dimensions: ['name', 'kind'], indexBy: ['kind', 'kind'] }, '/indexBy/1: "kind" is listed twice'],
  ['an indexBy that is not a list', { dimensions: ['name'], indexBy: 'name' }, '/indexBy: must be an array'],

  ['no measures', { measures: [] }, '/measures: must list at least one measure'],
  ['a measure kind that does not exist', measures({ kind: 'median', name: 'm', field: 'ratio' }), '/measures/1/kind: must be one of "count", "sum", "min", "max", "avg", "distinct", "quantile", got string "median"'],
  ['a misspelt measure key', measures({ kind: 'sum', name: 's', feild: 'ratio' }), `/measures/1/feild: unknown key (did you mean "field"?); a 'sum' measure takes "kind", "name", "field"`],
  ['a count with a field', measures({ kind: 'count', name: 'c', field: 'name' }), `/measures/1/field: unknown key; a 'count' measure takes "kind", "name"`],
  ['a measure name that is no SQL identifier', measures({ kind: 'count', name: 'Events-2' }), '/measures/1/name: "Events-2" is not valid: a measure name is a SQL column name'],
  ['a measure name twice', measures({ kind: 'sum', name: 'events', field: 'count' }), '/measures/1/name: "events" is already the name of the measure at /measures/0'],
  ['a measure name of a window column', measures({ kind: 'count', name: 'window_start' }), '/measures/1/name: names starting with "window_" are kept for the window columns'],
  ['a measure named like a dimension', measures({ kind: 'count', name: 'name' }), '/measures/1/name: "name" is also a dimension'],
  ['a sum of a string', measures({ kind: 'sum', name: 's', field: 'name' }), `/measures/1/field: a 'sum' measure takes an int, long, float or double (nullable or not), but "name" is string`],
  ['an avg of an enum', measures({ kind: 'avg', name: 'a', field: 'kind' }), 'but "kind" is enum Kind'],
  ['a distinct count of a double', measures({ kind: 'distinct', name: 'd', field: 'ratio' }), `/measures/1/field: a 'distinct' measure takes a string, enum, int or long (nullable or not), but "ratio" is double`],
  ['a measure of a field the clean schema lacks', measures({ kind: 'max', name: 'm', field: 'missing' }), '/measures/1/field: the clean schema of thing has no field "missing" to compute "m" from'],
  ['a quantile without q', measures({ kind: 'quantile', name: 'p', field: 'ratio' }), `/measures/1: a 'quantile' measure needs "q"`],
  ['a quantile of 1', measures({ kind: 'quantile', name: 'p', field: 'ratio', q: 1 }), '/measures/1/q: must lie strictly between 0 and 1 (0.5 is the median, 0.99 the 99th percentile); for 1 use a "max" measure'],
  ['a quantile over 1', measures({ kind: 'quantile', name: 'p', field: 'ratio', q: 99 }), '/measures/1/q: must be at least 0 and at most 1, got 99'],

  ['no windows', { windows: [] }, '/windows: must list at least one window'],
  ['a window kind that does not exist', windows({ kind: 'sliding', sizeMs: 1000 }), '/windows/0/kind: must be one of "tumbling", "hopping", "session"'],
  ['a window size of part of a second', windows({ kind: 'tumbling', sizeMs: 1500 }), '/windows/0/sizeMs: must be a whole number of seconds in milliseconds (a multiple of 1000), got 1500'],
  ['a window size in seconds by mistake', windows({ kind: 'tumbling', sizeMs: 10 }), '/windows/0/sizeMs: must be at least 1000 and at most 86400000, got 10'],
  ['a window over a day', windows({ kind: 'tumbling', sizeMs: 172_800_000 }), '/windows/0/sizeMs: must be at least 1000 and at most 86400000'],
  ['a window size that is a string', windows({ kind: 'tumbling', sizeMs: '10s' }), '/windows/0/sizeMs: must be an integer, got string "10s"'],
  ['a tumbling window with an advance', windows({ kind: 'tumbling', sizeMs: 60_000, advanceMs: 1000 }), `/windows/0/advanceMs: unknown key; a 'tumbling' window takes "kind", "sizeMs"`],
  ['a hopping window without an advance', windows({ kind: 'hopping', sizeMs: 60_000 }), `/windows/0: a 'hopping' window needs "advanceMs"`],
  ['a hopping window that advances by its size', windows({ kind: 'hopping', sizeMs: 60_000, advanceMs: 60_000 }), '/windows/0/advanceMs: must be smaller than sizeMs (60000); a window that advances by its size is {"kind": "tumbling", "sizeMs": 60000}'],
  ['a hopping size that is no multiple of the advance', windows({ kind: 'hopping', sizeMs: 60_000, advanceMs: 7_000 }), '/windows/0/sizeMs: must be a multiple of advanceMs (7000)'],
  ['a hopping window with too many hops', windows({ kind: 'hopping', sizeMs: 3_600_000, advanceMs: 10_000 }), '/windows/0/advanceMs: puts every event in 360 windows (sizeMs / advanceMs); at most 60 are allowed: advance by 60000 or more'],
  ['a session window with a size', windows({ kind: 'session', sizeMs: 60_000 }), `/windows/0/sizeMs: unknown key; a 'session' window takes "kind", "gapMs"`],
  ['the same window twice', windows({ kind: 'tumbling', sizeMs: 60_000 }, { kind: 'tumbling', sizeMs: 60_000 }), '/windows/1: the same window (tumbling_1m) as at /windows/0'],

  ['a negative grace', { graceMs: -1 }, '/graceMs: must be at least 0 and at most 86400000, got -1'],
  ['an out-of-orderness over an hour', { allowedOutOfOrdernessMs: 7_200_000 }, '/allowedOutOfOrdernessMs: must be at least 0 and at most 3600000'],
  ['an idle timeout under a second', { idleTimeoutMs: 10 }, '/idleTimeoutMs: must be at least 1000 and at most 3600000, got 10'],
  ['a late policy that does not exist', { lateEvents: 'drop' }, '/lateEvents: must be one of "dlq", "correct", got string "drop"'],
  ['corrections with session windows', { lateEvents: 'correct', windows: [{ kind: 'session', gapMs: 60_000 }] }, '/lateEvents: "correct" cannot be used with session windows (/windows/0)'],
  ['a time field the clean schema lacks', { timeField: 'ts' }, '/timeField: the clean schema of thing has no field "ts" to take event times from'],
  ['a time field that is a plain long', { timeField: 'total' }, '/timeField: event times come from a non-null long of logical type timestamp-millis, but "total" is long'],
];

describe('loadAggregates', () => {
  it.each(cases)('refuses %s', async (_what, changes, expected) => {
    expect(await thingProblems(changes)).toContainEqual(expect.stringContaining(expected));
  });

  it('reads a full definition, with defaults for what it leaves out', async () => {
    const aggregate = await thingAggregate({
      dimensions: ['name', 'nick', 'kind', 'flag', 'code'],
      measures: [
        { kind: 'count', name: 'events' },
        { $comment: 'a note', kind: 'sum', name: 'total_sum', field: 'total' },
        { kind: 'quantile', name: 'ratio_p99', field: 'ratio', q: 0.99 },
        { kind: 'distinct', name: 'names', field: 'name' },
      ],
      windows: [
        { kind: 'tumbling', sizeMs: 10_000 },
        { kind: 'hopping', sizeMs: 3_600_000, advanceMs: 300_000 },
        { kind: 'session', gapMs: 1_800_000 },
      ],
      indexBy: ['kind', 'name'],
    });
    expect(aggregate).toMatchObject({
      source: 'thing',
      timeField: 'event_time',
      dimensions: [{ field: 'name' }, { field: 'nick' }, { field: 'kind' }, { field: 'flag' }, { field: 'code' }],
      indexBy: [{ at: '/indexBy/0', field: 'kind' }, { at: '/indexBy/1', field: 'name' }],
      measures: [
        { at: '/measures/0', kind: 'count', name: 'events' },
        { at: '/measures/1', kind: 'sum', name: 'total_sum', field: 'total' },
        { at: '/measures/2', kind: 'quantile', name: 'ratio_p99', field: 'ratio', q: 0.99 },
        { at: '/measures/3', kind: 'distinct', name: 'names', field: 'name' },
      ],
      windows: [
        { kind: 'tumbling', sizeMs: 10_000 },
        { kind: 'hopping', sizeMs: 3_600_000, advanceMs: 300_000 },
        { kind: 'session', gapMs: 1_800_000 },
      ],
      allowedOutOfOrdernessMs: 5_000,
      graceMs: 60_000,
      idleTimeoutMs: 30_000,
      lateEvents: 'dlq',
    });
    expect(aggregate.dimensionShapes.map((s) => `${s.nullable ? 'nullable ' : ''}${s.kind}`)).toEqual(['string', 'nullable string', 'enum', 'boolean', 'nullable long']);
    expect(Object.isFrozen(aggregate)).toBe(true);
  });

  it('reports every problem of every file at once, in file order', async () => {
    const problems = await problemsOf({
      'thing.json': { source: 'thing', dimensions: ['ratio'], measures: [{ kind: 'sum', name: 'Bad', field: 'name' }], windows: [{ kind: 'tumbling', sizeMs: 1500 }], graceMs: 'long' },
      'other.json': { source: 'other', dimensions: [], measures: [{ kind: 'count', name: 'n' }], windows: [{ kind: 'session', gapMs: 1000 }] },
      'notes.md': '# not a definition',
    });
    expect(problems).toEqual([
      'other.json : no clean schema for other: no subject weir.clean.other-value',
      '/measures/0/name: "Bad" is not valid: a measure name is a SQL column name: lower case letters, digits and _, starting with a letter',
      '/windows/0/sizeMs: must be a whole number of seconds in milliseconds (a multiple of 1000), got 1500',
      '/graceMs: must be an integer, got string "long"',
      '/dimensions/0: a dimension is a string, enum, int, long or boolean (nullable or not), but "ratio" is double',
    ]);
  });

  it('refuses a definition that is not an object, or not JSON, and a file named after no event type', async () => {
    expect(await problemsOf({ 'a.json': '[]', 'b.json': '{"source": "b",', 'Bad-Name.json': {} })).toEqual([
      'Bad-Name.json : "Bad-Name" is not an event type (lower case letters, digits and _, starting with a letter); name the file <type>.json',
      'a.json : an aggregate definition must be an object, got an array',
      expect.stringMatching(/^b\.json : is not valid JSON: /),
    ]);
  });

  it('refuses a folder that does not exist, or holds no definition', async () => {
    expect(await problemsOf({ 'README.md': '#' })).toEqual(['. : holds no aggregate definition (<type>.json)']);
  });

  it('refuses a clean schema that is not usable, at its origin', async () => {
    const dir = tempFolder({ 'thing.json': MINIMAL });
    const error = await loadAggregates(dir, { cleanSchema: async () => ({ text: '"string"', origin: 'weir.clean.thing-value' }) }).catch((e: unknown) => e);
    expect(isAggregateError(error, 'AGGREGATES_INVALID')).toBe(true);
    expect((error as AggregateError).retriable).toBe(false);
    expect((error as AggregateError).problems).toEqual([
      { file: 'weir.clean.thing-value', path: '', message: 'the clean schema is not usable: an event schema must be a record, not string', type: 'thing' },
    ]);
    expect((error as AggregateError).message).toBe('aggregate definitions are invalid (1 problem):\n  weir.clean.thing-value: the clean schema is not usable: an event schema must be a record, not string');
  });
});
