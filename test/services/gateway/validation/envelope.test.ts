import { describe, expect, it } from 'vitest';
import { compileEventValidator } from '../../../../services/gateway/validation/compile.ts';
import { type EnvelopeContext, readEnvelope, toRecordFields } from '../../../../services/gateway/validation/envelope.ts';
import type { FieldError } from '../../../../services/gateway/validation/field-error.ts';
import { validateEvent } from '../../../../services/gateway/validation/validate-event.ts';
import { type JsonRecord, sampleEvent, starterSchemas, summary } from './fixtures.ts';

const receivedAt = Date.UTC(2026, 10, 24, 12);
const HOUR = 3_600_000;
let made = 0;
const context: EnvelopeContext = {
  receivedAt,
  maxPastSkewMs: 7 * 24 * HOUR,
  maxFutureSkewMs: HOUR,
  newId: () => `generated-${++made}`,
};

function errorsOf(raw: unknown, ctx: EnvelopeContext = context): FieldError[] {
  const result = readEnvelope(raw, ctx);
  if (result.ok) throw new Error('expected envelope errors');
  return result.errors;
}

function envelopeOf(raw: unknown) {
  const result = readEnvelope(raw, context);
  if (!result.ok) throw new Error(`expected an envelope, got ${JSON.stringify(result.errors)}`);
  return result.envelope;
}

describe('readEnvelope', () => {
  it('splits type, id and event time from the fields', () => {
    const envelope = envelopeOf({ type: 'page_view', id: 'abc', timestamp: '2026-11-24T10:00:00Z', url: 'u', properties: { k: 'v' } });
    expect(envelope).toMatchObject({ type: 'page_view', id: 'abc', idGenerated: false, eventTime: Date.UTC(2026, 10, 24, 10), idField: 'id', timeField: 'timestamp' });
    expect({ ...envelope.fields }).toEqual({ url: 'u', properties: { k: 'v' } });
  });

  it('makes an id and takes received-at when they are absent or null', () => {
    const before = made;
    const envelope = envelopeOf({ type: 'page_view', id: null, timestamp: null });
    expect(envelope.id).toBe(`generated-${before + 1}`);
    expect(envelope.idGenerated).toBe(true);
    expect(envelope.eventTime).toBe(receivedAt);
  });

  it('takes epoch milliseconds', () => {
    expect(envelopeOf({ type: 'x', timestamp: receivedAt - 5 }).eventTime).toBe(receivedAt - 5);
  });

  it('accepts event_id / event_time as aliases only when id / timestamp are absent', () => {
    const envelope = envelopeOf({ type: 'x', event_id: 'e1', event_time: receivedAt - 1 });
    expect(envelope).toMatchObject({ id: 'e1', eventTime: receivedAt - 1, idField: 'event_id', timeField: 'event_time' });
    expect(Object.keys(envelope.fields)).toEqual([]);
    expect(summary(errorsOf({ type: 'x', id: 'a', event_id: 'b', timestamp: receivedAt, event_time: receivedAt }))).toEqual([
      '/event_id duplicate_field',
      '/event_time duplicate_field',
    ]);
  });

  it('reports every envelope error at once', () => {
    expect(summary(errorsOf({ type: 'Page-View', id: '', timestamp: 'yesterday' }))).toEqual([
      '/type invalid_format',
      '/id invalid_format',
      '/timestamp invalid_format',
    ]);
    expect(summary(errorsOf({ id: 5, timestamp: true }))).toEqual(['/type missing_field', '/id wrong_type', '/timestamp wrong_type']);
    expect(summary(errorsOf({ type: 7, id: 'i'.repeat(129), timestamp: receivedAt + 0.5 }))).toEqual([
      '/type wrong_type',
      '/id too_long',
      '/timestamp invalid_format',
    ]);
  });

  it('gives back the valid type and id of a rejected event', () => {
    const result = readEnvelope({ type: 'page_view', id: 'keep-me', timestamp: 'bad' }, context);
    expect(result).toMatchObject({ ok: false, type: 'page_view', id: 'keep-me' });
  });

  it('keeps the id limits: 128 characters pass, the empty string does not', () => {
    expect(envelopeOf({ type: 'x', id: 'i'.repeat(128) }).id).toHaveLength(128);
  });

  it('refuses an event that is not an object with path ""', () => {
    for (const raw of [null, [], 'page_view', 42, undefined]) expect(summary(errorsOf(raw))).toEqual([' wrong_type']);
  });

  describe('event time bounds', () => {
    const earliest = receivedAt - context.maxPastSkewMs;
    const latest = receivedAt + context.maxFutureSkewMs;

    it('accepts both bounds exactly', () => {
      expect(envelopeOf({ type: 'x', timestamp: earliest }).eventTime).toBe(earliest);
      expect(envelopeOf({ type: 'x', timestamp: latest }).eventTime).toBe(latest);
    });

    it('refuses one millisecond outside, naming the bound', () => {
      const [past] = errorsOf({ type: 'x', timestamp: earliest - 1 });
      expect(past?.reason).toBe('event_time_out_of_bounds');
      expect(past?.message).toContain(new Date(earliest).toISOString());
      expect(past?.message).toContain('before the earliest accepted');
      const [future] = errorsOf({ type: 'x', timestamp: new Date(latest + 1).toISOString() });
      expect(future?.reason).toBe('event_time_out_of_bounds');
      expect(future?.message).toContain(new Date(latest).toISOString());
      expect(future?.message).toContain('after the latest accepted');
    });

    it('hints at epoch seconds', () => {
      expect(errorsOf({ type: 'x', timestamp: Math.floor(receivedAt / 1000) })[0]?.message).toContain('epoch seconds?');
    });

    it('applies to the event_time alias too', () => {
      expect(summary(errorsOf({ type: 'x', event_time: latest + 1 }))).toEqual(['/event_time event_time_out_of_bounds']);
    });
  });

  it('keeps a parsed "__proto__" key as a plain field, polluting nothing', () => {
    const raw = JSON.parse('{"type": "x", "__proto__": {"polluted": true}, "a": 1}') as unknown;
    const envelope = envelopeOf(raw);
    expect(Object.keys(envelope.fields)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(envelope.fields)).toBe(Object.prototype);
    const record = toRecordFields(envelope);
    expect(Object.keys(record)).toEqual(['event_id', 'event_time', '__proto__', 'a']);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('toRecordFields', () => {
  it('puts id and event time under the record names', () => {
    const record = toRecordFields(envelopeOf({ type: 'x', id: 'i1', timestamp: receivedAt - 9, url: 'u' }));
    expect({ ...record }).toEqual({ event_id: 'i1', event_time: receivedAt - 9, url: 'u' });
  });
});

describe('validateEvent', () => {
  // Its own schema, so that these tests do not depend on how the starter schemas spell event_id.
  const click: JsonRecord = {
    type: 'record',
    name: 'Click',
    fields: [
      { name: 'event_id', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'button', type: { type: 'enum', name: 'Button', symbols: ['LEFT', 'RIGHT'] } },
      { name: 'labels', type: { type: 'map', values: 'string' }, default: {} },
    ],
  };
  const validators = new Map([
    ['click', compileEventValidator(click)],
    ...[...starterSchemas()].map(([type, schema]) => [type, compileEventValidator(schema)] as const),
  ]);
  const lookup = (type: string) => validators.get(type);
  const event = { type: 'click', button: 'LEFT', labels: { k: 'v' } };

  it('validates a good event into the record, making an id when none is sent', () => {
    const outcome = validateEvent(event, { ...context, newId: () => crypto.randomUUID() }, lookup);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.idGenerated).toBe(true);
    expect(outcome.value).toEqual({ event_id: outcome.id, event_time: receivedAt, button: 'LEFT', labels: { k: 'v' } });
  });

  it.each([...starterSchemas()])('validates a good %s event built from its schema file', (type, schema) => {
    const { event_id: _id, event_time: _time, ...fields } = sampleEvent(schema);
    const outcome = validateEvent({ type, id: crypto.randomUUID(), timestamp: receivedAt - 1, ...fields }, context, lookup);
    expect(outcome.ok && outcome.value['event_time']).toBe(receivedAt - 1);
  });

  it('reports record errors under the names the sender used', () => {
    const outcome = validateEvent({ ...event, id: 'order-123', timestamp: receivedAt, button: 'MIDDLE', extra: 1 }, context, lookup);
    expect(outcome).toMatchObject({ ok: false, type: 'click', id: 'order-123' });
    if (outcome.ok) return;
    expect(summary(outcome.errors)).toEqual(['/id invalid_format', '/button not_in_enum', '/extra unknown_field']);
    const aliased = validateEvent({ ...event, event_id: 'nope' }, context, lookup);
    expect(!aliased.ok && summary(aliased.errors)).toEqual(['/event_id invalid_format']);
  });

  it('reports an unregistered type', () => {
    const outcome = validateEvent({ ...event, type: 'clik' }, context, lookup);
    expect(!outcome.ok && summary(outcome.errors)).toEqual(['/type unknown_event_type']);
  });

  it('does not look up the type of an event whose envelope is bad', () => {
    let asked = 0;
    const outcome = validateEvent({ ...event, timestamp: 'never' }, context, (type) => {
      asked++;
      return lookup(type);
    });
    expect(!outcome.ok && summary(outcome.errors)).toEqual(['/timestamp invalid_format']);
    expect(asked).toBe(0);
  });
});
