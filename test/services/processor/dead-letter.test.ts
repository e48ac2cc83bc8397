import { describe, expect, it } from 'vitest';
import { deadLetterMessage } from '../../../services/processor/dead-letter.ts';

const cause = { reason: 'out_of_range', message: 'count 1 is below 10', fieldPath: 'count', stage: 'rule' as const };
const source = (headers: Record<string, string>) => ({ topic: 'weir.raw.t', partition: 2, offset: '41', key: null, value: Buffer.from([0, 0, 0, 0, 1, 2]), headers, timestamp: '17' });

describe('deadLetterMessage', () => {
  it('keeps the original bytes, key, headers and timestamp, and adds the documented headers', () => {
    const message = deadLetterMessage(source({ 'weir-event-id': 'e' }), cause, 1_000);
    expect(message.value).toEqual(Buffer.from([0, 0, 0, 0, 1, 2]));
    expect(message.key).toBeNull();
    expect(message.timestamp).toBe('17');
    expect(message.headers).toEqual({
      'weir-event-id': 'e',
      'weir-dlq-reason': 'out_of_range',
      'weir-dlq-message': 'count 1 is below 10',
      'weir-dlq-field': 'count',
      'weir-dlq-stage': 'rule',
      'weir-dlq-source-topic': 'weir.raw.t',
      'weir-dlq-source-partition': '2',
      'weir-dlq-source-offset': '41',
      'weir-dlq-attempts': '1',
      'weir-dlq-time': '1000',
    });
  });

  it('replaces the dead-letter headers of a replayed record and counts its attempts', () => {
    const message = deadLetterMessage(source({ 'weir-dlq-reason': 'old', 'weir-dlq-attempts': '2', 'weir-dlq-extra': 'x' }), { ...cause, message: 'm'.repeat(5_000) }, 1);
    expect(message.headers?.['weir-dlq-attempts']).toBe('3');
    expect(message.headers?.['weir-dlq-reason']).toBe('out_of_range');
    expect(message.headers).not.toHaveProperty('weir-dlq-extra');
    expect(String(message.headers?.['weir-dlq-message'])).toHaveLength(1_000);
  });
});
