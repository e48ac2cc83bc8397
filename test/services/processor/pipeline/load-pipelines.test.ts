import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipelines } from '../../../../services/processor/pipeline/load-pipelines.ts';
import { formatProblem, isPipelineError, PipelineError } from '../../../../services/processor/pipeline/pipeline-errors.ts';
import { latestFrom, problemsOf, tempFolder, THING_SCHEMA, thingPipeline, thingProblems } from './pipeline-fixture.ts';

const hookFixture = (name: string) => path.join(import.meta.dirname, 'fixtures', 'hooks', name);

/** [what, definition (source "thing" added), expected path, part of the expected message] */
type Case = [string, Record<string, unknown>, string, string];

const rename = (field: string, to: string) => ({ op: 'rename', field, to });

const definitionCases: Case[] = [
  ['an unknown top-level key, with a suggestion', { ruels: [] }, '/ruels', 'unknown key (did you mean "rules"?)'],
  ['a $comment that is not a string', { $comment: 3 }, '/$comment', 'must be a string, got number 3'],
  ['a $schema that is not a string', { $schema: true }, '/$schema', 'must be a string'],
  ['a source that is not the file name', { source: 'other' }, '/source', 'the file is named thing.json'],
  ['a source that is not an event type', { source: 'Thing' }, '/source', 'lower case letters'],
  ['rules that are not an array', { rules: {} }, '/rules', 'must be an array, got an object'],
  ['transforms that are not an array', { transforms: 'drop' }, '/transforms', 'must be an array'],
  ['a readerSchema that is neither "latest" nor an object', { readerSchema: 2 }, '/readerSchema', 'must be an object'],
  ['a readerSchema file that does not exist', { readerSchema: { file: 'nope.avsc' } }, '/readerSchema/file', 'nope.avsc does not exist'],
  ['a readerSchema with an unknown key', { readerSchema: { file: 'x.avsc', version: 2 } }, '/readerSchema/version', 'unknown key'],
  ['dedup on a field the schema lacks', { dedup: { idField: 'order_id' } }, '/dedup/idField', 'no field "order_id"'],
  ['dedup on a boolean', { dedup: { idField: 'flag' } }, '/dedup/idField', 'but "flag" is boolean'],
  ['a dedup horizon over a day', { dedup: { horizonMs: 90_000_000 } }, '/dedup/horizonMs', 'at most 86400000'],
  ['dedup that is true', { dedup: true }, '/dedup', 'must be an object'],
  ['a dead-letter class that does not exist', { deadLetter: { late: 'dlq', poison: 'drop' } }, '/deadLetter/poison', 'unknown key'],
  ['a dead-letter disposition that does not exist', { deadLetter: { duplicate: 'ignore' } }, '/deadLetter/duplicate', 'must be one of "dlq", "drop"'],

  ['a rule that is not an object', { rules: ['required'] }, '/rules/0', 'a rule must be an object'],
  ['an unknown rule kind', { rules: [{ rule: 'max', field: 'count' }] }, '/rules/0/rule', 'must be one of "required", "range"'],
  ['a rule without a field', { rules: [{ rule: 'required' }] }, '/rules/0', `a 'required' rule needs "field"`],
  ['a misspelt rule key', { rules: [{ rule: 'range', field: 'count', min: 0, mxa: 3 }] }, '/rules/0/mxa', 'did you mean "max"?'],
  ['a rule on a field the schema lacks', { rules: [{ rule: 'required', field: 'missing' }] }, '/rules/0/field', 'the reader schema has no field "missing"'],
  ['required on a field that is never null', { rules: [{ rule: 'required', field: 'name' }] }, '/rules/0/field', 'needs a nullable field'],
  ['a range on a string', { rules: [{ rule: 'range', field: 'name', min: 1 }] }, '/rules/0/field', 'needs a number field'],
  ['a range with no bound', { rules: [{ rule: 'range', field: 'count' }] }, '/rules/0/min', 'needs "min", "max" or both'],
  ['a range whose min is a string', { rules: [{ rule: 'range', field: 'count', min: '0' }] }, '/rules/0/min', 'must be a number, got string "0"'],
  ['a range whose max is below min', { rules: [{ rule: 'range', field: 'count', min: 5, max: 1 }] }, '/rules/0/max', 'below min 5'],
  ['a regex that does not compile', { rules: [{ rule: 'pattern', field: 'name', regex: '([a-z' }] }, '/rules/0/regex', 'does not compile'],
  ['a regex with nested repetition', { rules: [{ rule: 'pattern', field: 'name', regex: '^(a+)+$' }] }, '/rules/0/regex', 'exponential time'],
  ['a regex with a backreference', { rules: [{ rule: 'pattern', field: 'name', regex: '^(a)\\1$' }] }, '/rules/0/regex', 'backreference'],
  ['a regex over 512 characters', { rules: [{ rule: 'pattern', field: 'name', regex: 'a'.repeat(513) }] }, '/rules/0/regex', 'at most 512'],
  ['a pattern on a number', { rules: [{ rule: 'pattern', field: 'count', regex: '^1' }] }, '/rules/0/field', 'needs a string field'],
  ['a pattern input limit over the ceiling', { rules: [{ rule: 'pattern', field: 'name', regex: 'a', maxLength: 100_000 }] }, '/rules/0/maxLength', 'at most 65536'],
  ['allowed with both lists', { rules: [{ rule: 'allowed', field: 'kind', values: ['A'], except: ['B'] }] }, '/rules/0', 'exactly one of "values"'],
  ['allowed with no list', { rules: [{ rule: 'allowed', field: 'kind' }] }, '/rules/0', 'exactly one of "values"'],
  ['allowed with an empty list', { rules: [{ rule: 'allowed', field: 'kind', values: [] }] }, '/rules/0/values', 'at least one value'],
  ['allowed with a value twice', { rules: [{ rule: 'allowed', field: 'name', values: ['a', 'a'] }] }, '/rules/0/values/1', 'listed twice'],
  ['allowed with an object value', { rules: [{ rule: 'allowed', field: 'name', values: [{}] }] }, '/rules/0/values/0', 'must be a string, number or boolean'],
  ['allowed with a value that is no symbol', { rules: [{ rule: 'allowed', field: 'kind', values: ['A', 'Z'] }] }, '/rules/0/values/1', '"Z" is not a symbol of enum Kind'],
  ['allowed with a string for an int', { rules: [{ rule: 'allowed', field: 'count', values: ['3'] }] }, '/rules/0/values/0', 'is not an int'],
  ['allowed on a double', { rules: [{ rule: 'allowed', field: 'ratio', values: [1] }] }, '/rules/0/field', 'needs a string, enum, int, long or boolean'],
  ['clock_skew with no bound', { rules: [{ rule: 'clock_skew' }] }, '/rules/0', 'needs "maxPastMs", "maxFutureMs" or both'],
  ['clock_skew with a negative bound', { rules: [{ rule: 'clock_skew', maxPastMs: -1 }] }, '/rules/0/maxPastMs', 'at least 0'],
  ['clock_skew on a string', { rules: [{ rule: 'clock_skew', field: 'name', maxPastMs: 1 }] }, '/rules/0/field', 'needs a long field of epoch milliseconds'],

  ['a transform that is not an object', { transforms: [null] }, '/transforms/0', 'a transform must be an object, got null'],
  ['an unknown op', { transforms: [{ op: 'upper', field: 'name' }] }, '/transforms/0/op', 'must be one of "rename"'],
  ['a transform on a field the schema lacks', { transforms: [{ op: 'trim', field: 'nope' }] }, '/transforms/0/field', 'there is no field "nope" here'],
  ['a transform on a field dropped before', { transforms: [{ op: 'drop', field: 'name' }, { op: 'trim', field: 'name' }] }, '/transforms/1/field', 'it was dropped at /transforms/0'],
  ['a transform on a field renamed before', { transforms: [rename('name', 'title'), { op: 'trim', field: 'name' }] }, '/transforms/1/field', 'renamed to "title" at /transforms/0'],
  ['a rename onto an existing field', { transforms: [rename('name', 'nick')] }, '/transforms/0/to', 'a field named "nick" already exists'],
  ['a rename to an invalid name', { transforms: [rename('name', 'full-name')] }, '/transforms/0/to', 'Avro field names'],
  ['a rename without "to"', { transforms: [{ op: 'rename', field: 'name' }] }, '/transforms/0', `a 'rename' transform needs "to"`],
  ['a key of another transform', { transforms: [{ op: 'drop', field: 'name', to: 'x' }] }, '/transforms/0/to', `a 'drop' transform takes "op", "field"`],
  ['a default on a field that is never null', { transforms: [{ op: 'default', field: 'name', value: 'x' }] }, '/transforms/0/field', 'needs a nullable field'],
  ['a default of the wrong type', { transforms: [{ op: 'default', field: 'code', value: 'none' }] }, '/transforms/0/value', 'is not a valid long'],
  ['a default of null', { transforms: [{ op: 'default', field: 'nick', value: null }] }, '/transforms/0/value', 'must not be null'],
  ['a default without a value', { transforms: [{ op: 'default', field: 'nick' }] }, '/transforms/0', 'needs "value"'],
  ['a cast to an unknown type', { transforms: [{ op: 'cast', field: 'name', to: 'float' }] }, '/transforms/0/to', 'must be one of "string", "int"'],
  ['a cast of a map', { transforms: [{ op: 'cast', field: 'props', to: 'string' }] }, '/transforms/0/field', 'needs a string, int, long'],
  ['a cast to the same type', { transforms: [{ op: 'cast', field: 'count', to: 'int' }] }, '/transforms/0/field', 'needs another type than int'],
  ['a cast of an enum to a number', { transforms: [{ op: 'cast', field: 'kind', to: 'int' }] }, '/transforms/0/field', 'or an enum, to string'],
  ['lowercase on a number', { transforms: [{ op: 'lowercase', field: 'count' }] }, '/transforms/0/field', 'a lowercase transform needs a string field'],
  ['trim on an enum', { transforms: [{ op: 'trim', field: 'kind' }] }, '/transforms/0/field', 'but "kind" is enum Kind'],
  ['a hash without a secret env name', { transforms: [{ op: 'hash', field: 'name' }] }, '/transforms/0', `a 'hash' transform needs "secretEnv"`],
  ['a hash with the secret itself', { transforms: [{ op: 'hash', field: 'name', secretEnv: 's3cr3t-value!' }] }, '/transforms/0/secretEnv', 'never the secret itself'],
  ['a hash with a "secret" key', { transforms: [{ op: 'hash', field: 'name', secretEnv: 'X', secret: 'abc' }] }, '/transforms/0/secret', 'unknown key'],
  ['a hash of a boolean', { transforms: [{ op: 'hash', field: 'flag', secretEnv: 'X' }] }, '/transforms/0/field', 'needs a string, int or long'],
  ['a derive without "using"', { transforms: [{ op: 'derive', field: 'url' }] }, '/transforms/0', 'needs "using"'],
  ['a derive of an unknown kind', { transforms: [{ op: 'derive', using: 'email', field: 'url' }] }, '/transforms/0/using', 'must be one of "url", "map_value"'],
  ['a url derivation into nothing', { transforms: [{ op: 'derive', using: 'url', field: 'url', into: {} }] }, '/transforms/0/into', 'names no URL part'],
  ['a url derivation into an unknown part', { transforms: [{ op: 'derive', using: 'url', field: 'url', into: { port: 'p' } }] }, '/transforms/0/into/port', 'unknown key'],
  ['a url derivation into an existing field', { transforms: [{ op: 'derive', using: 'url', field: 'url', into: { host: 'name' } }] }, '/transforms/0/into/host', 'already exists'],
  ['a url derivation into one name twice', { transforms: [{ op: 'derive', using: 'url', field: 'url', into: { host: 'h', path: 'h' } }] }, '/transforms/0/into/path', 'named twice'],
  ['a url derivation of a number', { transforms: [{ op: 'derive', using: 'url', field: 'count', into: { host: 'h' } }] }, '/transforms/0/field', 'needs a string field'],
  ['a bad onInvalid', { transforms: [{ op: 'derive', using: 'url', field: 'url', into: { host: 'h' }, onInvalid: 'skip' }] }, '/transforms/0/onInvalid', 'must be one of "fail", "null"'],
  ['a map_value of a string', { transforms: [{ op: 'derive', using: 'map_value', field: 'name', key: 'k', into: 'k' }] }, '/transforms/0/field', 'needs a map of strings'],
  ['a map_value with an empty key', { transforms: [{ op: 'derive', using: 'map_value', field: 'props', key: '', into: 'k' }] }, '/transforms/0/key', 'must not be empty'],
  ['a lookup without a table', { transforms: [{ op: 'lookup', field: 'kind', into: 'k' }] }, '/transforms/0', 'needs "table"'],
  ['a lookup whose table file is missing', { transforms: [{ op: 'lookup', field: 'kind', into: 'k', table: 'tables/nope.json' }] }, '/transforms/0/table', 'tables/nope.json does not exist'],
  ['a lookup whose table is a number', { transforms: [{ op: 'lookup', field: 'kind', into: 'k', table: 5 }] }, '/transforms/0/table', 'must be an object of key -> value or a file path'],
  ['an inline table key that is no symbol', { transforms: [{ op: 'lookup', field: 'kind', into: 'k', table: { A: 1, Q: 2 } }] }, '/transforms/0/table/Q', 'not a symbol of enum Kind'],
  ['an inline table with mixed values', { transforms: [{ op: 'lookup', field: 'name', into: 'k', table: { a: 1, b: 'x' } }] }, '/transforms/0/table', 'mixes long and string values'],
  ['an inline table that is empty', { transforms: [{ op: 'lookup', field: 'name', into: 'k', table: {} }] }, '/transforms/0/table', 'holds no value'],
  ['an inline table with an object value', { transforms: [{ op: 'lookup', field: 'name', into: 'k', table: { a: [1] } }] }, '/transforms/0/table/a', 'must be a string, number, boolean or null'],
  ['a table key that is not an int', { transforms: [{ op: 'lookup', field: 'count', into: 'k', table: { '1': 'one', x: 'ex' } }] }, '/transforms/0/table/x', 'not an int in decimal'],
  ['a lookup default of another type', { transforms: [{ op: 'lookup', field: 'kind', into: 'k', table: { A: 1 }, default: 'x' }] }, '/transforms/0/default', 'must be null or an integer'],
  ['a lookup into an existing field', { transforms: [{ op: 'lookup', field: 'kind', into: 'count', table: { A: 1 } }] }, '/transforms/0/into', 'already exists'],
  ['a lookup keyed by a map', { transforms: [{ op: 'lookup', field: 'props', into: 'k', table: { a: 1 } }] }, '/transforms/0/field', 'a lookup key must be'],

  ['a hook that is not a module file', { hook: { module: 'hook.py' } }, '/hook/module', 'must be a .ts, .mts, .js, .mjs file'],
  ['a hook module that does not exist', { hook: { module: './nope.ts' } }, '/hook/module', 'does not exist'],
  ['a hook without a default function', { hook: { module: hookFixture('no-default.ts') } }, '/hook/module', 'must export a function as default'],
  ['a hook that fails to import', { hook: { module: hookFixture('throws-on-import.ts') } }, '/hook/module', 'failed to load: broken on purpose'],
  ['a hook that adds an existing field', { hook: { module: hookFixture('identity.ts'), addsFields: [{ name: 'name', type: 'string', doc: 'd' }] } }, '/hook/addsFields/0/name', 'already exists'],
  ['a hook that adds a field without doc', { hook: { module: hookFixture('identity.ts'), addsFields: [{ name: 'extra', type: 'string' }] } }, '/hook/addsFields/0', 'needs "doc"'],
  ['a hook that adds a field of no type', { hook: { module: hookFixture('identity.ts'), addsFields: [{ name: 'extra', type: 'strnig', doc: 'd' }] } }, '/hook/addsFields', 'the output schema derived'],
  ['a hook with an unknown key', { hook: { module: hookFixture('identity.ts'), fields: [] } }, '/hook/fields', 'unknown key'],
];

describe('loadPipelines: every problem names the file and its JSON Pointer', () => {
  it.each(definitionCases)('%s', async (_what, definition, at, message) => {
    const problems = await problemsOf({ 'thing.json': { source: 'thing', ...definition } });
    expect(problems.map((p) => `${p.file} ${p.path}: ${p.message}`)).toContainEqual(expect.stringContaining(`thing.json ${at}: `));
    expect(problems.find((p) => p.path === at)?.message).toContain(message);
  });

  it('refuses a definition that is not an object, or not JSON', async () => {
    const problems = await problemsOf({ 'a.json': '[]', 'b.json': '{"source": "b",' });
    expect(problems.map(formatProblem)).toEqual([
      'a.json: a pipeline definition must be an object, got an array',
      expect.stringMatching(/^b\.json: is not valid JSON: /),
    ]);
  });

  it('needs a source', async () => {
    expect(await thingProblems({ source: undefined })).toEqual([': a pipeline definition needs "source"']);
  });

  it('refuses a file named after no event type', async () => {
    const problems = await problemsOf({ 'Page-View.json': { source: 'page_view' } });
    expect(problems).toEqual([{ file: 'Page-View.json', path: '', type: 'Page-View', message: expect.stringContaining('is not an event type') }]);
  });

  it('refuses a folder that does not exist, or holds no definition', async () => {
    const missing = path.join(tempFolder({}), 'nope');
    await expect(loadPipelines(missing, { latestReaderSchema: latestFrom() })).rejects.toThrow(`${missing}: the pipeline folder does not exist`);
    expect(await problemsOf({ 'README.md': '# no definitions' })).toEqual([{ file: '.', path: '', message: 'holds no pipeline definition (<type>.json)' }]);
  });

  it('says when the latest reader schema is missing', async () => {
    expect(await problemsOf({ 'other.json': { source: 'other' } })).toEqual([
      { file: 'other.json', path: '', type: 'other', message: 'no reader schema: no subject weir.raw.other-value' },
    ]);
  });

  it('points into a reader schema file that does not parse', async () => {
    const bad = { ...THING_SCHEMA, fields: [{ name: 'a-b', type: 'string' }] };
    const problems = await problemsOf({ 'thing.json': { source: 'thing', readerSchema: { file: 'schemas/v1.avsc' } }, 'schemas/v1.avsc': bad });
    expect(problems).toEqual([{ file: 'schemas/v1.avsc', path: '/fields/0/name', type: 'thing', message: expect.stringContaining('field name "a-b" is invalid') }]);
  });

  it('says when a clock_skew rule\'s default field is missing, at the rule', async () => {
    const noTime = { ...THING_SCHEMA, fields: THING_SCHEMA.fields.filter((f) => f.name !== 'event_time') };
    const problems = await problemsOf({ 'thing.json': { source: 'thing', rules: [{ rule: 'clock_skew', maxPastMs: 1 }] } }, { thing: noTime });
    expect(problems.map(formatProblem)).toEqual([expect.stringMatching(/^thing\.json at \/rules\/0: the reader schema has no field "event_time" \(the field a clock_skew rule checks unless told\)/)]);
  });

  it('refuses a reader schema that is not a record', async () => {
    const problems = await problemsOf({ 'thing.json': { source: 'thing' } }, { thing: '"string"' });
    expect(problems[0]?.message).toContain('an event schema must be a record, not string');
  });

  it('needs an event_id for default dedup, and names the way out', async () => {
    const noId = { ...THING_SCHEMA, fields: THING_SCHEMA.fields.filter((f) => f.name !== 'event_id') };
    const problems = await problemsOf({ 'thing.json': { source: 'thing' } }, { thing: noId });
    expect(problems.map(formatProblem)).toEqual([expect.stringContaining('thing.json: the reader schema has no field "event_id" to drop duplicates on (duplicates are dropped on event_id unless "dedup" says otherwise')]);
    expect(await problemsOf({ 'thing.json': { source: 'thing', dedup: false, rules: [{ rule: 'required', field: 'flag' }] } }, { thing: noId })).toHaveLength(1);
  });

  it('points into a table file that is not JSON, or whose keys are wrong', async () => {
    const lookup = { op: 'lookup', field: 'kind', into: 'k', table: 'tables/kinds.json' };
    expect(await thingProblems({ transforms: [lookup] }, { 'tables/kinds.json': '{"A": 1,' })).toEqual([expect.stringMatching(/^tables\/kinds\.json : is not valid JSON/)]);
    expect(await thingProblems({ transforms: [lookup] }, { 'tables/kinds.json': { A: 1, a: 2 } })).toEqual(['tables/kinds.json /a: key "a" is not a symbol of enum Kind, so it would never match']);
  });

  it('escapes JSON Pointer tokens', async () => {
    expect(await thingProblems({ transforms: [{ op: 'lookup', field: 'name', into: 'k', table: { 'a/b~c': [] } }] })).toEqual([
      '/transforms/0/table/a~1b~0c: a table value must be a string, number, boolean or null, got an array',
    ]);
  });

  it('reports every problem of every file at once, in file order', async () => {
    const problems = await problemsOf({
      'thing.json': { source: 'thing', rules: [{ rule: 'range', field: 'name', min: 0 }], transforms: [rename('name', 'nick'), { op: 'trim', field: 'count' }] },
      'zeta.json': { source: 'zeta', extra: 1 },
    });
    expect(problems.map(formatProblem)).toEqual([
      'thing.json at /rules/0/field: a range rule needs a number field (int, long, float or double), but "name" is string',
      'thing.json at /transforms/0/to: a field named "nick" already exists here; drop or rename it first, or pick another name',
      'thing.json at /transforms/1/field: a trim transform needs a string field, but "count" is int',
      expect.stringMatching(/^zeta\.json at \/extra: unknown key; a pipeline definition takes "\$schema", "source"/),
      'zeta.json: no reader schema: no subject weir.raw.zeta-value',
    ]);
  });

  it('checks the transforms after one it cannot read only up to it, so that no problem is made up', async () => {
    const problems = await thingProblems({ transforms: [{ op: 'rename', field: 'name', to: 7 }, { op: 'trim', field: 'title' }, { op: 'trim', field: 'count' }] });
    expect(problems).toEqual(['/transforms/0/to: must be a string, got number 7']);
  });

  it('throws one PipelineError whose message lists every problem', async () => {
    const dir = tempFolder({ 'thing.json': { source: 'thing', rules: [{ rule: 'required', field: 'x' }, { rule: 'required', field: 'y' }] } });
    const error = await loadPipelines(dir, { latestReaderSchema: latestFrom() }).catch((e: unknown) => e);
    expect(isPipelineError(error, 'PIPELINES_INVALID')).toBe(true);
    expect((error as PipelineError).retriable).toBe(false);
    expect((error as PipelineError).message).toBe(
      `pipeline definitions are invalid (2 problems):\n` +
        `  ${path.join(dir, 'thing.json')} at /rules/0/field: the reader schema has no field "x"; its fields are ${THING_SCHEMA.fields.map((f) => f.name).join(', ')}\n` +
        `  ${path.join(dir, 'thing.json')} at /rules/1/field: the reader schema has no field "y"; its fields are ${THING_SCHEMA.fields.map((f) => f.name).join(', ')}`,
    );
  });
});

describe('loadPipelines: what a pipeline is', () => {
  it('names its topics, subject, dedup, secrets and policy', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'hash', field: 'name', secretEnv: 'TEST_SECRET' }, { op: 'hash', field: 'nick', secretEnv: 'TEST_SECRET' }] });
    expect(pipeline.type).toBe('thing');
    expect(pipeline.topics).toEqual({ raw: 'weir.raw.thing', clean: 'weir.clean.thing', deadLetter: 'weir.dlq.thing' });
    expect(pipeline.outputSubject).toBe('weir.clean.thing-value');
    expect(pipeline.dedup).toEqual({ idField: 'event_id', horizonMs: 600_000 });
    expect(pipeline.requiredSecrets).toEqual(['TEST_SECRET']);
    expect(pipeline.deadLetter).toEqual({ duplicate: 'drop', late: 'dlq', invalid: 'dlq', hookDrop: 'drop' });
  });

  it('reads a reader schema from a file relative to the definition, and takes $comment anywhere', async () => {
    const pipeline = await thingPipeline(
      { $comment: 'top', readerSchema: { $comment: 'pinned', file: '../schemas/thing-v1.avsc' }, dedup: { idField: 'name', horizonMs: 1000 }, rules: [{ $comment: 'r', rule: 'required', field: 'nick' }] },
      { '../schemas/thing-v1.avsc': { ...THING_SCHEMA, doc: 'version one' } },
    );
    expect(pipeline.readerSchema['doc']).toBe('version one');
    expect(pipeline.dedup).toEqual({ idField: 'name', horizonMs: 1000 });
  });

  it('turns dedup off with false, and "latest" is the default reader', async () => {
    expect((await thingPipeline({ dedup: false, readerSchema: 'latest' })).dedup).toBeUndefined();
  });

  it('loads only .json files of the folder itself', async () => {
    const dir = tempFolder({ 'thing.json': { source: 'thing' }, 'README.md': '#', 'tables/t.json': { a: 1 }, 'hooks/h.ts': '' });
    expect([...(await loadPipelines(dir, { latestReaderSchema: latestFrom() })).keys()]).toEqual(['thing']);
    expect(fs.existsSync(path.join(dir, 'tables/t.json'))).toBe(true);
  });

  it('decides the disposition of each failure by the dead-letter policy; transform and hook failures always go to the DLQ', async () => {
    const pipeline = await thingPipeline({ deadLetter: { duplicate: 'dlq', late: 'drop', invalid: 'drop', hookDrop: 'dlq' } });
    expect(pipeline.dispositionOf('duplicate')).toBe('dlq');
    expect(pipeline.dispositionOf('event_time_too_old')).toBe('drop');
    expect(pipeline.dispositionOf('event_time_in_future')).toBe('drop');
    expect(pipeline.dispositionOf('out_of_range')).toBe('drop');
    expect(pipeline.dispositionOf('hook_dropped')).toBe('dlq');
    for (const always of ['rule_failed', 'cast_failed', 'invalid_url', 'lookup_missing', 'secret_missing', 'transform_failed', 'hook_failed', 'hook_result_invalid'] as const) {
      expect(pipeline.dispositionOf(always), always).toBe('dlq');
    }
    const defaults = await thingPipeline({ deadLetter: { late: 'drop' } });
    expect(defaults.deadLetter).toEqual({ duplicate: 'drop', late: 'drop', invalid: 'dlq', hookDrop: 'drop' });
  });
});
