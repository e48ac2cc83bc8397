import type { RecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { endOfBatches, firstTimestampAtOrAfter, rounds } from '../../../services/lag-exporter/record-timestamps.ts';

function batch(firstOffset: bigint, firstTimestamp: bigint, deltas: readonly [offset: number, ms: number][], attributes = 0, maxTimestamp = 0n): RecordsBatch {
  return {
    firstOffset, firstTimestamp, maxTimestamp, attributes, length: 0, partitionLeaderEpoch: 0, magic: 2, crc: 0, lastOffsetDelta: deltas.at(-1)?.[0] ?? 0, producerId: -1n, producerEpoch: -1, firstSequence: -1,
    records: deltas.map(([offsetDelta, ms]) => ({ offsetDelta, timestampDelta: BigInt(ms), attributes: 0, length: 0, key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [] })),
  } as unknown as RecordsBatch;
}

describe('firstTimestampAtOrAfter', () => {
  it('skips the records of a batch that start before the offset asked for', () => {
    expect(firstTimestampAtOrAfter([batch(10n, 5_000n, [[0, 0], [1, 7], [2, 9]])], 12n)).toBe(5_009);
  });

  it('skips transaction markers (control batches)', () => {
    expect(firstTimestampAtOrAfter([batch(10n, 1_000n, [[0, 0]], 1 << 5), batch(11n, 2_000n, [[0, 0]])], 10n)).toBe(2_000);
  });

  it('uses the batch maxTimestamp when the topic stamps LogAppendTime', () => {
    expect(firstTimestampAtOrAfter([batch(10n, 1_000n, [[0, 0], [1, 3]], 1 << 3, 9_999n)], 11n)).toBe(9_999);
  });

  it('answers undefined when nothing readable is there', () => {
    expect(firstTimestampAtOrAfter([], 3n)).toBeUndefined();
    expect(firstTimestampAtOrAfter([batch(10n, 1_000n, [[0, 0]], 1 << 5)], 10n)).toBeUndefined();
  });
});

describe('endOfBatches', () => {
  it('is one past the last offset fetched, markers included', () => {
    expect(endOfBatches([batch(10n, 0n, [[0, 0], [1, 0]]), batch(12n, 0n, [[0, 0]], 1 << 5)])).toBe(13n);
    expect(endOfBatches([])).toBe(0n);
  });
});

describe('rounds', () => {
  it('puts a partition asked for at two offsets into two fetch requests', () => {
    const got = rounds([
      { topic: 'a', partition: 0, offset: 5n, end: 10n },
      { topic: 'a', partition: 1, offset: 5n, end: 10n },
      { topic: 'a', partition: 0, offset: 9n, end: 10n },
      { topic: 'b', partition: 0, offset: 1n, end: 10n },
    ]);
    expect(got.map((r) => r.map((x) => `${x.topic}/${x.partition}@${x.offset}`))).toEqual([['a/0@5', 'a/1@5', 'b/0@1'], ['a/0@9']]);
  });
});
