/**
 * The registry on Kafka: a Confluent client works against it unchanged, the wire framing is pinned
 * to golden bytes, a restart keeps everything, and two instances on one topic agree on every id.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { uniqueName } from '../../harness/unique.ts';

const CT = 'application/vnd.schemaregistry.v1+json';

async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': CT },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

const recordSchema = (name: string, fields: object[]) => JSON.stringify({ type: 'record', name, namespace: 'dev.weir.test', fields });

describe('schema registry on Kafka', () => {
  it('serves @kafkajs/confluent-schema-registry: register, encode, decode, with the Confluent framing', async () => {
    const { url } = await startTestRegistry();
    const client = new SchemaRegistry({ host: url });
    const schema = recordSchema('Golden', [
      { name: 'name', type: 'string' },
      { name: 'n', type: 'int' },
    ]);
    const { id } = await client.register({ type: SchemaType.AVRO, schema }, { subject: 'golden-value' });
    expect(id).toBe(1); // a fresh registry gives out ids from 1

    const encoded = await client.encode(id, { name: 'ab', n: 3 });
    // magic 0 | id 1 as big-endian uint32 | Avro: string "ab" (zigzag length 4, 'a', 'b'), int 3 (zigzag 6)
    expect(encoded.toString('hex')).toBe('00' + '00000001' + '046162' + '06');
    expect(decodeFrame(encoded)).toEqual({ schemaId: 1, body: Buffer.from('04616206', 'hex') });
    expect(await client.decode(encoded)).toEqual({ name: 'ab', n: 3 });
    expect(await client.getLatestSchemaId('golden-value')).toBe(1);
    expect(avro.Type.forSchema(JSON.parse(schema)).fromBuffer(decodeFrame(encoded).body)).toEqual({ name: 'ab', n: 3 });
  });

  it('keeps subjects, versions, ids and config across a restart', async () => {
    const first = await startTestRegistry();
    const subjects = ['orders-value', 'clicks-value'];
    const ids: number[] = [];
    for (const [i, subject] of subjects.entries()) {
      const v1 = await api(first.url, 'POST', `/subjects/${subject}/versions`, { schema: recordSchema(`R${i}`, [{ name: 'a', type: 'string' }]) });
      const v2 = await api(first.url, 'POST', `/subjects/${subject}/versions`, {
        schema: recordSchema(`R${i}`, [{ name: 'a', type: 'string' }, { name: 'b', type: ['null', 'long'], default: null }]),
      });
      ids.push((v1.json as { id: number }).id, (v2.json as { id: number }).id);
    }
    expect(new Set(ids).size).toBe(4);
    expect((await api(first.url, 'PUT', '/config/orders-value', { compatibility: 'FULL' })).status).toBe(200);
    expect((await api(first.url, 'PUT', '/config', { compatibility: 'FORWARD' })).status).toBe(200);
    expect((await api(first.url, 'DELETE', '/subjects/clicks-value/versions/1')).status).toBe(200);

    const snapshot = async (base: string) => ({
      subjects: (await api(base, 'GET', '/subjects')).json,
      deletedToo: (await api(base, 'GET', '/subjects?deleted=true')).json,
      orders: (await api(base, 'GET', '/subjects/orders-value/versions')).json,
      clicks: (await api(base, 'GET', '/subjects/clicks-value/versions?deleted=true')).json,
      latest: (await api(base, 'GET', '/subjects/orders-value/versions/latest')).json,
      byId: await Promise.all(ids.map(async (id) => (await api(base, 'GET', `/schemas/ids/${id}`)).json)),
      config: (await api(base, 'GET', '/config')).json,
      ordersConfig: (await api(base, 'GET', '/config/orders-value')).json,
    });
    const before = await snapshot(first.url);
    await first.component.stop();

    const second = await startTestRegistry({ topic: first.topic });
    expect(await snapshot(second.url)).toEqual(before);
    // And the next id continues after the last one, never reusing one.
    const next = await api(second.url, 'POST', '/subjects/new-value/versions', { schema: recordSchema('Fresh', [{ name: 'x', type: 'int' }]) });
    expect((next.json as { id: number }).id).toBe(Math.max(...ids) + 1);
  });

  it('gives the same ids through two instances on one topic, even when they register at the same time', async () => {
    const a = await startTestRegistry();
    const b = await startTestRegistry({ topic: a.topic });
    const run = uniqueName('r');
    // 12 distinct schemas over 4 subjects, each registered through both instances at once.
    const work = Array.from({ length: 12 }, (_, i) => ({
      subject: `s${i % 4}-value`,
      schema: recordSchema(`Shared_${run}`, [
        { name: 'a', type: 'string' },
        ...Array.from({ length: Math.floor(i / 4) }, (_, j) => ({ name: `f${j}`, type: ['null', 'string'], default: null })),
      ]),
    }));
    const answers = await Promise.all(
      work.flatMap(({ subject, schema }) => [a.url, b.url].map(async (base) => ({ subject, schema, ...(await api(base, 'POST', `/subjects/${subject}/versions`, { schema })) }))),
    );
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    const idOf = new Map<string, number>();
    for (const { schema, json } of answers) {
      const id = (json as { id: number }).id;
      expect(idOf.get(schema) ?? id, 'both instances answer the same id for the same schema').toBe(id);
      idOf.set(schema, id);
    }
    // Same schema text under different subjects shares an id, so 3 distinct schemas -> 3 ids.
    expect(new Set(idOf.values()).size).toBe(3);
    for (const base of [a.url, b.url]) {
      for (const { subject, schema } of work) {
        const lookup = await api(base, 'POST', `/subjects/${subject}`, { schema });
        expect(lookup.status).toBe(200);
        expect((lookup.json as { id: number }).id).toBe(idOf.get(schema));
      }
    }
    expect((await api(a.url, 'GET', '/subjects/s0-value/versions')).json).toEqual((await api(b.url, 'GET', '/subjects/s0-value/versions')).json);
  });
});
