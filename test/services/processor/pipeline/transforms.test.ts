import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Pipeline } from '../../../../services/processor/pipeline/pipeline.ts';
import type { PipelineRecord } from '../../../../services/processor/pipeline/process-result.ts';
import { context, thing, thingPipeline } from './pipeline-fixture.ts';

function ok(pipeline: Pipeline, overrides: PipelineRecord = {}): PipelineRecord {
  const result = pipeline.process(thing(overrides), context());
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
  // Every output record must encode under the derived schema, and come back the same.
  expect(pipeline.outputType.fromBuffer(pipeline.outputType.toBuffer(result.record))).toEqual(result.record);
  return result.record;
}

const fieldOf = (pipeline: Pipeline, name: string) => pipeline.outputSchema.fields.find((f) => f['name'] === name);
const names = (pipeline: Pipeline) => pipeline.outputSchema.fields.map((f) => f['name']);

describe('transforms', () => {
  it('without transforms, the output is the reader record in dev.weir.clean', async () => {
    const pipeline = await thingPipeline({});
    expect(ok(pipeline)).toEqual(thing());
    expect(pipeline.outputSchema).toMatchObject({ type: 'record', name: 'Thing', namespace: 'dev.weir.clean', doc: expect.stringContaining('schemas/pipelines/thing.json') });
    expect(pipeline.outputType.name).toBe('dev.weir.clean.Thing');
  });

  it('rename: the value moves, the old name becomes an alias, the position stays', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'rename', field: 'name', to: 'title' }] });
    const out = ok(pipeline);
    expect(out['title']).toBe('Widget');
    expect('name' in out).toBe(false);
    expect(names(pipeline).indexOf('title')).toBe(2);
    expect(fieldOf(pipeline, 'title')).toEqual({ name: 'title', type: 'string', doc: 'A string.', aliases: ['name'] });
  });

  it('rename back and forth keeps no alias equal to a field name', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'rename', field: 'name', to: 'n' }, { op: 'rename', field: 'n', to: 'name' }] });
    expect(ok(pipeline)['name']).toBe('Widget');
    expect(fieldOf(pipeline, 'name')).toEqual({ name: 'name', type: 'string', doc: 'A string.', aliases: ['n'] });
  });

  it('drop: the field leaves the record and the schema, and its name can be reused', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'drop', field: 'tags' }, { op: 'derive', using: 'map_value', field: 'props', key: 'plan', into: 'tags' }] });
    expect(ok(pipeline)['tags']).toBe('pro');
    expect(fieldOf(pipeline, 'tags')?.['type']).toEqual(['null', 'string']);
  });

  it('default: a null becomes the value and the field is no longer nullable', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'default', field: 'nick', value: 'anon' }, { op: 'default', field: 'code', value: 0 }] });
    expect(ok(pipeline)).toMatchObject({ nick: 'anon', code: 0 });
    expect(ok(pipeline, { nick: 'n', code: 5 })).toMatchObject({ nick: 'n', code: 5 });
    expect(fieldOf(pipeline, 'nick')).toEqual({ name: 'nick', type: 'string', default: 'anon', doc: 'A nullable string.' });
    expect(fieldOf(pipeline, 'code')).toMatchObject({ type: 'long', default: 0 });
  });

  it.each([
    ['name', 'int', '42', 42],
    ['name', 'long', '-4503599627370496', -4503599627370496],
    ['name', 'long', '9007199254740990', 9007199254740990],
    ['name', 'double', '1.5e3', 1500],
    ['name', 'boolean', 'TRUE', true],
    ['name', 'boolean', '0', false],
    ['count', 'string', 3, '3'],
    ['count', 'long', 3, 3],
    ['count', 'double', 3, 3],
    ['count', 'boolean', 1, true],
    ['total', 'int', 2147483647, 2147483647],
    ['ratio', 'long', 2, 2],
    ['ratio', 'string', 0.25, '0.25'],
    ['flag', 'string', false, 'false'],
    ['flag', 'int', true, 1],
    ['kind', 'string', 'C', 'C'],
  ])('cast %s to %s: %j becomes %j', async (field, to, value, expected) => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'cast', field, to }] });
    expect(ok(pipeline, { [field]: value })[field]).toEqual(expected);
    expect(fieldOf(pipeline, field)?.['type']).toBe(to);
  });

  it.each([
    ['name', 'int', '4.5'],
    ['name', 'int', '2147483648'],
    ['name', 'long', '9007199254740991'],
    ['name', 'long', '-4503599627370497'],
    ['name', 'long', ''],
    ['name', 'double', '0x10'],
    ['name', 'double', 'Infinity'],
    ['name', 'boolean', 'yes'],
    ['count', 'boolean', 2],
    ['total', 'int', 2147483648],
    ['ratio', 'long', 2.5],
  ])('cast %s to %s fails on %j instead of truncating', async (field, to, value) => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'cast', field, to }] });
    expect(pipeline.process(thing({ [field]: value }), context())).toEqual({ ok: false, stage: 'transform', reasonCode: 'cast_failed', fieldPath: field, message: expect.stringContaining(`does not convert to ${to}`) });
  });

  it('cast keeps null and nullability, converts the default, and drops the logical type', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'cast', field: 'code', to: 'string' }, { op: 'cast', field: 'total', to: 'string' }, { op: 'cast', field: 'event_time', to: 'string' }] });
    expect(ok(pipeline)).toMatchObject({ code: null, total: '1234' });
    expect(ok(pipeline, { code: 12 })['code']).toBe('12');
    expect(fieldOf(pipeline, 'code')).toMatchObject({ type: ['null', 'string'], default: null });
    expect(fieldOf(pipeline, 'total')).toMatchObject({ type: 'string', default: '0' });
    expect(fieldOf(pipeline, 'event_time')?.['type']).toBe('string');
  });

  it('cast drops a default that does not convert', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'cast', field: 'flag', to: 'long' }, { op: 'cast', field: 'flag', to: 'boolean' }] });
    expect(fieldOf(pipeline, 'flag')).toMatchObject({ type: 'boolean', default: false });
    const text = await thingPipeline({ transforms: [{ op: 'default', field: 'nick', value: 'anon' }, { op: 'cast', field: 'nick', to: 'long' }] });
    expect(fieldOf(text, 'nick')).not.toHaveProperty('default');
  });

  it('lowercase and trim, on plain and nullable strings', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'trim', field: 'name' }, { op: 'lowercase', field: 'name' }, { op: 'trim', field: 'nick' }] });
    expect(ok(pipeline, { name: '  MiXeD Case\t', nick: ' n ' })).toMatchObject({ name: 'mixed case', nick: 'n' });
    expect(ok(pipeline, { nick: null })['nick']).toBeNull();
  });

  it('derive url: scheme, host (lower case, no port), path and query', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'derive', using: 'url', field: 'url', into: { scheme: 'url_scheme', host: 'url_host', path: 'url_path', query: 'url_query' } }] });
    expect(ok(pipeline)).toMatchObject({ url: 'https://Shop.Example.com:8443/a/b?x=1#top', url_scheme: 'https', url_host: 'shop.example.com', url_path: '/a/b', url_query: 'x=1' });
    expect(ok(pipeline, { url: 'http://example.com' })).toMatchObject({ url_path: '/', url_query: '' });
    expect(fieldOf(pipeline, 'url_host')).toEqual({ name: 'url_host', type: 'string', default: '', doc: 'The host name (lower case, without port) of the URL in url, derived by the pipeline.' });
    expect(pipeline.process(thing({ url: '/relative/path' }), context())).toEqual({ ok: false, stage: 'transform', reasonCode: 'invalid_url', fieldPath: 'url', message: 'url is not an absolute URL' });
  });

  it('derive url with onInvalid null, and from a nullable field', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'derive', using: 'url', field: 'ref', into: { host: 'ref_host' } }, { op: 'derive', using: 'url', field: 'url', into: { host: 'host' }, onInvalid: 'null' }] });
    expect(ok(pipeline, { ref: null, url: 'not a url' })).toMatchObject({ ref_host: null, host: null });
    expect(ok(pipeline, { ref: 'https://a.example/x' })).toMatchObject({ ref_host: 'a.example', host: 'shop.example.com' });
    expect(fieldOf(pipeline, 'ref_host')).toMatchObject({ type: ['null', 'string'], default: null });
    expect(fieldOf(pipeline, 'host')).toMatchObject({ type: ['null', 'string'], default: null });
  });

  it('derive map_value: the entry or null, never an inherited property', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'derive', using: 'map_value', field: 'props', key: 'plan', into: 'plan', doc: 'The plan.' }, { op: 'derive', using: 'map_value', field: 'props', key: 'constructor', into: 'ctor' }] });
    expect(ok(pipeline)).toMatchObject({ plan: 'pro', ctor: null });
    expect(ok(pipeline, { props: {} })['plan']).toBeNull();
    expect(fieldOf(pipeline, 'plan')).toEqual({ name: 'plan', type: ['null', 'string'], default: null, doc: 'The plan.' });
  });

  it('hash: HMAC-SHA256 hex keyed with the secret from the context, nulls stay null', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'hash', field: 'nick', secretEnv: 'TEST_SECRET' }, { op: 'hash', field: 'count', secretEnv: 'TEST_SECRET' }] });
    const expected = createHmac('sha256', 'k3y').update('jane').digest('hex');
    expect(ok(pipeline, { nick: 'jane', count: 7 })).toMatchObject({ nick: expected, count: createHmac('sha256', 'k3y').update('7').digest('hex') });
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    expect(ok(pipeline)['nick']).toBeNull();
    expect(fieldOf(pipeline, 'count')).toMatchObject({ type: 'string', doc: expect.stringContaining('HMAC-SHA256 keyed with the secret in TEST_SECRET') });
    expect(fieldOf(pipeline, 'nick')).toMatchObject({ type: ['null', 'string'], default: null });
    // Another secret gives another hash: the secret is the key.
    const other = pipeline.process(thing({ nick: 'jane' }), context({ secrets: () => 'other' }));
    expect(other.ok && other.record['nick']).not.toBe(expected);
  });

  it('hash fails the record when the secret is not set (or empty), naming the variable', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'hash', field: 'name', secretEnv: 'WEIR_PII_SECRET' }] });
    for (const secret of [undefined, '']) {
      expect(pipeline.process(thing(), context({ secrets: () => secret }))).toEqual({
        ok: false,
        stage: 'transform',
        reasonCode: 'secret_missing',
        fieldPath: 'name',
        message: 'the secret for hashing name is not set: set the environment variable WEIR_PII_SECRET',
      });
    }
  });

  it('lookup from an inline table: the value, the default, a miss, a null key', async () => {
    const pipeline = await thingPipeline({
      transforms: [
        { op: 'lookup', field: 'kind', into: 'weight', table: { A: 1, B: 2.5 } },
        { op: 'lookup', field: 'code', into: 'label', table: { '7': 'seven' }, default: 'other' },
      ],
    });
    expect(ok(pipeline, { kind: 'B' })).toMatchObject({ weight: 2.5, label: null });
    expect(ok(pipeline, { kind: 'A', code: 7 })).toMatchObject({ weight: 1, label: 'seven' });
    expect(ok(pipeline, { kind: 'A', code: 8 })['label']).toBe('other');
    expect(pipeline.process(thing({ kind: 'C' }), context())).toEqual({ ok: false, stage: 'transform', reasonCode: 'lookup_missing', fieldPath: 'kind', message: 'kind has a value the lookup table for weight does not hold ("C")' });
    expect(fieldOf(pipeline, 'weight')).toMatchObject({ type: 'double', default: 0 });
    expect(fieldOf(pipeline, 'label')).toMatchObject({ type: ['null', 'string'], default: null });
  });

  it('lookup from a table file relative to the definition, with $comment, null values and a null default', async () => {
    const pipeline = await thingPipeline(
      { transforms: [{ op: 'lookup', field: 'name', into: 'active', table: 'tables/active.json', default: null }] },
      { 'tables/active.json': { $comment: 'which names are active', Widget: true, Gadget: null } },
    );
    expect(ok(pipeline)['active']).toBe(true);
    expect(ok(pipeline, { name: 'Gadget' })['active']).toBeNull();
    expect(ok(pipeline, { name: '$comment' })['active']).toBeNull();
    expect(fieldOf(pipeline, 'active')).toMatchObject({ type: ['null', 'boolean'] });
  });

  it('a transform that throws fails the record with stage transform, never the caller', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'derive', using: 'map_value', field: 'props', key: 'plan', into: 'plan' }] });
    const hostile = new Proxy({}, { getOwnPropertyDescriptor: () => { throw new Error('trap'); } });
    expect(pipeline.process(thing({ props: hostile }), context())).toEqual({ ok: false, stage: 'transform', reasonCode: 'transform_failed', fieldPath: 'props', message: 'a transform of props threw: trap' });
  });

  it('transforms chain: each sees what the ones before made', async () => {
    const pipeline = await thingPipeline({
      transforms: [
        { op: 'rename', field: 'url', to: 'page' },
        { op: 'derive', using: 'url', field: 'page', into: { host: 'host' } },
        { op: 'lookup', field: 'host', into: 'site', table: { 'shop.example.com': 'shop' }, default: 'elsewhere' },
        { op: 'drop', field: 'page' },
        { op: 'cast', field: 'count', to: 'string' },
        { op: 'hash', field: 'count', secretEnv: 'TEST_SECRET' },
      ],
    });
    const out = ok(pipeline);
    expect(out).toMatchObject({ host: 'shop.example.com', site: 'shop', count: createHmac('sha256', 'k3y').update('3').digest('hex') });
    expect(names(pipeline)).toEqual(['event_id', 'event_time', 'name', 'nick', 'count', 'total', 'ratio', 'score', 'flag', 'kind', 'ref', 'code', 'props', 'tags', 'host', 'site']);
    expect(Object.keys(out)).toEqual(names(pipeline));
  });

  it('never changes the input record', async () => {
    const pipeline = await thingPipeline({ transforms: [{ op: 'lowercase', field: 'name' }, { op: 'drop', field: 'tags' }, { op: 'default', field: 'nick', value: 'x' }] });
    const input = thing();
    const before = structuredClone(input);
    ok(pipeline);
    pipeline.process(input, context());
    expect(input).toEqual(before);
  });
});
