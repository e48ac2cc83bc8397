/**
 * Every rule kind, every transform kind (each derive and cast kind), the hook and both dead-letter
 * dispositions, end to end: Confluent-framed Avro produced straight to two raw topics, one real
 * processor running both pipelines (fixtures/rules-transforms.ts) against the real registry, and
 * the clean and dead-letter topics read back read_committed to their end. Clean records are decoded
 * with the registry and compared field by field; dead letters are checked header by header against
 * where their raw record was produced.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { Admin } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { topicsOf } from '../../../services/processor/pipeline/pipeline.ts';
import { decodeFrame, encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { createRegistryClient } from '../../../services/shared/registry/registry-client.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { connectedAdmin, testKafka } from '../../harness/kafka.ts';
import { counterValue, registerRawSchema, startTestProcessor, writePipelineFiles, type TestProcessor } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { caughtUp, readTopicsToEnd, type TopicRecord } from '../../harness/topic-reader.ts';
import { uniqueName } from '../../harness/unique.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { cases, MAIN_OUTPUT_FIELDS, pipelineFiles, PROBE_SCHEMA, type Case, type Fields } from './fixtures/rules-transforms.ts';

/** The headers services/processor/dead-letter.ts documents. */
const DLQ_HEADERS = ['attempts', 'field', 'message', 'reason', 'source-offset', 'source-partition', 'source-topic', 'stage', 'time'].map((h) => `weir-dlq-${h}`);

interface Sent {
  readonly case: Case;
  readonly topic: string;
  readonly key: Buffer;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

describe('pipeline rules, transforms, hook and dead-letter policy, end to end', () => {
  let registryUrl: string;
  let types: { main: string; policy: string };
  let pipelinesDir: string;
  let schemaId: number;
  let processor: TestProcessor;
  let sentAt: number;
  let readAt: number;
  const sent = new Map<string, Sent>();
  /** By case name (the x-case header every output keeps). */
  const raw = new Map<string, TopicRecord>();
  const clean = new Map<string, TopicRecord & { decoded: Fields }>();
  const dead = new Map<string, TopicRecord>();

  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
    types = { main: uniqueName('rt_main'), policy: uniqueName('rt_policy') };
    schemaId = await registerRawSchema(registryUrl, types.main, PROBE_SCHEMA);
    expect(await registerRawSchema(registryUrl, types.policy, PROBE_SCHEMA)).toBe(schemaId);
    const topics = Object.values(types).flatMap((type) => Object.values(topicsOf(type)));
    pipelinesDir = writePipelineFiles(pipelineFiles(types.main, types.policy), topics);
    processor = await startTestProcessor({ registryUrl, pipelinesDir });

    sentAt = Date.now();
    await produce(sentAt);
    const admin = await connectedAdmin();
    const rawTopics = Object.values(types).map((type) => topicsOf(type).raw);
    // Every raw record committed: its clean or dead-letter record is committed too.
    await waitFor('the processor caught up with both raw topics', () => caughtUp(admin, processor.groupId, rawTopics), { timeoutMs: 90_000 });
    await readAll(admin, topics);
    readAt = Date.now();
  });

  async function produce(now: number): Promise<void> {
    const writer = avro.Type.forSchema(PROBE_SCHEMA as unknown as avro.Schema);
    const producer = testKafka('weir-test-rules-transforms').producer();
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    for (const c of cases(now)) {
      const headers = { 'weir-event-id': String(c.value['event_id']), 'weir-schema-id': String(schemaId), 'x-case': c.name, ...c.headers };
      sent.set(c.name, { case: c, topic: topicsOf(types[c.pipeline]).raw, key: Buffer.from(`key-${c.name}`), value: encodeFrame(schemaId, writer.toBuffer(c.value)), headers });
    }
    // One send per topic, in case order: the duplicates come after their originals on the same partition.
    for (const type of Object.values(types)) {
      const messages = [...sent.values()].filter((s) => s.topic === topicsOf(type).raw).map((s) => ({ partition: s.case.partition, key: s.key, value: s.value, headers: { ...s.headers } }));
      await producer.send({ topic: topicsOf(type).raw, acks: -1, messages });
    }
  }

  async function readAll(admin: Admin, topics: readonly string[]): Promise<void> {
    const decoder = new SchemaRegistry({ host: registryUrl });
    for (const record of await readTopicsToEnd(admin, topics)) {
      const name = record.headers['x-case'] ?? '';
      const kind = record.topic.split('.')[1];
      expect((kind === 'raw' ? raw : kind === 'clean' ? clean : dead).has(name), `${name} twice in ${kind}`).toBe(false);
      if (kind === 'clean') clean.set(name, { ...record, decoded: (await decoder.decode(record.value!)) as Fields });
      else (kind === 'raw' ? raw : dead).set(name, record);
    }
  }

  const casesWhere = (pick: (c: Case) => boolean) => [...sent.values()].map((s) => s.case).filter(pick);
  const rawOf = (name: string) => raw.get(name)!;

  it('sends each record to the clean topic, the dead-letter topic or a counted drop, as its rules, transforms, hook and dead-letter policy say', async () => {
    expect(raw.size).toBe(sent.size);
    const where = (name: string) => (clean.has(name) ? 'clean' : dead.has(name) ? 'dlq' : 'dropped');
    const expected = (c: Case) => ('clean' in c.outcome ? 'clean' : 'dlq' in c.outcome ? 'dlq' : 'dropped');
    expect(Object.fromEntries([...sent.keys()].map((name) => [name, where(name)]))).toEqual(Object.fromEntries(casesWhere(() => true).map((c) => [c.name, expected(c)])));
    // Outputs land on the output topics of their own pipeline.
    for (const [name, record] of [...clean, ...dead]) expect(record.topic.split('.')[2], name).toBe(types[sent.get(name)!.case.pipeline]);

    // Each class both ways: main keeps the default policy, policy turns every class around.
    const drops = casesWhere((c) => 'drop' in c.outcome);
    expect(drops.map((c) => [c.pipeline, (c.outcome as { drop: string }).drop])).toEqual([
      ['main', 'duplicate'],
      ['main', 'hook_dropped'],
      ['policy', 'event_time_too_old'],
      ['policy', 'required'],
    ]);
    expect(dead.get('too-old')?.headers['weir-dlq-reason']).toBe('event_time_too_old');
    expect(dead.get('p-duplicate')?.headers['weir-dlq-reason']).toBe('duplicate');
    for (const c of drops) {
      const reason = (c.outcome as { drop: string }).drop;
      expect(await counterValue(processor.metrics, 'weir_processor_dropped_total', { type: types[c.pipeline], reason }), `${c.name} counted`).toBe(1);
    }
    expect(await counterValue(processor.metrics, 'weir_processor_dropped_total')).toBe(drops.length);
  });

  it('publishes clean records in the output schema, every transform and the hook applied, compared field by field', async () => {
    const registry = createRegistryClient({ baseUrl: registryUrl });
    const outputs = { main: await registry.latest(`${topicsOf(types.main).clean}-value`), policy: await registry.latest(`${topicsOf(types.policy).clean}-value`) };
    const mainFields = (JSON.parse(outputs.main.schema) as { fields: Fields[] }).fields;
    expect(mainFields.map((f) => f['name'])).toEqual(MAIN_OUTPUT_FIELDS);
    expect(mainFields.find((f) => f['name'] === 'display_name')).toMatchObject({ type: 'string', aliases: ['name'] });

    const goods = casesWhere((c) => 'clean' in c.outcome);
    expect(goods.length).toBe(4);
    for (const c of goods) {
      const record = clean.get(c.name)!;
      const outputId = outputs[c.pipeline].id;
      expect(record.decoded, c.name).toEqual((c.outcome as { clean: Fields }).clean);
      expect(decodeFrame(record.value!).schemaId).toBe(outputId);
      expect(record.partition, `${c.name}: the partition it came from`).toBe(rawOf(c.name).partition);
      expect(record.key?.toString()).toBe(`key-${c.name}`);
      expect(record.headers).toEqual({ ...sent.get(c.name)!.headers, 'weir-schema-id': String(outputId) });
    }
  });

  it('dead-letters each failing rule, transform and hook with its reason, field, stage and a message that quotes no string value', () => {
    const failures = casesWhere((c) => 'dlq' in c.outcome);
    expect(failures.length).toBe(18);
    for (const c of failures) {
      const want = (c.outcome as { dlq: { reason: string; field: string; stage: string; message?: RegExp } }).dlq;
      const headers = dead.get(c.name)!.headers;
      expect({ reason: headers['weir-dlq-reason'], field: headers['weir-dlq-field'], stage: headers['weir-dlq-stage'] }, c.name).toEqual({ reason: want.reason, field: want.field, stage: want.stage });
      if (want.message !== undefined) expect(headers['weir-dlq-message'], c.name).toMatch(want.message);
    }
    // Strings may be personal data: a message names the field, never its text.
    expect(dead.get('pattern')!.headers['weir-dlq-message']).not.toContain('abc-1234');
    expect(dead.get('allowed-values')!.headers['weir-dlq-message']).not.toContain('XX"');
    expect(dead.get('cast-text')!.headers['weir-dlq-message']).not.toContain('4.5');
  });

  it('dead letters carry the documented headers and keep the original key, bytes, headers and partition', () => {
    for (const [name, letter] of dead) {
      const original = sent.get(name)!;
      const source = rawOf(name);
      const dlqHeaders = Object.keys(letter.headers).filter((h) => h.startsWith('weir-dlq-')).sort();
      expect(dlqHeaders, name).toEqual(DLQ_HEADERS);
      expect(letter.headers, name).toMatchObject({
        'weir-dlq-source-topic': original.topic,
        'weir-dlq-source-partition': String(source.partition),
        'weir-dlq-source-offset': source.offset,
        'weir-dlq-attempts': name === 'replayed' ? '3' : '1',
      });
      const time = Number(letter.headers['weir-dlq-time']);
      expect(time, `${name} weir-dlq-time`).toBeGreaterThanOrEqual(sentAt);
      expect(time, `${name} weir-dlq-time`).toBeLessThanOrEqual(readAt);
      expect(source.partition, `${name} produced to`).toBe(original.case.partition);
      expect(letter.partition, name).toBe(source.partition);
      expect(letter.key?.equals(original.key), `${name} key`).toBe(true);
      expect(letter.value?.equals(original.value), `${name} bytes`).toBe(true);
      const kept = Object.fromEntries(Object.entries(letter.headers).filter(([h]) => !h.startsWith('weir-dlq-')));
      expect(kept, name).toEqual(Object.fromEntries(Object.entries(original.headers).filter(([h]) => !h.startsWith('weir-dlq-'))));
    }
    // A replayed dead letter's old weir-dlq-* headers are replaced, not kept beside the new ones.
    expect(dead.get('replayed')!.headers).toMatchObject({ 'weir-dlq-reason': 'out_of_range', 'weir-dlq-stage': 'rule', 'weir-dlq-field': 'amount' });
  });

  it('refuses to start while the secret of a hash is unset, so no record can fail with secret_missing', async () => {
    const start = startTestProcessor({ registryUrl, pipelinesDir, secrets: {} });
    await expect(start).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(start).rejects.toThrow(new RegExp(`WEIR_PII_SECRET is unset or empty; the pipelines ${types.main} hash fields with it`));
  });
});
