/** The per-record handler without Kafka: decode with evolution, dedup, pipeline outcome, DLQ shape, output framing. */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { DuplicateCache } from '../../../services/processor/dedup/duplicate-cache.ts';
import { processRecord, ResolverCache, type RecordDeps } from '../../../services/processor/process-record.ts';
import { WriterSchemas } from '../../../services/processor/writer-schemas.ts';
import { decodeFrame, encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { RegistryClientError, RegistryRefusedError } from '../../../services/shared/registry/registry-client-error.ts';
import { context, NOW, THING_SCHEMA, thing, thingPipeline } from './pipeline/pipeline-fixture.ts';

const V1 = 7;
const OLD = 8; // a writer schema without `total`, `code` and `tags`: resolved with their defaults
const OLD_SCHEMA = { ...THING_SCHEMA, fields: THING_SCHEMA.fields.filter((f) => !['total', 'code', 'tags'].includes(f.name)) };
const OUTPUT_ID = 99;

function schemas(fetches: number[] = []) {
  return new WriterSchemas({
    fetchSchema: async (id) => {
      fetches.push(id);
      if (id === V1) return JSON.stringify(THING_SCHEMA);
      if (id === OLD) return JSON.stringify(OLD_SCHEMA);
      throw new RegistryRefusedError(40403, 404, `Schema ${id} not found`);
    },
    sleep: async () => undefined,
  });
}

async function deps(definition: Record<string, unknown> = {}, over: Partial<RecordDeps> = {}): Promise<RecordDeps> {
  const pipeline = await thingPipeline({ transforms: [{ op: 'lowercase', field: 'name' }], ...definition });
  return { pipeline, outputSchemaId: OUTPUT_ID, writerSchemas: schemas(), resolvers: new ResolverCache(pipeline.readerType), dedup: new DuplicateCache(), secrets: context().secrets, now: NOW, ...over };
}

const source = (value: Buffer | null, offset = '5') => ({ topic: 'weir.raw.thing', partition: 1, offset, key: Buffer.from('k'), value, headers: { 'weir-event-id': 'e-1', 'weir-schema-id': String(V1) }, timestamp: '1700000000000' });
const framed = (record = thing(), id = V1, schema: object = THING_SCHEMA) => encodeFrame(id, avro.Type.forSchema(schema as avro.Schema).toBuffer(record));

describe('processRecord', () => {
  it('decodes, transforms and frames a good record with the clean schema id, keeping key, headers and timestamp', async () => {
    const d = await deps();
    const outcome = await processRecord(source(framed()), d);
    expect(outcome.kind).toBe('clean');
    if (outcome.kind !== 'clean') return;
    const frame = decodeFrame(outcome.message.value as Buffer);
    expect(frame.schemaId).toBe(OUTPUT_ID);
    expect(d.pipeline.outputType.fromBuffer(frame.body)).toMatchObject({ event_id: 'e-1', name: 'widget' });
    expect(outcome.message.key?.toString()).toBe('k');
    expect(outcome.message.timestamp).toBe('1700000000000');
    expect(outcome.message.headers).toEqual({ 'weir-event-id': 'e-1', 'weir-schema-id': String(OUTPUT_ID) });
  });

  it('reads a record written with an older schema in the reader shape', async () => {
    const { total: _t, code: _c, tags: _g, ...old } = thing();
    const outcome = await processRecord(source(framed(old, OLD, OLD_SCHEMA)), await deps());
    expect(outcome.kind).toBe('clean');
  });

  it('dead-letters garbage, unknown ids and rule failures with the original bytes and reason headers', async () => {
    const d = await deps({ rules: [{ rule: 'range', field: 'count', min: 10 }] });
    const cases: [Buffer | null, string, string][] = [
      [Buffer.from('nope'), 'undecodable', ''],
      [null, 'undecodable', ''],
      [encodeFrame(V1, Buffer.from([0xff, 0xff, 0xff])), 'undecodable', ''],
      [encodeFrame(12345, Buffer.from([1])), 'unknown_schema_id', ''],
      [framed(), 'out_of_range', 'count'],
    ];
    for (const [value, reason, field] of cases) {
      const outcome = await processRecord(source(value), d);
      expect(outcome.kind, reason).toBe('dlq');
      if (outcome.kind !== 'dlq') continue;
      expect(outcome.reason).toBe(reason);
      expect(outcome.message.value).toBe(value);
      expect(outcome.message.key?.toString()).toBe('k');
      expect(outcome.message.headers).toMatchObject({
        'weir-event-id': 'e-1',
        'weir-dlq-reason': reason,
        'weir-dlq-field': field,
        'weir-dlq-stage': reason === 'out_of_range' ? 'rule' : 'decode',
        'weir-dlq-source-topic': 'weir.raw.thing',
        'weir-dlq-source-partition': '1',
        'weir-dlq-source-offset': '5',
        'weir-dlq-attempts': '1',
        'weir-dlq-time': String(NOW),
      });
    }
  });

  it('drops a repeated id on the same partition, and what the definition says to drop', async () => {
    const d = await deps({ rules: [{ rule: 'range', field: 'count', min: 10 }], deadLetter: { invalid: 'drop' } });
    expect(await processRecord(source(framed(thing({ count: 1 }))), d)).toEqual({ kind: 'drop', reason: 'out_of_range', stage: 'rule' });
    expect((await processRecord(source(framed(thing({ event_id: 'x', count: 11 }))), d)).kind).toBe('clean');
    expect(await processRecord(source(framed(thing({ event_id: 'x', count: 11 }))), d)).toEqual({ kind: 'drop', reason: 'duplicate', stage: 'rule' });
  });
});

describe('WriterSchemas', () => {
  it('fetches an id once for concurrent misses, and remembers unknown ids after retrying them', async () => {
    const fetches: number[] = [];
    const s = schemas(fetches);
    const [a, b] = await Promise.all([s.get(V1), s.get(V1)]);
    expect('type' in a && 'type' in b).toBe(true);
    expect(await s.get(V1)).toHaveProperty('type');
    expect(await s.get(4242)).toEqual({ unknown: 'the registry has no schema with id 4242' });
    expect(await s.get(4242)).toHaveProperty('unknown');
    expect(fetches).toEqual([V1, 4242, 4242, 4242]);
  });

  it('retries an unreachable registry with backoff, then throws so that the batch is redelivered', async () => {
    const waits: number[] = [];
    let calls = 0;
    const s = new WriterSchemas({
      fetchSchema: async () => {
        calls++;
        throw new RegistryClientError('REGISTRY_UNREACHABLE', 'down');
      },
      sleep: async (ms) => void waits.push(ms),
    });
    await expect(s.get(V1)).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE', retriable: true });
    expect(calls).toBe(5);
    expect(waits).toEqual([200, 400, 800, 1600]);
  });
});
