import { describe, expect, it } from 'vitest';
import { createSchemaIdCache } from '../../../sdk/src/kafka/schema-id-cache.ts';

function fakeRegistry(answers: (number | Error)[]) {
  const asked: string[] = [];
  const pending: (() => void)[] = [];
  return {
    asked,
    /** Answers every question asked so far. */
    answerAll: () => pending.splice(0).forEach((answer) => answer()),
    getLatestSchemaId: (subject: string) =>
      new Promise<number>((resolve, reject) => {
        asked.push(subject);
        const answer = answers.shift() ?? new Error('no more answers');
        pending.push(() => (answer instanceof Error ? reject(answer) : resolve(answer)));
      }),
  };
}

describe('createSchemaIdCache', () => {
  it('asks once per subject per ttl, and concurrent misses share the question', async () => {
    let now = 0;
    const registry = fakeRegistry([7, 8]);
    const cache = createSchemaIdCache(registry, 60_000, () => now);
    const both = Promise.all([cache.latest('weir.raw.a-value'), cache.latest('weir.raw.a-value')]);
    registry.answerAll();
    expect(await both).toEqual([7, 7]);
    now = 59_999;
    expect(await cache.latest('weir.raw.a-value')).toBe(7);
    expect(registry.asked).toHaveLength(1);
    now = 60_000;
    const refreshed = cache.latest('weir.raw.a-value');
    registry.answerAll();
    expect(await refreshed).toBe(8);
    expect(registry.asked).toHaveLength(2);
  });

  it('keeps using the id it knows when a refresh fails, and fails when it knows none', async () => {
    let now = 0;
    const registry = fakeRegistry([7, new Error('registry down'), new Error('registry down')]);
    const cache = createSchemaIdCache(registry, 1000, () => now);
    const first = cache.latest('s');
    registry.answerAll();
    expect(await first).toBe(7);
    now = 5000;
    const stale = cache.latest('s');
    registry.answerAll();
    expect(await stale).toBe(7);
    // Not asked again until another ttl has passed.
    now = 5999;
    expect(await cache.latest('s')).toBe(7);
    expect(registry.asked).toHaveLength(2);
    const unknown = cache.latest('other');
    registry.answerAll();
    await expect(unknown).rejects.toThrow('registry down');
  });
});
