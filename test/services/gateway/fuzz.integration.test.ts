/**
 * 100k random and mutated bodies against the real gateway (real Kafka, real registry): never a
 * 5xx, never a crash, and the heap after the run is where it was after the first fifth.
 */
import { describe, expect, it } from 'vitest';
import { registerTestEventType, startTestGateway, testKey } from '../../harness/gateway.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { createFuzzer } from './fuzz-bodies.ts';

const CASES = Number(process.env.WEIR_FUZZ_CASES ?? 100_000);
const CONCURRENCY = 16;
const SEED = Number(process.env.WEIR_FUZZ_SEED ?? 20261124);

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc (the integration project sets it)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('gateway fuzz', () => {
  it(`answers ${CASES} random and mutated bodies without a 5xx, with a stable heap`, async () => {
    const registry = await startTestRegistry();
    const { type } = await registerTestEventType(registry.url, 'page_view');
    const writer = testKey('fuzz');
    const gateway = await startTestGateway({ registryUrl: registry.url, keys: [writer.key] });
    let n = 0;
    const valid = () => ({ type, id: `f-${n++}`, url: 'https://fuzz.example/', anonymous_id: 'a', session_id: 's', device_type: 'BOT', properties: { k: 'v' } });
    const next = createFuzzer(SEED, valid);

    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    let done = 0;
    let heapAtFifth = 0;
    const worker = async (): Promise<void> => {
      while (done < CASES) {
        const index = done++;
        const { body, headers } = next();
        const response = await fetch(`${gateway.url}/v1/events`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${writer.secret}` }, body });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500 && serverErrors.length < 5) serverErrors.push(`case ${index} (seed ${SEED}): ${response.status} ${text.slice(0, 300)}`);
        if (index === Math.floor(CASES / 5)) heapAtFifth = heapAfterGc();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const heapAtEnd = heapAfterGc();
    const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
    process.stdout.write(
      `fuzz: ${CASES} bodies, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ` +
        `heap after GC ${mb(heapAtFifth)} MB at ${CASES / 5} -> ${mb(heapAtEnd)} MB at ${CASES}\n`,
    );

    expect(serverErrors).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(CASES);
    for (const status of statuses.keys()) expect([200, 207, 400, 413, 415]).toContain(status);
    // Every kind of answer was reached: the fuzzer is not stuck on one path.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 207, 400, 413, 415]));
    // A leak of even 100 bytes per request would show as 8 MB here.
    expect(heapAtEnd - heapAtFifth).toBeLessThan(32 * 1_048_576);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect(Object.prototype).not.toHaveProperty('polluted');
  }, 900_000); // 15 min: about 5 at a few hundred requests/s on two cores
});
