import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDrop, loadHook } from '../../../../services/processor/pipeline/hook.ts';
import { context, NOW, thing, thingPipeline } from './pipeline-fixture.ts';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', 'hooks', name);

const hooked = () =>
  thingPipeline({
    transforms: [{ op: 'lowercase', field: 'nick' }],
    hook: {
      module: fixture('name-score.ts'),
      addsFields: [
        { name: 'name_length', type: 'int', doc: 'Characters in name.' },
        { name: 'seen_at', type: ['null', 'long'], default: null, doc: 'Processing time.' },
      ],
    },
  });

const failure = (reasonCode: string, message: string, fieldPath = '') => ({ ok: false, stage: 'hook', reasonCode, fieldPath, message });

describe('hooks', () => {
  it('run after the transforms and fill the fields the definition adds', async () => {
    const pipeline = await hooked();
    const result = pipeline.process(thing({ name: 'Gizmo', nick: 'LOUD' }), context());
    expect(result).toEqual({ ok: true, record: expect.objectContaining({ name: 'Gizmo', nick: 'loud', name_length: 5, seen_at: NOW }) });
    expect(pipeline.outputSchema.fields.slice(-2)).toEqual([
      { name: 'name_length', type: 'int', doc: 'Characters in name.' },
      { name: 'seen_at', type: ['null', 'long'], default: null, doc: 'Processing time.' },
    ]);
    if (result.ok) expect(pipeline.outputType.isValid(result.record)).toBe(true);
  });

  it('{ drop: reason } filters the record out as hook_dropped, dropped by default policy', async () => {
    const pipeline = await hooked();
    expect(pipeline.process(thing({ name: 'spam' }), context())).toEqual(failure('hook_dropped', 'spam filter'));
    expect(pipeline.dispositionOf('hook_dropped')).toBe('drop');
  });

  it('a hook that throws fails the record with stage hook, never the caller', async () => {
    const pipeline = await hooked();
    expect(pipeline.process(thing({ name: 'boom' }), context())).toEqual(failure('hook_failed', 'the hook threw: the hook blew up'));
    expect(pipeline.dispositionOf('hook_failed')).toBe('dlq');
  });

  it('a hook that returns a promise is refused: hooks are synchronous', async () => {
    const pipeline = await hooked();
    expect(pipeline.process(thing({ name: 'async' }), context())).toEqual(failure('hook_result_invalid', 'the hook returned a promise; hooks must be synchronous'));
  });

  it('a hook result that does not fit the output schema names the field', async () => {
    const pipeline = await hooked();
    expect(pipeline.process(thing({ name: 'bad' }), context())).toEqual(failure('hook_result_invalid', 'the hook returned a record that does not fit the output schema at name_length', 'name_length'));
    expect(pipeline.process(thing({ name: 'extra' }), context())).toMatchObject({ reasonCode: 'hook_result_invalid' });
  });

  it('a hook without addsFields must return the output shape as it is', async () => {
    const pipeline = await thingPipeline({ hook: { module: fixture('identity.ts') } });
    expect(pipeline.process(thing(), context())).toEqual({ ok: true, record: thing() });
  });
});

describe('loadHook', () => {
  it('resolves the module relative to the definition file and checks its default export', async () => {
    const definition = path.join(import.meta.dirname, 'fixtures', 'defs', 'thing.json');
    expect(await loadHook(definition, '../hooks/identity.ts')).toEqual({ hook: expect.any(Function) });
    expect(await loadHook(definition, '../hooks/no-default.ts')).toEqual({ problem: expect.stringContaining('its default export is missing') });
    expect(await loadHook(definition, '../hooks/gone.ts')).toEqual({ problem: expect.stringContaining('does not exist') });
  });

  it('tells a drop from a record', () => {
    expect(isDrop({ drop: 'why' })).toBe(true);
    expect(isDrop({ drop: 'why', name: 'x' })).toBe(false);
    expect(isDrop({ drop: 3 })).toBe(false);
    expect(isDrop(null)).toBe(false);
  });
});
