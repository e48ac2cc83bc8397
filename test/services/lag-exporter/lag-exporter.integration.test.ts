/**
 * The lag exporter against the real broker: a consumer group is stopped while records keep
 * coming, and its lag grows in offsets and in seconds over collections; once a consumer of the
 * group runs again and commits everything, both fall to 0. Record timestamps are fetched without
 * joining a group, and fetched once per offset.
 */
import type { Consumer, Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { lagExporterSpec } from '../../../services/lag-exporter/config.ts';
import { createLagExporterComponent } from '../../../services/lag-exporter/lag-exporter-component.ts';
import { recordKey, RecordTimestamps } from '../../../services/lag-exporter/record-timestamps.ts';
import { defaultsOf } from '../../../services/shared/config/settings.ts';
import { silentLogger } from '../../../services/shared/logger.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { connectedAdmin, createTestTopic, testBrokers, testKafka, uniqueGroupId } from '../../harness/kafka.ts';
import { waitFor } from '../../harness/wait-for.ts';

const PARTITIONS = 2;

/** Samples of `name` in a Prometheus text page whose labels include `match`, by their partition label. */
function samples(page: string, name: string, match: Record<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = Object.fromEntries([...line.slice(name.length + 1, line.lastIndexOf('}')).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(match).every(([k, v]) => labels[k] === v)) out.set(labels['partition'] ?? '', Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const max = (m: Map<string, number>) => Math.max(...m.values());

/** A running lag exporter (stopped on cleanup) that exports only `groupId`, collecting every 500 ms. */
async function startExporter(groupId: string) {
  const exporter = createLagExporterComponent({
    config: { ...defaultsOf(lagExporterSpec), port: 0, host: '127.0.0.1', intervalMs: 500, groupsInclude: new RegExp(`^${groupId}$`) },
    kafka: testKafka('weir-test-lag-exporter'),
    logger: silentLogger(),
    metrics: new Registry(),
  });
  registerCleanup(() => exporter.stop());
  await exporter.start();
  return exporter;
}

/** Idempotent, so a retry after a slow acknowledgement (a loaded CI machine) cannot write a record twice and throw the counts off. */
async function produce(kafka: Kafka, topic: string, n: number, from: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ partition: (from + i) % PARTITIONS, value: `r${from + i}` })) });
  } finally {
    await producer.disconnect();
  }
}

/** A consumer of the group that commits after every record; resolves once it has committed `total` records. */
async function consumeUntil(kafka: Kafka, groupId: string, topic: string, total: () => Promise<number>, want: number): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
  registerCleanup(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ autoCommit: true, autoCommitInterval: 100, autoCommitThreshold: 1, eachMessage: async () => undefined });
  await waitFor(`group ${groupId} committing ${want} records`, async () => (await total()) >= want, { timeoutMs: 60_000, intervalMs: 100 });
  return consumer;
}

describe('lag exporter', () => {
  it('shows a stopped group\'s lag growing in offsets and seconds, and 0 once it caught up again', async () => {
    const kafka = testKafka('weir-test-lag');
    const topic = await createTestTopic({ prefix: 'lag', partitions: PARTITIONS });
    const groupId = uniqueGroupId('lagging');
    const admin = await connectedAdmin(kafka);
    const committed = async () => ((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);

    const exporter = await startExporter(groupId);
    const scrape = async () => {
      const page = await (await fetch(`${exporter.url()}/metrics`)).text();
      return { offsets: samples(page, 'weir_consumer_group_lag_offsets', { group: groupId, topic }), seconds: samples(page, 'weir_consumer_group_lag_seconds', { group: groupId, topic }), page };
    };
    /** The figures of a collection that started after this call: two reads never see the same collection. */
    const nextCollection = async () => {
      const after = exporter.collections() + 1;
      await waitFor('a new collection', () => exporter.collections() > after, { timeoutMs: 10_000, intervalMs: 20 });
      return scrape();
    };

    // 1. 10 records, consumed and committed; the consumer stops.
    await produce(kafka, topic, 10, 0);
    const first = await consumeUntil(kafka, groupId, topic, committed, 10);
    await first.disconnect();
    const caughtUp = await nextCollection();
    expect(caughtUp.offsets).toEqual(new Map([['0', 0], ['1', 0]]));
    expect(caughtUp.seconds).toEqual(new Map([['0', 0], ['1', 0]]));
    expect(caughtUp.page).toMatch(new RegExp(`weir_consumer_group_members\\{group="${groupId}"\\} 0`));
    expect(caughtUp.page).toMatch(new RegExp(`weir_consumer_group_state\\{group="${groupId}",state="Empty"\\} 1`));

    // 2. While it is stopped, records keep coming: the lag grows from one collection to the next.
    await produce(kafka, topic, 6, 10);
    const behind = await waitFor('the exporter seeing 6 records behind', async () => {
      const s = await scrape();
      return sum(s.offsets) === 6 && max(s.seconds) > 0 ? s : undefined;
    });
    await produce(kafka, topic, 4, 16);
    const further = await waitFor('the exporter seeing 10 records behind, older than before', async () => {
      const s = await nextCollection();
      return sum(s.offsets) === 10 && max(s.seconds) > max(behind.seconds) ? s : undefined;
    });
    expect(sum(further.offsets)).toBeGreaterThan(sum(behind.offsets));
    for (const partition of ['0', '1']) {
      expect(further.offsets.get(partition)).toBeGreaterThan(behind.offsets.get(partition)!);
      expect(further.seconds.get(partition)).toBeGreaterThan(behind.seconds.get(partition)!);
    }

    // 3. The group runs again and catches up: both figures fall to 0.
    const second = await consumeUntil(kafka, groupId, topic, committed, 20);
    const recovered = await waitFor('the exporter seeing the group caught up', async () => {
      const s = await nextCollection();
      return sum(s.offsets) === 0 && sum(s.seconds) === 0 ? s : undefined;
    });
    expect(recovered.page).toMatch(new RegExp(`weir_consumer_group_members\\{group="${groupId}"\\} 1`));
    await second.disconnect();

    // 4. A deleted group's series go.
    await admin.deleteGroups([groupId]);
    const gone = await waitFor('the deleted group\'s series removed', async () => {
      const s = await nextCollection();
      return s.offsets.size === 0 && s.seconds.size === 0 ? s : undefined;
    });
    expect(gone.page).not.toContain(`group="${groupId}"`);
  });

  it('counts a partition with no committed offset from the earliest offset', async () => {
    const kafka = testKafka('weir-test-lag');
    const topic = await createTestTopic({ prefix: 'lag_uncommitted', partitions: PARTITIONS });
    const groupId = uniqueGroupId('half_committed');
    const admin = await connectedAdmin(kafka);
    await produce(kafka, topic, 8, 0); // 4 per partition
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] });
    const exporter = await startExporter(groupId);
    const page = await (await fetch(`${exporter.url()}/metrics`)).text();
    expect(samples(page, 'weir_consumer_group_lag_offsets', { group: groupId, topic })).toEqual(new Map([['0', 1], ['1', 4]]));
  });

  it('reads the timestamp at an offset without joining a group, once per offset', async () => {
    const kafka = testKafka('weir-test-lag');
    const topic = await createTestTopic({ prefix: 'lag_ts', partitions: 1 });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // offsets must be exact: no duplicate on a retry
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const t0 = 1_700_000_000_000;
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 5 }, (_, i) => ({ value: `r${i}`, timestamp: String(t0 + i * 1_000) })) });
    const timestamps = new RecordTimestamps({ bootstrapBrokers: testBrokers(), clientId: 'weir-test-timestamps' });
    registerCleanup(() => timestamps.close());
    const at3 = { topic, partition: 0, offset: 3n, end: 5n };
    const atEnd = { topic, partition: 0, offset: 5n, end: 5n }; // nothing readable there yet
    const past = { topic, partition: 0, offset: 9n, end: 5n }; // out of range: the broker refuses
    const answers = await timestamps.timestamps([at3, atEnd, past]);
    expect(answers.get(recordKey(at3))).toBe(t0 + 3_000);
    expect(answers.get(recordKey(atEnd))).toBeUndefined();
    expect(answers.get(recordKey(past))).toBe('failed');
    const fetches = timestamps.fetches;
    expect((await timestamps.timestamps([at3])).get(recordKey(at3))).toBe(t0 + 3_000);
    expect(timestamps.fetches).toBe(fetches);
    const groups = (await (await connectedAdmin(kafka)).listGroups()).groups.map((g) => g.groupId);
    expect(groups.filter((g) => g.startsWith('weir-test-timestamps'))).toEqual([]);
  });

  it('shows 0 for a group past the last record of a transactional topic, where only markers are left', async () => {
    const kafka = testKafka('weir-test-lag');
    const topic = await createTestTopic({ prefix: 'lag_tx', partitions: 1 });
    const groupId = uniqueGroupId('tx_reader');
    const admin = await connectedAdmin(kafka);
    const producer = kafka.producer({ transactionalId: uniqueGroupId('tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const inTransaction = async (values: readonly string[], commit: boolean) => {
      const transaction = await producer.transaction();
      await transaction.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
      await (commit ? transaction.commit() : transaction.abort());
    };
    await inTransaction(['a', 'b', 'c'], true); // offsets 0-2, the commit marker at 3
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] }); // past the last record, as a consumer commits
    const start = async () => {
      const exporter = await startExporter(groupId);
      const page = await (await fetch(`${exporter.url()}/metrics`)).text();
      return { offsets: samples(page, 'weir_consumer_group_lag_offsets', { group: groupId, topic }), seconds: samples(page, 'weir_consumer_group_lag_seconds', { group: groupId, topic }) };
    };
    expect(await start()).toEqual({ offsets: new Map([['0', 0]]), seconds: new Map([['0', 0]]) });
    // An aborted transaction after it adds nothing to read either; a committed one does.
    await inTransaction(['x', 'y'], false);
    expect(await start()).toEqual({ offsets: new Map([['0', 0]]), seconds: new Map([['0', 0]]) });
    await inTransaction(['d'], true);
    const after = await start();
    expect(after.offsets.get('0')).toBeGreaterThan(0);
    expect(after.seconds.get('0')).toBeGreaterThanOrEqual(0);
  });
});
