import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import express from 'express';
import type { ProducerRecord } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { isWeirError, type WeirError } from '../../../sdk/src/errors.ts';
import { createKafkaEventProducer } from '../../../sdk/src/kafka/index.ts';
import { createMemoryRegistryStore } from '../../../services/registry/registry-store.ts';
import { createRegistryRouter } from '../../../services/registry/routes.ts';
import { silentLogger } from '../../../services/shared/logger.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const pageViewSchema = fs.readFileSync(new URL('../../../schemas/events/page_view.avsc', import.meta.url), 'utf8');
const apiRequestSchema = fs.readFileSync(new URL('../../../schemas/events/api_request.avsc', import.meta.url), 'utf8');

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

/** weir's own registry on a memory store, and a Confluent client of it. */
async function startRegistry() {
  const app = express().use(createRegistryRouter({ store: createMemoryRegistryStore(), logger: silentLogger() }));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const client = new SchemaRegistry({ host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retry: { retries: 0 } });
  const register = async (type: string, schema: string) => (await client.register({ type: SchemaType.AVRO, schema }, { subject: `weir.raw.${type}-value` })).id;
  return { client, register };
}

function fakeProducer(fail?: Error) {
  const sent: ProducerRecord[] = [];
  return {
    sent,
    send: async (record: ProducerRecord) => {
      if (fail !== undefined) throw fail;
      sent.push(record);
      return [];
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<WeirError> {
  try {
    await promise;
  } catch (error) {
    if (isWeirError(error)) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('createKafkaEventProducer', () => {
  it('produces the Confluent wire format of the latest schema, with acks=-1, the key and the headers', async () => {
    const registry = await startRegistry();
    const schemaId = await registry.register('page_view', pageViewSchema);
    const producer = fakeProducer();
    const events = createKafkaEventProducer({ producer, registry: registry.client, now: () => NOW });

    const produced = await events.send('page_view', { id: '019b76da-a87b-7000-8000-000000000001', url: 'https://shop.example/', anonymous_id: 'a-1', session_id: 's-1', user_id: 'u-1' });
    expect(produced).toEqual({ id: '019b76da-a87b-7000-8000-000000000001', topic: 'weir.raw.page_view', key: 'u-1', schemaId });

    const [record] = producer.sent;
    expect(record).toMatchObject({ topic: 'weir.raw.page_view', acks: -1 });
    const message = record?.messages[0];
    expect(message?.key).toBe('u-1');
    expect(message?.headers).toEqual({
      'weir-event-id': '019b76da-a87b-7000-8000-000000000001',
      'weir-event-type': 'page_view',
      'weir-schema-id': String(schemaId),
      'weir-received-at': String(NOW),
    });

    const expectedRecord = {
      event_id: '019b76da-a87b-7000-8000-000000000001',
      event_time: NOW,
      url: 'https://shop.example/',
      referrer: null,
      title: null,
      user_id: 'u-1',
      anonymous_id: 'a-1',
      session_id: 's-1',
      device_type: 'UNKNOWN',
      user_agent: null,
      properties: {},
    };
    const header = Buffer.alloc(5);
    header.writeUInt32BE(schemaId, 1);
    const golden = Buffer.concat([header, avro.Type.forSchema(JSON.parse(pageViewSchema) as avro.Schema).toBuffer(expectedRecord)]);
    expect(Buffer.from(message?.value as Buffer).toString('hex')).toBe(golden.toString('hex'));
    expect(await registry.client.decode(message?.value as Buffer)).toEqual(expectedRecord);
  });

  it('keys by tenant_id without a user, by the event id without either, and names the topic with topicFor', async () => {
    const registry = await startRegistry();
    await registry.register('api_request', apiRequestSchema);
    const producer = fakeProducer();
    const events = createKafkaEventProducer({ producer, registry: registry.client, topicFor: (type) => `test.${type}`, now: () => NOW });
    const request = { service: 'checkout', method: 'GET', route: '/orders/:id', status_code: 200, latency_ms: 1.5 };
    const [byTenant, byId] = await events.sendBatch('api_request', [
      { ...request, tenant_id: 't-1', timestamp: '2026-01-01T00:00:01Z' },
      { ...request, id: '019b76da-a87b-7000-8000-000000000002' },
    ]);
    expect(byTenant).toMatchObject({ key: 't-1', topic: 'test.api_request' });
    expect(byId?.key).toBe('019b76da-a87b-7000-8000-000000000002');
    expect(producer.sent).toHaveLength(1);
    expect(producer.sent[0]?.messages.map((m) => m.key)).toEqual(['t-1', '019b76da-a87b-7000-8000-000000000002']);
    const decoded = (await registry.client.decode(producer.sent[0]?.messages[0]?.value as Buffer)) as Record<string, unknown>;
    expect(decoded['event_time']).toBe(NOW + 1000);
    expect(decoded['event_id']).toBe(byTenant?.id);
  });

  it('moves to a newly registered schema once schemaCacheMs has passed', async () => {
    const registry = await startRegistry();
    const v1 = await registry.register('page_view', pageViewSchema);
    let now = NOW;
    const events = createKafkaEventProducer({ producer: fakeProducer(), registry: registry.client, schemaCacheMs: 60_000, now: () => now });
    const event = { url: 'u', anonymous_id: 'a', session_id: 's' };
    expect((await events.send('page_view', event)).schemaId).toBe(v1);
    const evolved = JSON.parse(pageViewSchema) as { fields: unknown[] };
    evolved.fields.push({ name: 'locale', type: ['null', 'string'], default: null, doc: 'BCP 47 locale.' });
    const v2 = await registry.register('page_view', JSON.stringify(evolved));
    expect(v2).not.toBe(v1);
    expect((await events.send('page_view', event)).schemaId).toBe(v1);
    now += 60_000;
    expect((await events.send('page_view', event)).schemaId).toBe(v2);
  });

  it('fails with SCHEMA_LOOKUP_FAILED for a type never registered, ENCODE_FAILED for an event that does not fit', async () => {
    const registry = await startRegistry();
    await registry.register('page_view', pageViewSchema);
    const producer = fakeProducer();
    const events = createKafkaEventProducer({ producer, registry: registry.client });
    const lookup = await failure(events.send('click', {}));
    expect(lookup).toMatchObject({ code: 'SCHEMA_LOOKUP_FAILED', retriable: true });
    expect(lookup.message).toContain('weir.raw.click-value');
    const encode = await failure(events.send('page_view', { url: 'u', anonymous_id: 'a', session_id: 's', device_type: 'FRIDGE' }));
    expect(encode).toMatchObject({ code: 'ENCODE_FAILED', retriable: false });
    expect(encode.message).toContain('device_type');
    expect(producer.sent).toEqual([]);
  });

  it('fails with PRODUCE_FAILED, retriable as kafkajs says', async () => {
    const registry = await startRegistry();
    await registry.register('page_view', pageViewSchema);
    const broker = Object.assign(new Error('not enough replicas'), { retriable: false });
    const events = createKafkaEventProducer({ producer: fakeProducer(broker), registry: registry.client });
    const error = await failure(events.send('page_view', { url: 'u', anonymous_id: 'a', session_id: 's' }));
    expect(error).toMatchObject({ code: 'PRODUCE_FAILED', retriable: false, cause: broker });
  });

  it('refuses options that cannot work', () => {
    const registry = { getLatestSchemaId: async () => 1, encode: async () => Buffer.alloc(0) };
    expect(() => createKafkaEventProducer({ producer: {} as never, registry })).toThrow(/producer must be a connected kafkajs Producer/);
    expect(() => createKafkaEventProducer({ producer: fakeProducer(), registry: {} as never })).toThrow(/registry must be a SchemaRegistry/);
    expect(() => createKafkaEventProducer({ producer: fakeProducer(), registry, schemaCacheMs: -1 })).toThrow(/schemaCacheMs/);
  });
});
