/**
 * Measures the heap bytes one cached id costs in DuplicateCache, string included, for the
 * figures in BYTES_PER_ID. Run: node --expose-gc test/services/processor/dedup/measure-id-bytes.ts
 * Ids are decoded by avsc, as the processor gets them (flat strings: crypto.randomUUID's own
 * strings are not flat and would triple the figure), over 3 partitions with epoch-ms times.
 */
import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { DuplicateCache } from '../../../../services/processor/dedup/duplicate-cache.ts';

const COUNT = 1_000_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const stringType = avro.Type.forSchema('string');

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function measure(label: string, makeId: () => string): void {
  const before = heapAfterGc();
  const cache = new DuplicateCache({ maxIds: COUNT });
  const start = Date.now();
  for (let i = 0; i < COUNT; i++) {
    const id = stringType.fromBuffer(stringType.toBuffer(makeId())) as string;
    cache.seen(i % 3, id, start + Math.floor(i / 1000)); // 1000 ids per ms, all within the horizon
  }
  const after = heapAfterGc();
  if (cache.stats().ids !== COUNT) throw new Error(`the cache holds ${cache.stats().ids} ids, not ${COUNT}`);
  const bytes = (after - before) / COUNT;
  process.stdout.write(`${label}: ${bytes.toFixed(1)} bytes per id (${COUNT} ids, ${((after - before) / 2 ** 20).toFixed(0)} MiB)\n`);
}

const padding = 'x'.repeat(92);
process.stdout.write(`node ${process.version} ${process.arch}, pointer compression ${String((process.config.variables as Record<string, unknown>)['v8_enable_pointer_compression'])}\n`);
measure('36-character ids (UUIDs)', () => randomUUID());
measure('128-character ids (the longest the gateway accepts)', () => `${randomUUID()}${padding}`);
