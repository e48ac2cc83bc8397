/**
 * kafkajs against the real broker: an idempotent acks=-1 producer, a consumer group that joins,
 * consumes and commits, and a second consumer of the same group that resumes exactly at the
 * committed offsets after the first one left.
 */
import { describe, expect, it } from 'vitest';
import type { Consumer, Kafka } from 'kafkajs';
import { registerCleanup } from '../../../harness/cleanup.ts';
import { connectedAdmin, createTestTopic, testKafka, uniqueGroupId } from '../../../harness/kafka.ts';
import { waitFor } from '../../../harness/wait-for.ts';

interface Received {
  values: string[];
  joins: { memberId: string; isLeader: boolean }[];
}

/** A group member that commits each batch's offsets itself, after its work is done. */
async function startMember(kafka: Kafka, groupId: string, topic: string): Promise<{ consumer: Consumer; received: Received }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const received: Received = { values: [], joins: [] };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => received.joins.push({ memberId: payload.memberId, isLeader: payload.isLeader }));
  await consumer.connect();
  registerCleanup(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const message of batch.messages) {
        received.values.push(message.value?.toString() ?? '');
        resolveOffset(message.offset);
      }
      const last = batch.messages.at(-1);
      if (last) {
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
      }
      await heartbeat();
    },
  });
  return { consumer, received };
}

describe('kafkajs round trip through the local broker', () => {
  it('produces with acks=-1, consumes in a group, and resumes from committed offsets after a restart', async () => {
    const kafka = testKafka();
    const topic = await createTestTopic({ partitions: 3, prefix: 'round_trip' });
    const groupId = uniqueGroupId('round_trip');
    const admin = await connectedAdmin(kafka);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const first = Array.from({ length: 30 }, (_, i) => `first-${i}`);
    await producer.send({ topic, acks: -1, messages: first.map((value, i) => ({ key: `user-${i % 7}`, value })) });

    const one = await startMember(kafka, groupId, topic);
    await waitFor('the first member to read all 30 messages', () => one.received.values.length >= 30);
    expect(one.received.values.sort()).toEqual([...first].sort());
    expect(one.received.joins).toHaveLength(1);
    expect(one.received.joins[0]?.isLeader).toBe(true);

    const committed = await waitFor('all 30 offsets to be committed', async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const total = offsets?.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) ?? 0;
      return total === 30 ? offsets : undefined;
    });
    expect(committed.partitions).toHaveLength(3);
    await one.consumer.disconnect(); // leaves the group

    const second = Array.from({ length: 10 }, (_, i) => `second-${i}`);
    await producer.send({ topic, acks: -1, messages: second.map((value, i) => ({ key: `user-${i % 7}`, value })) });

    // fromBeginning would replay all 40 messages if the group's offsets had not survived.
    const two = await startMember(kafka, groupId, topic);
    await waitFor('the restarted member to read the 10 new messages', () => two.received.values.length >= 10);
    expect(two.received.values.sort()).toEqual([...second].sort());
    expect(two.received.joins[0]?.memberId).not.toBe(one.received.joins[0]?.memberId);
  });
});
