/**
 * The three-node mode: a topic with replication factor 3 and min.insync.replicas 2 keeps every
 * message acknowledged with acks=-1 when its partition leader is killed outright.
 */
import { describe, expect, it } from 'vitest';
import { startLocalKafka } from '../../../../deploy/local/kafka/local-kafka.ts';
import { createKafka } from '../../../../services/shared/kafka/client.ts';
import { registerCleanup } from '../../../harness/cleanup.ts';
import { uniqueGroupId } from '../../../harness/kafka.ts';
import { uniqueName } from '../../../harness/unique.ts';
import { waitFor } from '../../../harness/wait-for.ts';

describe('three-broker cluster', () => {
  it('loses no acks=-1 message when the partition leader is SIGKILLed', async () => {
    const cluster = await startLocalKafka({ nodes: 3, heapMb: 384 });
    registerCleanup(() => cluster.stop());
    expect(cluster.brokers).toHaveLength(3);
    const kafka = createKafka({ brokers: cluster.brokers, clientId: 'cluster-test', retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 3_000 } });
    const admin = kafka.admin();
    await admin.connect();
    registerCleanup(() => admin.disconnect());

    const topic = uniqueName('replicated');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
    const fullIsr = await waitFor('all three replicas in sync', async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partition = topics[0]?.partitions[0];
      return partition && partition.isr.length === 3 ? partition : undefined;
    });
    expect(fullIsr.replicas).toHaveLength(3);
    const [config] = (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['min.insync.replicas'] }] })).resources;
    expect(config?.configEntries[0]?.configValue).toBe('2');

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    registerCleanup(() => producer.disconnect());
    const acknowledged: string[] = [];
    const send = async (value: string): Promise<void> => {
      await producer.send({ topic, acks: -1, messages: [{ key: value, value }] });
      acknowledged.push(value);
    };

    for (let i = 0; i < 50; i++) await send(`before-${i}`);
    const leader = cluster.nodes.find((n) => n.nodeId === fullIsr.leader);
    expect(leader?.running).toBe(true);
    await leader!.kill();
    expect(leader!.running).toBe(false);
    for (let i = 0; i < 50; i++) await send(`after-${i}`);

    const survivors = await waitFor('a new leader with two replicas in sync', async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partition = topics[0]?.partitions[0];
      return partition && partition.leader !== fullIsr.leader && partition.isr.length === 2 ? partition : undefined;
    });
    expect(survivors.isr).not.toContain(fullIsr.leader);

    const consumer = kafka.consumer({ groupId: uniqueGroupId('cluster') });
    await consumer.connect();
    registerCleanup(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const read: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void read.push(message.value?.toString() ?? '') });
    await waitFor('every acknowledged message to be read back', () => read.length >= acknowledged.length);
    expect(acknowledged).toHaveLength(100);
    expect(read.sort()).toEqual([...acknowledged].sort());

    await leader!.restart();
    await waitFor('the restarted node back in the ISR', async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]?.partitions[0]?.isr.length === 3;
    });
  });
});
