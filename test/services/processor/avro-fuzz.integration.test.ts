/**
 * Hostile raw values straight to a raw topic, with a real processor on real Kafka and the real
 * registry: every one comes out of the dead-letter topic with its reason and original bytes, the
 * processor stays ready, and good events sent after them still reach the clean topic.
 */
import type { Kafka, Message } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { registerTestEventType } from '../../harness/gateway.ts';
import { testKafka, uniqueGroupId } from '../../harness/kafka.ts';
import { counterValue, startTestProcessor, writeTestPipelines } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { hostilePayloads, seededRandom, validEvent, type FuzzPayload } from './avro-fuzz-payloads.ts';
import { schemas } from './avro-fuzz-fixture.ts';

const HOSTILE = 3_000;
const GOOD = 100;

/** The weir-event-id and reason header of every message a read_committed consumer sees on `topic`. */
async function watchTopic(topic: string, kafka: Kafka = testKafka()): Promise<Map<string, { reason: string; value: Buffer | null }>> {
  const consumer = kafka.consumer({ groupId: uniqueGroupId('read'), readUncommitted: false });
  await consumer.connect();
  registerCleanup(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Map<string, { reason: string; value: Buffer | null }>();
  await consumer.run({
    eachMessage: async ({ message }) => {
      const header = (name: string) => String(message.headers?.[name] ?? '');
      seen.set(header('weir-event-id'), { reason: header('weir-dlq-reason'), value: message.value });
    },
  });
  return seen;
}

async function schemaIdOf(registryUrl: string, type: string): Promise<number> {
  const response = await fetch(`${registryUrl}/subjects/weir.raw.${type}-value/versions/latest`);
  const body = (await response.json()) as { id?: number };
  if (typeof body.id !== 'number') throw new Error(`no schema id for ${type}: ${JSON.stringify(body)}`);
  return body.id;
}

describe('processor under fuzzing', () => {
  let registryUrl: string;
  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
  });

  it(`dead-letters ${HOSTILE} hostile values with reasons, stays ready, and still publishes good events sent after them`, async () => {
    const { type } = await registerTestEventType(registryUrl, 'page_view');
    const id = await schemaIdOf(registryUrl, type);
    const starter = schemas.writers.page_view[0];
    if (starter === undefined) throw new Error('no page_view writer');
    const processor = await startTestProcessor({ registryUrl, pipelinesDir: writeTestPipelines({ [type]: 'page_view' }) });
    const dlq = await watchTopic(`weir.dlq.${type}`);
    const clean = await watchTopic(`weir.clean.${type}`);

    // Only values whose fate does not depend on the pipeline: each must be a dead letter.
    const now = Date.now();
    const stream = hostilePayloads('page_view', { ...schemas, writers: { ...schemas.writers, page_view: [{ id, type: starter.type }] } }, { seed: 42, now, validShare: 0 });
    const hostile = new Map<string, FuzzPayload>();
    while (hostile.size < HOSTILE) {
      const payload = stream.next().value as FuzzPayload;
      if (payload.expect !== 'any') hostile.set(`fz-${hostile.size}`, payload);
    }
    const rng = seededRandom(43);
    const good = Array.from({ length: GOOD }, (_, i) => `good-${i}`);

    const producer = testKafka().producer();
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const raw = `weir.raw.${type}`;
    const messages: Message[] = [...hostile].map(([eventId, p], i) => ({ key: `k${i % 7}`, value: p.value, headers: { 'weir-event-id': eventId } }));
    for (let i = 0; i < messages.length; i += 500) await producer.send({ topic: raw, messages: messages.slice(i, i + 500) });
    await producer.send({
      topic: raw,
      messages: good.map((eventId, i) => ({ key: `k${i % 7}`, value: encodeFrame(id, starter.type.toBuffer(validEvent('page_view', rng, eventId, now))), headers: { 'weir-event-id': eventId } })),
    });

    await waitFor(`${HOSTILE} dead letters and ${GOOD} clean events`, () => dlq.size >= HOSTILE && clean.size >= GOOD, { timeoutMs: 90_000 });
    const wrong: string[] = [];
    for (const [eventId, payload] of hostile) {
      const letter = dlq.get(eventId);
      if (letter === undefined) wrong.push(`${eventId} ${payload.kind}: missing`);
      else if (letter.reason !== payload.expect) wrong.push(`${eventId} ${payload.kind}: ${letter.reason}, expected ${payload.expect}`);
      else if (!(letter.value === null ? payload.value === null : payload.value !== null && letter.value.equals(payload.value))) wrong.push(`${eventId}: bytes changed`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(dlq.size).toBe(HOSTILE);
    expect([...clean.keys()].sort()).toEqual([...good].sort());
    expect(await counterValue(processor.metrics, 'weir_processor_dead_lettered_total')).toBe(HOSTILE);
    expect(processor.component.health()).toMatchObject({ live: true, ready: true });
    expect((await fetch(`${processor.component.url()}/readyz`)).status).toBe(200);
  });
});
