import { describe, expect, it } from 'vitest';
import type { ProcessResult } from '../../../../services/processor/pipeline/process-result.ts';
import { context, NOW, thing, thingPipeline } from './pipeline-fixture.ts';

const failed = (reasonCode: string, fieldPath: string, message?: string) => ({
  ok: false,
  stage: 'rule',
  reasonCode,
  fieldPath,
  message: message === undefined ? expect.any(String) : message,
});

async function run(rules: unknown[], overrides: Record<string, unknown>): Promise<ProcessResult> {
  return (await thingPipeline({ rules })).process(thing(overrides), context());
}

describe('rules', () => {
  it('required: null fails, a value passes', async () => {
    const rules = [{ rule: 'required', field: 'nick' }];
    expect(await run(rules, { nick: null })).toEqual(failed('required', 'nick', 'nick is null'));
    expect((await run(rules, { nick: 'n' })).ok).toBe(true);
  });

  it('range: inclusive bounds, either side, on ints, longs, doubles and nullable floats', async () => {
    const rules = [
      { rule: 'range', field: 'count', min: 1, max: 1000 },
      { rule: 'range', field: 'total', min: 0 },
      { rule: 'range', field: 'ratio', max: 1 },
      { rule: 'range', field: 'score', min: -0.5, max: 0.5 },
    ];
    for (const ok of [{ count: 1 }, { count: 1000 }, { total: 0 }, { ratio: 1 }, { ratio: -1e9 }, { score: null }, { score: 0.5 }]) {
      expect(await run(rules, ok), JSON.stringify(ok)).toMatchObject({ ok: true });
    }
    expect(await run(rules, { count: 0 })).toEqual(failed('out_of_range', 'count', 'count is 0, outside 1..1000'));
    expect(await run(rules, { count: 1001 })).toEqual(failed('out_of_range', 'count', 'count is 1001, outside 1..1000'));
    expect(await run(rules, { total: -1 })).toEqual(failed('out_of_range', 'total', 'total is -1, outside 0..+inf'));
    expect(await run(rules, { ratio: 1.0001 })).toEqual(failed('out_of_range', 'ratio', 'ratio is 1.0001, outside -inf..1'));
    expect(await run(rules, { ratio: Number.NaN })).toEqual(failed('out_of_range', 'ratio', 'ratio is NaN, outside -inf..1'));
    expect(await run(rules, { score: 0.75 })).toEqual(failed('out_of_range', 'score'));
  });

  it('pattern: matches, mismatches, nulls pass, and input over maxLength fails before the regex runs', async () => {
    const rules = [
      { rule: 'pattern', field: 'name', regex: '^[A-Z][a-z]+$', maxLength: 10 },
      { rule: 'pattern', field: 'nick', regex: '^\\p{L}+$' },
    ];
    expect((await run(rules, { name: 'Widget', nick: 'Ünïcode' })).ok).toBe(true);
    expect((await run(rules, { nick: null })).ok).toBe(true);
    expect(await run(rules, { name: 'widget' })).toEqual(failed('pattern_mismatch', 'name', 'name does not match /^[A-Z][a-z]+$/'));
    expect(await run(rules, { name: 'Abcdefghijk' })).toEqual(failed('too_long', 'name', "name is 11 characters long, over the 10 its pattern rule allows"));
    expect(await run(rules, { nick: 'a1' })).toEqual(failed('pattern_mismatch', 'nick'));
  });

  it('pattern: the default input limit is 1024 characters', async () => {
    const rules = [{ rule: 'pattern', field: 'name', regex: '^a*$' }];
    expect((await run(rules, { name: 'a'.repeat(1024) })).ok).toBe(true);
    expect(await run(rules, { name: 'a'.repeat(1025) })).toMatchObject({ reasonCode: 'too_long' });
  });

  it('pattern: messages never quote the string value', async () => {
    const result = await run([{ rule: 'pattern', field: 'name', regex: '^x' }], { name: 'jane@example.com' });
    expect(JSON.stringify(result)).not.toContain('jane');
  });

  it('allowed: values of a string, an enum, an int and a boolean; nulls pass', async () => {
    const rules = [
      { rule: 'allowed', field: 'name', values: ['Widget', 'Gadget'] },
      { rule: 'allowed', field: 'kind', values: ['A', 'B'] },
      { rule: 'allowed', field: 'count', values: [1, 2, 3] },
      { rule: 'allowed', field: 'flag', values: [true] },
      { rule: 'allowed', field: 'code', values: [7] },
    ];
    expect((await run(rules, {})).ok).toBe(true);
    expect(await run(rules, { name: 'Other' })).toEqual(failed('not_allowed', 'name', 'name is its value, not one of "Widget", "Gadget"'));
    expect(await run(rules, { kind: 'C' })).toEqual(failed('not_allowed', 'kind', 'kind is "C", not one of "A", "B"'));
    expect(await run(rules, { count: 4 })).toEqual(failed('not_allowed', 'count', 'count is 4, not one of 1, 2, 3'));
    expect(await run(rules, { flag: false })).toEqual(failed('not_allowed', 'flag'));
    expect((await run(rules, { code: null })).ok).toBe(true);
    expect(await run(rules, { code: 8 })).toEqual(failed('not_allowed', 'code'));
  });

  it('allowed with except: refuses the listed values only', async () => {
    const rules = [{ rule: 'allowed', field: 'kind', except: ['A'] }];
    expect((await run(rules, { kind: 'B' })).ok).toBe(true);
    expect(await run(rules, { kind: 'A' })).toEqual(failed('not_allowed', 'kind', 'kind is "A", one of the refused "A"'));
  });

  it('clock_skew: event_time by default, against the context clock, both directions', async () => {
    const pipeline = await thingPipeline({ rules: [{ rule: 'clock_skew', maxPastMs: 60_000, maxFutureMs: 5_000 }] });
    const at = (offset: number, now = NOW) => pipeline.process(thing({ event_time: NOW + offset }), context({ now }));
    expect(at(-60_000).ok).toBe(true);
    expect(at(5_000).ok).toBe(true);
    expect(at(-60_001)).toEqual(failed('event_time_too_old', 'event_time', 'event_time is 60001 ms before processing time, over the 60000 ms allowed'));
    expect(at(5_001)).toEqual(failed('event_time_in_future', 'event_time', 'event_time is 5001 ms after processing time, over the 5000 ms allowed'));
    // The same event, processed later: only the injected clock moved.
    expect(at(0, NOW + 60_001)).toMatchObject({ reasonCode: 'event_time_too_old' });
  });

  it('clock_skew: one bound only, on another long field', async () => {
    const pipeline = await thingPipeline({ rules: [{ rule: 'clock_skew', field: 'total', maxFutureMs: 0 }] });
    expect(pipeline.process(thing({ total: 0 }), context()).ok).toBe(true);
    expect(pipeline.process(thing({ total: NOW + 1 }), context())).toMatchObject({ reasonCode: 'event_time_in_future', fieldPath: 'total' });
  });

  it('runs rules in order, on the record as decoded, and stops at the first failure', async () => {
    const rules = [{ rule: 'required', field: 'nick' }, { rule: 'range', field: 'count', min: 5 }];
    expect(await run(rules, { nick: null, count: 0 })).toMatchObject({ reasonCode: 'required' });
    const pipeline = await thingPipeline({ rules: [{ rule: 'pattern', field: 'name', regex: '^ x $' }], transforms: [{ op: 'trim', field: 'name' }] });
    expect(pipeline.process(thing({ name: ' x ' }), context())).toMatchObject({ ok: true, record: { name: 'x' } });
  });

  it('a rule that throws on a record not shaped like the schema fails the record, never the caller', async () => {
    const pipeline = await thingPipeline({ rules: [{ rule: 'range', field: 'count', min: 0 }] });
    const hostile = thing();
    Object.defineProperty(hostile, 'count', {
      get() {
        throw new Error('not a plain record');
      },
    });
    expect(pipeline.process(hostile, context())).toEqual(failed('rule_failed', 'count', 'a rule on count threw: not a plain record'));
    expect(pipeline.process(null as never, context())).toEqual(failed('rule_failed', '', 'the record is null, not an object'));
  });
});
