/**
 * Schema evolution through the processor, against real Kafka and the real registry. Version 2 of
 * an event schema changes version 1 in every way the registry's BACKWARD check accepts (int to
 * long, float to double, an enum symbol added, a field renamed with an alias, a field with a
 * default removed, a union widened, fields added with defaults). The processor reads with the
 * latest version; events framed with either version's id come out of the clean topic in that
 * shape, v1's missing fields filled with their defaults. A version registered later that the
 * processor's reader cannot resolve dead-letters its records as `undecodable`, saying why, and
 * blocks nothing behind it.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { topicsOf } from '../../../services/processor/pipeline/pipeline.ts';
import { decodeFrame, encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { createRegistryClient, ERROR_CODES, REGISTRY_MEDIA_TYPE } from '../../../services/shared/registry/registry-client.ts';
import { isRefusal } from '../../../services/shared/registry/registry-client-error.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { connectedAdmin, testKafka } from '../../harness/kafka.ts';
import { registerRawSchema, startTestProcessor, writePipelineFiles } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { caughtUp, readTopicsToEnd } from '../../harness/topic-reader.ts';
import { uniqueName } from '../../harness/unique.ts';
import { waitFor } from '../../harness/wait-for.ts';

const order = (fields: readonly object[]) => ({ type: 'record', name: 'Order', namespace: 'dev.weir.events', doc: 'An order, for the evolution test.', fields });
const status = (symbols: readonly string[]) => ({ type: 'enum', name: 'Status', symbols });
const ID_AND_TIME = [
  { name: 'event_id', type: 'string' },
  { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
];

const V1 = order([
  ...ID_AND_TIME,
  { name: 'quantity', type: 'int' },
  { name: 'price', type: 'float' },
  { name: 'status', type: status(['NEW', 'PAID']) },
  { name: 'customer', type: 'string' },
  { name: 'note', type: 'string', default: '' },
  { name: 'discount', type: ['null', 'int'], default: null },
]);

const V2 = order([
  ...ID_AND_TIME,
  { name: 'quantity', type: 'long' }, // promoted from int
  { name: 'price', type: 'double' }, // promoted from float
  { name: 'status', type: status(['NEW', 'PAID', 'SHIPPED']) }, // a symbol added
  { name: 'buyer', type: 'string', aliases: ['customer'] }, // renamed
  // note: removed (it had a default)
  { name: 'discount', type: ['null', 'int', 'string'], default: null }, // union widened
  { name: 'channel', type: 'string', default: 'web' }, // added, with defaults
  { name: 'referrer', type: ['null', 'string'], default: null },
  { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
]);

/** Breaks v2: quantity becomes text. Refused under BACKWARD; taken once the subject is set to NONE. */
const V3 = order([...ID_AND_TIME, { name: 'quantity', type: 'string' }, { name: 'price', type: 'double' }, { name: 'status', type: status(['NEW', 'PAID', 'SHIPPED']) }, { name: 'buyer', type: 'string' }]);

describe('schema evolution through the processor', () => {
  let registryUrl: string;
  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
  });

  it('reads v1 and v2 records in the latest shape with defaults filled, and dead-letters a writer schema it cannot resolve as undecodable', async () => {
    const type = uniqueName('evolution');
    const subject = `${topicsOf(type).raw}-value`;
    const registry = createRegistryClient({ baseUrl: registryUrl });
    const v1 = await registerRawSchema(registryUrl, type, V1);
    expect(await registry.checkCompatibility(subject, JSON.stringify(V2))).toEqual({ compatible: true, messages: [] });
    const v2 = await registerRawSchema(registryUrl, type, V2);
    expect(v2).not.toBe(v1);

    const pipelinesDir = writePipelineFiles(
      {
        [`${type}.json`]: {
          source: type,
          rules: [
            { rule: 'range', field: 'quantity', min: 1 },
            { rule: 'allowed', field: 'channel', values: ['web', 'app'] }, // a v2 field: v1 records pass with its default
          ],
          transforms: [{ op: 'default', field: 'referrer', value: '' }],
        },
      },
      Object.values(topicsOf(type)),
    );
    const processor = await startTestProcessor({ registryUrl, pipelinesDir });

    // After the processor started with v2 as its reader: a breaking v3, refused until the subject allows anything.
    await expect(registry.register(subject, JSON.stringify(V3))).rejects.toSatisfy((error) => isRefusal(error, ERROR_CODES.INCOMPATIBLE_SCHEMA));
    const config = await fetch(`${registryUrl}/config/${subject}`, { method: 'PUT', headers: { 'content-type': REGISTRY_MEDIA_TYPE }, body: JSON.stringify({ compatibility: 'NONE' }) });
    expect(config.status).toBe(200);
    const v3 = await registerRawSchema(registryUrl, type, V3);

    const now = Date.now();
    const base = { event_time: now, price: 2.5, status: 'PAID' };
    const sends: Array<{ id: string; schemaId: number; schema: object; partition: number; value: Record<string, unknown> }> = [
      { id: 'v1-full', schemaId: v1, schema: V1, partition: 0, value: { ...base, quantity: 3, customer: 'c-1', note: 'gift wrap', discount: 5 } },
      { id: 'v1-defaults', schemaId: v1, schema: V1, partition: 1, value: { ...base, quantity: 2_147_483_647, customer: 'c-2', note: '', discount: null } },
      { id: 'v1-invalid', schemaId: v1, schema: V1, partition: 1, value: { ...base, quantity: 0, customer: 'c-3', note: '', discount: null } },
      {
        id: 'v2-full',
        ...{ schemaId: v2, schema: V2, partition: 0 },
        value: { ...base, quantity: 2 ** 40, price: 0.1, status: 'SHIPPED', buyer: 'c-4', discount: 'TEN', channel: 'app', referrer: 'https://r.example/', tags: ['x', 'y'] },
      },
      { id: 'v2-nulls', schemaId: v2, schema: V2, partition: 1, value: { ...base, quantity: 1, buyer: 'c-5', discount: 7, channel: 'web', referrer: null, tags: [] } },
      { id: 'v3', schemaId: v3, schema: V3, partition: 0, value: { ...base, quantity: 'three', buyer: 'c-6' } },
      { id: 'v2-after-v3', schemaId: v2, schema: V2, partition: 0, value: { ...base, quantity: 4, buyer: 'c-7', discount: null, channel: 'web', referrer: null, tags: [] } },
    ];
    const producer = testKafka('weir-test-evolution').producer();
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const framed = new Map(sends.map((s) => [s.id, encodeFrame(s.schemaId, avro.Type.forSchema(s.schema as avro.Schema).toBuffer({ event_id: s.id, ...s.value }))]));
    await producer.send({ topic: topicsOf(type).raw, acks: -1, messages: sends.map((s) => ({ partition: s.partition, key: s.id, value: framed.get(s.id)!, headers: { 'weir-event-id': s.id } })) });

    const admin = await connectedAdmin();
    await waitFor('the processor caught up with the raw topic', () => caughtUp(admin, processor.groupId, [topicsOf(type).raw]), { timeoutMs: 60_000 });
    const records = await readTopicsToEnd(admin, [topicsOf(type).raw, topicsOf(type).clean, topicsOf(type).deadLetter]);
    const on = (topic: string) => new Map(records.filter((r) => r.topic === topic).map((r) => [r.headers['weir-event-id'] ?? '', r]));
    const [raw, clean, dead] = [on(topicsOf(type).raw), on(topicsOf(type).clean), on(topicsOf(type).deadLetter)];
    expect([...clean.keys()].sort()).toEqual(['v1-defaults', 'v1-full', 'v2-after-v3', 'v2-full', 'v2-nulls']);
    expect([...dead.keys()].sort()).toEqual(['v1-invalid', 'v3']);

    // The clean schema is v2's shape, and every clean record reads back in it.
    const output = await registry.latest(`${topicsOf(type).clean}-value`);
    const outputFields = (JSON.parse(output.schema) as { fields: Array<Record<string, unknown>> }).fields;
    expect(outputFields.map((f) => f['name'])).toEqual(['event_id', 'event_time', 'quantity', 'price', 'status', 'buyer', 'discount', 'channel', 'referrer', 'tags']);
    expect(outputFields.find((f) => f['name'] === 'buyer')?.['aliases']).toEqual(['customer']);
    const decoder = new SchemaRegistry({ host: registryUrl });
    const decoded = async (id: string) => {
      const value = clean.get(id)!.value!;
      expect(decodeFrame(value).schemaId, id).toBe(output.id);
      return (await decoder.decode(value)) as Record<string, unknown>;
    };
    const shape = { event_time: now, price: 2.5, status: 'PAID', channel: 'web', referrer: '', tags: [] };
    expect(await decoded('v1-full')).toEqual({ ...shape, event_id: 'v1-full', quantity: 3, buyer: 'c-1', discount: 5 });
    expect(await decoded('v1-defaults')).toEqual({ ...shape, event_id: 'v1-defaults', quantity: 2_147_483_647, buyer: 'c-2', discount: null });
    expect(await decoded('v2-full')).toEqual({ ...shape, event_id: 'v2-full', quantity: 2 ** 40, price: 0.1, status: 'SHIPPED', buyer: 'c-4', discount: 'TEN', channel: 'app', referrer: 'https://r.example/', tags: ['x', 'y'] });
    expect(await decoded('v2-nulls')).toEqual({ ...shape, event_id: 'v2-nulls', quantity: 1, buyer: 'c-5', discount: 7 });
    expect(await decoded('v2-after-v3')).toEqual({ ...shape, event_id: 'v2-after-v3', quantity: 4, buyer: 'c-7', discount: null });

    // A v1 record failing a rule: judged in the reader's shape, dead-lettered in its own bytes.
    const invalid = dead.get('v1-invalid')!;
    expect(invalid.headers).toMatchObject({ 'weir-dlq-reason': 'out_of_range', 'weir-dlq-field': 'quantity', 'weir-dlq-stage': 'rule' });
    expect(invalid.value?.equals(framed.get('v1-invalid')!)).toBe(true);

    const undecodable = dead.get('v3')!;
    expect(undecodable.headers).toMatchObject({
      'weir-dlq-reason': 'undecodable',
      'weir-dlq-stage': 'decode',
      'weir-dlq-field': '',
      'weir-dlq-source-topic': topicsOf(type).raw,
      'weir-dlq-source-partition': '0',
      'weir-dlq-source-offset': raw.get('v3')!.offset,
      'weir-dlq-attempts': '1',
    });
    expect(undecodable.headers['weir-dlq-message']).toMatch(new RegExp(`^schema ${v3} cannot be read as the pipeline's reader schema: field 'quantity': the reader schema type 'long' cannot read schema ${v3} type 'string'`));
    expect(undecodable.value?.equals(framed.get('v3')!)).toBe(true);
  });
});
