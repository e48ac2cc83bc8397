import { describe, expect, it } from 'vitest';
import { isWeirError } from '../../../sdk/src/errors.ts';
import { epochMillis, toAvroEvent } from '../../../sdk/src/kafka/avro-record.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const newId = () => '019b76da-a87b-7000-8000-000000000001';

describe('toAvroEvent', () => {
  it('turns the envelope into event_id and event_time, and drops type', () => {
    const avro = toAvroEvent({ type: 'page_view', id: 'e-1', timestamp: '2026-01-01T00:00:01.5Z', url: 'u', user_id: null }, NOW, newId);
    expect(avro).toEqual({
      id: 'e-1',
      eventTime: NOW + 1500,
      record: { url: 'u', user_id: null, event_id: 'e-1', event_time: NOW + 1500 },
      key: 'e-1',
    });
  });

  it('gives an id and the current time to events without them, and keeps event_id/event_time when given', () => {
    expect(toAvroEvent({ url: 'u' }, NOW, newId)).toMatchObject({ id: newId(), eventTime: NOW });
    expect(toAvroEvent({ event_id: 'x', event_time: 7 }, NOW, newId)).toMatchObject({ id: 'x', eventTime: 7, record: { event_id: 'x', event_time: 7 } });
  });

  it('keys by user_id, else tenant_id, else the event id', () => {
    expect(toAvroEvent({ id: 'e', user_id: 'u-1', tenant_id: 't-1' }, NOW, newId).key).toBe('u-1');
    expect(toAvroEvent({ id: 'e', user_id: null, tenant_id: 't-1' }, NOW, newId).key).toBe('t-1');
    expect(toAvroEvent({ id: 'e', user_id: '', tenant_id: null }, NOW, newId).key).toBe('e');
    expect(toAvroEvent({ id: 'e', user_id: 42 }, NOW, newId).key).toBe('42');
  });

  it('writes Dates as epoch milliseconds, nested ones too', () => {
    const at = new Date(NOW + 42);
    const avro = toAvroEvent({ id: 'e', timestamp: at, shipped: at, legs: [{ at }] }, NOW, newId);
    expect(avro.record).toMatchObject({ event_time: NOW + 42, shipped: NOW + 42, legs: [{ at: NOW + 42 }] });
  });

  it('refuses what it cannot encode, as INVALID_EVENT', () => {
    for (const bad of [null, [], 'event', { id: 12 }, { id: '' }, { timestamp: 'yesterday' }, { timestamp: 1.5 }, { timestamp: new Date(Number.NaN) }]) {
      let thrown: unknown;
      try {
        toAvroEvent(bad, NOW, newId);
      } catch (error) {
        thrown = error;
      }
      expect(isWeirError(thrown, 'INVALID_EVENT'), JSON.stringify(bad)).toBe(true);
    }
  });
});

describe('epochMillis', () => {
  it('reads RFC 3339 with an offset, and refuses zone-less or loose forms', () => {
    expect(epochMillis('2026-01-01T01:00:00+01:00')).toBe(NOW);
    expect(() => epochMillis('2026-01-01T00:00:00')).toThrow(/RFC 3339/);
    expect(() => epochMillis('Jan 1 2026')).toThrow(/RFC 3339/);
  });
});
