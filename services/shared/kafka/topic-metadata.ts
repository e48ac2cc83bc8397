/**
 * A topic just made may not be announced by every broker yet: its metadata then answers
 * UNKNOWN_TOPIC_OR_PARTITION (retriable), which kafkajs's admin does not retry, neither in
 * fetchTopicMetadata nor in createTopics' waitForLeaders. These helpers retry it, so services that
 * make their own topics start reliably.
 */
import type { Admin, ITopicConfig } from 'kafkajs';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The topic's partition count, retrying a retriable metadata error for up to `timeoutMs`. */
export async function partitionCount(admin: Admin, topic: string, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(1_000, delay * 2)) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      return metadata.topics[0]?.partitions.length ?? 0;
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}

/** Creates the topics that are missing, then waits until their metadata shows every partition; true when it created any. */
export async function createTopicsAndWait(admin: Admin, topics: readonly ITopicConfig[], timeoutMs = 15_000): Promise<boolean> {
  if (topics.length === 0) return false;
  const created = await admin.createTopics({ topics: [...topics], waitForLeaders: false });
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    const want = topic.numPartitions ?? 1;
    for (let delay = 50; (await partitionCount(admin, topic.topic, Math.max(1, deadline - Date.now()))) < want; delay = Math.min(1_000, delay * 2)) {
      if (Date.now() + delay > deadline) throw new Error(`topic ${topic.topic} was created but its ${want} partition(s) did not appear in the metadata within ${timeoutMs} ms`);
      await sleep(delay);
    }
  }
  return created;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** A compacted topic (the registry's, the replay ledger): the newest record per key is kept. */
  readonly compact?: boolean;
}

/**
 * Makes those of `specs` that do not exist yet, replicated as every topic weir makes: three copies
 * where the cluster has three brokers (fewer on a smaller one), writes acknowledged by two. Waits
 * until their metadata shows every partition. Returns the topics it made, and the replication.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<{ created: string[]; replicationFactor: number }> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return { created: [], replicationFactor: 0 };
  const replicationFactor = Math.min(3, (await admin.describeCluster()).brokers.length);
  const configEntries = (compact: boolean) => [
    { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
    ...(compact ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
  ];
  // Another instance may make one at the same time: kafkajs answers false for those, not an error.
  await createTopicsAndWait(admin, missing.map((s) => ({ topic: s.topic, numPartitions: s.partitions, replicationFactor, configEntries: configEntries(s.compact === true) })));
  return { created: missing.map((s) => s.topic), replicationFactor };
}
