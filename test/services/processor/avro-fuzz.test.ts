/**
 * Fuzz of the per-record handler: 105k hostile raw values for the starter types through
 * processRecord with the shipped pipelines. Nothing throws, nothing hangs, memory stays flat, and
 * every value is either clean or a dead letter with a documented reason and its original bytes
 * (only a decodable repeat of an id is dropped, as the shipped policy says).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DuplicateCache } from '../../../services/processor/dedup/duplicate-cache.ts';
import type { Pipeline } from '../../../services/processor/pipeline/pipeline.ts';
import { processRecord, ResolverCache, type RecordDeps } from '../../../services/processor/process-record.ts';
import { encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { bodyWithField, hostilePayloads, seededRandom, STARTER_TYPES, validEvent, varint, type FuzzPayload, type StarterType } from './avro-fuzz-payloads.ts';
import { collectGarbage, DOCUMENTED_REASONS, fakeWriterSchemas, heapAfterGc, schemas, starterPipelines } from './avro-fuzz-fixture.ts';

const NOW = Date.UTC(2026, 0, 15, 12);
const PER_TYPE = 35_000;
/** Generous for CI: a payload that loops on a declared count takes minutes, not this. */
const SLOWEST_PAYLOAD_MS = 250;
/** Heap growth allowed between 20% and the end of the run, after GC. */
const HEAP_GROWTH_BYTES = 4 * 1024 * 1024;
/** About 5 s alone; room for a loaded machine running the other unit files beside it. */
const RUN_TIMEOUT_MS = 60_000;

let pipelines: Record<StarterType, Pipeline>;
beforeAll(async () => {
  pipelines = await starterPipelines();
});

function depsFor(type: StarterType, shared: Pick<RecordDeps, 'writerSchemas' | 'dedup'>): RecordDeps {
  const pipeline = pipelines[type];
  return { pipeline, outputSchemaId: 999, resolvers: new ResolverCache(pipeline.readerType), secrets: () => 'fuzz-secret', now: NOW, ...shared };
}

const source = (type: string, value: Buffer | null, offset: number) => ({
  topic: `weir.raw.${type}`, partition: offset % 3, offset: String(offset), key: Buffer.from('k'), value, headers: { 'weir-event-id': 'e' }, timestamp: String(NOW),
});

/** What went wrong with one payload, or undefined when its outcome is allowed. */
function problemWith(payload: FuzzPayload, outcome: Awaited<ReturnType<typeof processRecord>>): string | undefined {
  if (outcome.kind === 'drop') return outcome.reason === 'duplicate' && payload.expect === 'any' ? undefined : `dropped (${outcome.reason})`;
  if (outcome.kind === 'clean') return payload.expect === 'any' ? undefined : `clean, expected ${payload.expect}`;
  if (payload.kind === 'valid') return `dead-lettered a valid event (${outcome.reason})`;
  if (!DOCUMENTED_REASONS.has(outcome.reason)) return `undocumented reason ${outcome.reason}`;
  if (payload.expect !== 'any' && outcome.reason !== payload.expect) return `reason ${outcome.reason}, expected ${payload.expect}`;
  if (outcome.message.value !== payload.value) return 'the dead letter does not keep the original bytes';
  if (outcome.message.headers?.['weir-dlq-reason'] !== outcome.reason) return 'no weir-dlq-reason header';
  return undefined;
}

describe('processRecord under fuzzing', () => {
  it(`survives ${PER_TYPE * STARTER_TYPES.length} hostile payloads: clean or dead-lettered with a reason, bounded time and heap`, async () => {
    const gc = collectGarbage();
    // Bounded so that the heap has reached its steady size by the 20% mark.
    const shared = { writerSchemas: fakeWriterSchemas(), dedup: new DuplicateCache({ maxIds: 2_000 }) };
    const deps = STARTER_TYPES.map((type) => depsFor(type, shared));
    const streams = STARTER_TYPES.map((type, i) => hostilePayloads(type, schemas, { seed: 1000 + i, now: NOW }));
    const total = PER_TYPE * STARTER_TYPES.length;
    const tally = new Map<string, number>();
    const problems: string[] = [];
    let heapAt20 = 0;
    let slowest = { ms: 0, kind: '' };
    const started = performance.now();
    for (let n = 0; n < total; n++) {
      if (n === Math.floor(total / 5)) heapAt20 = heapAfterGc(gc);
      const t = n % STARTER_TYPES.length;
      const payload = (streams[t] as Generator<FuzzPayload>).next().value as FuzzPayload;
      const before = performance.now();
      let outcome;
      try {
        outcome = await processRecord(source(STARTER_TYPES[t] as string, payload.value, n), deps[t] as RecordDeps);
      } catch (error) {
        problems.push(`#${n} ${payload.kind}: threw ${String(error)}`);
        continue;
      }
      const ms = performance.now() - before;
      if (ms > slowest.ms) slowest = { ms, kind: payload.kind };
      const problem = problemWith(payload, outcome);
      if (problem !== undefined && problems.length < 20) problems.push(`#${n} ${STARTER_TYPES[t]} ${payload.kind}: ${problem}`);
      const label = `${payload.kind} -> ${outcome.kind === 'clean' ? 'clean' : `${outcome.kind}:${outcome.reason}`}`;
      tally.set(label, (tally.get(label) ?? 0) + 1);
    }
    const seconds = (performance.now() - started) / 1000;
    const growth = heapAfterGc(gc) - heapAt20;
    console.info(
      `avro fuzz: ${total} payloads in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s); slowest ${slowest.ms.toFixed(1)} ms (${slowest.kind}); ` +
        `heap growth after 20%: ${(growth / 1024).toFixed(0)} KiB\n` +
        [...tally].sort().map(([label, count]) => `  ${label}: ${count}`).join('\n'),
    );
    expect(problems).toEqual([]);
    expect(slowest.ms).toBeLessThan(SLOWEST_PAYLOAD_MS);
    expect(growth).toBeLessThan(HEAP_GROWTH_BYTES);
    const count = (prefix: string) => [...tally].filter(([label]) => label.startsWith(prefix)).reduce((sum, [, c]) => sum + c, 0);
    // The stream really is hostile, and really reaches the pipeline.
    for (const kind of ['valid', 'bit-flip', 'truncated', 'appended', 'map-huge-count', 'array-huge-count', 'map-negative-count-negative-size', 'union-bad-index', 'enum-bad-index', 'string-huge-length', 'bad-magic', 'short-frame', 'unknown-schema-id', 'tombstone']) {
      expect(count(`${kind} ->`), kind).toBeGreaterThan(50);
    }
  }, RUN_TIMEOUT_MS);

  it('refuses, before avsc loops or allocates, the counts that hang or crash it, and lets valid bytes through', async () => {
    const writer = schemas.writers.page_view[1];
    if (writer === undefined) throw new Error('no evolved page_view writer');
    const deps = depsFor('page_view', { writerSchemas: fakeWriterSchemas(), dedup: undefined });
    const record = validEvent('page_view', seededRandom(7), 'guard-1', NOW);
    expect(await processRecord(source('page_view', encodeFrame(writer.id, writer.type.toBuffer({ ...record, fuzz_tags: [], fuzz_blobs: {}, fuzz_pad: Buffer.alloc(4) })), 1), deps)).toMatchObject({ kind: 'clean' });
    // Unguarded, avsc spins for minutes on such a map and aborts the process (heap out of memory) on such an array.
    for (const [field, count] of [['properties', 2n ** 31n], ['properties', 2n ** 63n - 1n], ['fuzz_tags', 2n ** 31n], ['fuzz_tags', 2n ** 62n]] as const) {
      const body = bodyWithField(writer.type, record, field, [...varint(count), 0, 0]);
      const started = performance.now();
      const outcome = await processRecord(source('page_view', encodeFrame(writer.id, body), 1), deps);
      expect(outcome, `${field} ${count}`).toMatchObject({ kind: 'dlq', reason: 'undecodable' });
      expect(performance.now() - started).toBeLessThan(SLOWEST_PAYLOAD_MS);
    }
    // A negative block size: avsc's skip (the reader has no fuzz_blobs) would move backwards forever.
    const backwards = bodyWithField(writer.type, record, 'fuzz_blobs', [...varint(-1n), ...varint(-3n), 0, 0]);
    expect(await processRecord(source('page_view', encodeFrame(writer.id, backwards), 1), deps)).toMatchObject({ kind: 'dlq', reason: 'undecodable' });
  });
});
