/**
 * `weir dlq` against real Kafka, the real registry and a real processor: dead letters listed with
 * filters, one shown decoded, and a replay after a rule fix that moves the fixed ones to the clean
 * topic exactly once, leaves the rest, and does nothing more when run again.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../services/cli/main.ts';
import { readTopic } from '../../../services/cli/dlq/read-topic.ts';
import { encodeFrame } from '../../../services/shared/avro/wire-format.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { registerTestEventType } from '../../harness/gateway.ts';
import { testBrokers, testKafka } from '../../harness/kafka.ts';
import { counterValue, startTestProcessor, TEST_PII_SECRET, writeTestPipelines } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';

async function weir(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd: process.cwd() });
  return { code, stdout, stderr };
}

/** Every record of `topic`, read_committed, to its end now. */
async function readAll(topic: string): Promise<Array<KafkaMessage & { partition: number }>> {
  const records: Array<KafkaMessage & { partition: number }> = [];
  await readTopic(testKafka(), topic, { onRecords: (partition, messages) => void records.push(...messages.map((m) => ({ ...m, partition }))) });
  return records;
}

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

describe('weir dlq', () => {
  it('lists and shows dead letters, and replays them after a rule fix exactly once', async () => {
    const registryUrl = (await startTestRegistry()).url;
    const { type, schema } = await registerTestEventType(registryUrl, 'purchase');
    const pipelinesDir = writeTestPipelines({ [type]: 'purchase' });
    const processor = await startTestProcessor({ registryUrl, pipelinesDir });
    const brokers = ['--brokers', testBrokers().join(',')];
    const registry = ['--registry-url', registryUrl];

    // 5 good, 4 negative amounts (out_of_range), 2 unknown currencies (not_allowed), 1 garbage.
    const schemaId = (await (await fetch(`${registryUrl}/subjects/weir.raw.${type}-value/versions/latest`)).json() as { id: number }).id;
    const avroType = avro.Type.forSchema(schema as avro.Schema);
    const t = Date.now() - 60_000;
    const purchase = (i: number, amount: number, currency: string) => {
      const id = `e-${i}`;
      const value = avroType.toBuffer({ event_id: id, event_time: t, order_id: `o-${i}`, user_id: `u${i}`, session_id: null, amount_minor: amount, tax_minor: 0, currency, items_count: 1, payment_method: 'CARD', coupon_code: null, properties: {} });
      return { key: `u${i}`, value: encodeFrame(schemaId, value), headers: { 'weir-event-id': id, 'weir-schema-id': String(schemaId) } };
    };
    const producer = testKafka().producer();
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    await producer.send({
      topic: `weir.raw.${type}`,
      acks: -1,
      messages: [
        ...[0, 1, 2, 3, 4].map((i) => purchase(i, 100 * i, 'EUR')),
        ...[5, 6, 7, 8].map((i) => purchase(i, -5 * i, 'EUR')),
        ...[9, 10].map((i) => purchase(i, 100, 'XXX')),
        { key: 'g', value: Buffer.from('not avro'), headers: { 'weir-event-id': 'garbage' } },
      ],
    });
    await waitFor('7 dead letters and 5 clean', async () =>
      (await counterValue(processor.metrics, 'weir_processor_dead_lettered_total')) === 7 && (await counterValue(processor.metrics, 'weir_processor_published_total')) === 5);

    // list: everything, then filtered by reason (JSON), then a time range that holds nothing.
    const list = await weir(['dlq', 'list', '--type', type, ...brokers]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(`weir.dlq.${type}: 7 dead letter(s), 7 matching (all); by reason: out_of_range 4, not_allowed 2, undecodable 1`);
    expect(list.stdout.match(/ pending /g)).toHaveLength(7);
    const byReason = await weir(['dlq', 'list', '--type', type, '--reason', 'out_of_range', '--json', ...brokers]);
    const listed = JSON.parse(byReason.stdout) as { topics: Array<{ matched: number; records: Array<{ at: string; eventId: string; field: string; stage: string; source: { topic: string } }> }> };
    expect(listed.topics[0]!.matched).toBe(4);
    expect(listed.topics[0]!.records.map((r) => r.eventId).sort()).toEqual(['e-5', 'e-6', 'e-7', 'e-8']);
    expect(listed.topics[0]!.records[0]).toMatchObject({ field: 'amount_minor', stage: 'rule', source: { topic: `weir.raw.${type}` } });
    const old = await weir(['dlq', 'list', '--type', type, '--until', new Date(t - 3_600_000).toISOString(), ...brokers]);
    expect(old.stdout).toContain('7 dead letter(s), 0 matching');
    const all = await weir(['dlq', 'list', ...brokers]);
    expect(all.stdout).toContain(`weir.dlq.${type}: 7 dead letter(s)`);

    // show: one out_of_range record, decoded with the schema it was written with.
    const at = listed.topics[0]!.records.find((r) => r.eventId === 'e-6')!.at;
    const show = await weir(['dlq', 'show', '--at', at, ...brokers, ...registry]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('reason        out_of_range');
    expect(show.stdout).toContain('"amount_minor": -30');
    expect(show.stdout).toContain(`weir-dlq-source-topic: weir.raw.${type}`);
    expect(show.stdout).toContain('replay        pending');
    const nothing = await weir(['dlq', 'show', '--at', `weir.dlq.${type}/0/999999`, ...brokers, ...registry]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('no record at');

    // The fix: negative amounts allowed from now on. Replay without a secret is refused first.
    const fixedDir = writeTestPipelines({ [type]: 'purchase' });
    const file = path.join(fixedDir, `${type}.json`);
    const definition = JSON.parse(fs.readFileSync(file, 'utf8')) as { rules: Array<{ rule: string; field: string; min?: number }> };
    definition.rules.find((r) => r.field === 'amount_minor')!.min = -1_000;
    fs.writeFileSync(file, JSON.stringify(definition));
    const replayArgs = ['dlq', 'replay', '--type', type, '--pipelines', fixedDir, ...brokers, ...registry];
    const noSecret = await weir(replayArgs, { WEIR_DATA_DIR: fixedDir });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('WEIR_PII_SECRET is unset or empty');

    const replay = await weir(replayArgs, { WEIR_PII_SECRET: TEST_PII_SECRET });
    expect(replay.code, replay.stderr).toBe(1); // the unknown currencies and the garbage still fail
    expect(replay.stdout).toMatch(/now pass +4 ->/);
    expect(replay.stdout).toMatch(/still fail +3 +\(not_allowed 2, undecodable 1\)/);
    expect(replay.stderr).toMatch(/replay .*7\/7 {2}100%/);

    const clean = await readAll(`weir.clean.${type}`);
    const ids = clean.map((m) => header(m, 'weir-event-id'));
    expect(ids.sort()).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6', 'e-7', 'e-8']);
    const replayed = clean.filter((m) => header(m, 'weir-replayed-from') !== undefined);
    expect(replayed).toHaveLength(4);
    const decoder = new SchemaRegistry({ host: registryUrl });
    const e7 = replayed.find((m) => header(m, 'weir-event-id') === 'e-7')!;
    expect(await decoder.decode(e7.value!)).toMatchObject({ event_id: 'e-7', amount_minor: -35, currency_exponent: 2, user_id: createHmac('sha256', TEST_PII_SECRET).update('u7').digest('hex') });
    expect(e7.key?.toString()).toBe('u7');
    expect(Object.keys(e7.headers ?? {}).some((h) => h.startsWith('weir-dlq-'))).toBe(false);
    const source = (await readAll(`weir.dlq.${type}`)).find((m) => header(m, 'weir-event-id') === 'e-7')!;
    expect(e7.partition).toBe(source.partition);

    // Again: nothing new is published, and the ledger shows what happened.
    const again = await weir(replayArgs, { WEIR_PII_SECRET: TEST_PII_SECRET });
    expect(again.stdout).toMatch(/now pass +0/);
    expect(again.stdout).toMatch(/skipped +4 already replayed/);
    expect(await readAll(`weir.clean.${type}`)).toHaveLength(9);
    const after = await weir(['dlq', 'list', '--type', type, ...brokers]);
    expect(after.stdout.match(/replayed: clean/g)).toHaveLength(4);
    expect(after.stdout.match(/replayed: failed again \(not_allowed\)/g)).toHaveLength(2);
  });
});
