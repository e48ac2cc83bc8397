import { describe, expect, it } from 'vitest';
import { bodyBytes, EventBuffer } from '../../sdk/src/event-buffer.ts';

const item = (seq: number, bytes: number) => ({ seq, event: { type: 't' }, json: 'x'.repeat(bytes), bytes });

describe('EventBuffer', () => {
  it('counts the body a JSON array of its events makes', () => {
    expect(bodyBytes(0, 0)).toBe(2);
    expect(bodyBytes(3, 30)).toBe(34);
    const buffer = new EventBuffer();
    buffer.push(item(1, 10));
    buffer.push(item(2, 20));
    expect(buffer.bodyBytes).toBe(`[${'x'.repeat(10)},${'x'.repeat(20)}]`.length);
  });

  it('cuts batches by count and by bytes, oldest first, always at least one event', () => {
    const buffer = new EventBuffer();
    for (let seq = 1; seq <= 6; seq++) buffer.push(item(seq, 10));
    expect(buffer.hasFullBatch(6, 1000)).toBe(true);
    expect(buffer.hasFullBatch(7, 1000)).toBe(false);
    expect(buffer.hasFullBatch(7, 67)).toBe(true);
    expect(buffer.takeBatch(4, 1000).map((i) => i.seq)).toEqual([1, 2, 3, 4]);
    // [e5] is 12 bytes; [e5,e6] 23: a limit of 22 takes one.
    expect(buffer.takeBatch(10, 22).map((i) => i.seq)).toEqual([5]);
    expect(buffer.takeBatch(10, 5).map((i) => i.seq)).toEqual([6]);
    expect(buffer.length).toBe(0);
    expect(buffer.bodyBytes).toBe(2);
  });

  it('shifts and drains in order across many operations', () => {
    const buffer = new EventBuffer();
    for (let seq = 1; seq <= 5000; seq++) buffer.push(item(seq, 1));
    for (let seq = 1; seq <= 3000; seq++) expect(buffer.shift()?.seq).toBe(seq);
    expect(buffer.length).toBe(2000);
    expect(buffer.bodyBytes).toBe(2000 + 2000 + 1);
    const rest = buffer.drain();
    expect(rest.map((i) => i.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => 3001 + i));
    expect(buffer.shift()).toBeUndefined();
  });
});
