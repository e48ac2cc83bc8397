/**
 * What the cluster says about its consumer groups, through the kafkajs admin API: every group
 * (listGroups), each one's state and members (describeGroups), its committed offsets
 * (fetchOffsets), and the low and end offsets of every topic it reads (fetchTopicOffsets). A group
 * need not be running to be seen: a stopped group keeps its committed offsets, and that is when
 * its lag grows.
 *
 * The topics of a group are those it has committed offsets on, plus those its members are
 * assigned (consumer protocol), so a group that has not committed yet is seen too. Every
 * partition of such a topic counts; one without a committed offset has `committed` undefined.
 */
import { AssignerProtocol, type Admin } from 'kafkajs';
import type { PartitionOffsets } from './lag-arithmetic.ts';

export interface GroupPartition {
  readonly topic: string;
  readonly partition: number;
  readonly committed: bigint | undefined;
}

export interface GroupSnapshot {
  readonly groupId: string;
  readonly state: string;
  readonly members: number;
  readonly partitions: readonly GroupPartition[];
}

export interface GroupFilter {
  readonly include: RegExp;
  readonly exclude: RegExp;
}

export type Stage = 'list_groups' | 'describe_groups' | 'fetch_offsets' | 'topic_offsets' | 'timestamps';

export interface ReadFailure {
  readonly stage: Stage;
  readonly error: unknown;
  /** The group or topic it concerns, when it concerns one. */
  readonly groupId?: string;
  readonly topic?: string;
}

export interface ClusterGroups {
  readonly groups: readonly GroupSnapshot[];
  /** Groups that were listed but could not be read this time: keep what was known of them. */
  readonly unread: ReadonlySet<string>;
  readonly failures: readonly ReadFailure[];
}

export const wantedGroup = (filter: GroupFilter, groupId: string): boolean => filter.include.test(groupId) && !filter.exclude.test(groupId);

/** Every wanted group's state, members and committed offsets. Throws only when the group list itself cannot be read. */
export async function readGroups(admin: Admin, filter: GroupFilter, topicOffsets: (topic: string) => Promise<ReadonlyMap<number, PartitionOffsets> | undefined>): Promise<ClusterGroups> {
  const failures: ReadFailure[] = [];
  const listed = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => wantedGroup(filter, id)).sort();
  const unread = new Set<string>();
  const described = new Map<string, { state: string; members: number; assigned: Set<string> }>();
  if (listed.length > 0) {
    try {
      for (const g of (await admin.describeGroups(listed)).groups) {
        described.set(g.groupId, { state: g.state, members: g.members.length, assigned: g.protocolType === 'consumer' ? assignedTopics(g.members) : new Set() });
      }
    } catch (error) {
      failures.push({ stage: 'describe_groups', error });
    }
  }
  const groups: GroupSnapshot[] = [];
  for (const groupId of listed) {
    const description = described.get(groupId);
    if (description === undefined) {
      unread.add(groupId);
      continue;
    }
    let committed: Map<string, Map<number, bigint>>;
    try {
      const answer = await admin.fetchOffsets({ groupId });
      committed = new Map(answer.map(({ topic, partitions }) => [topic, new Map(partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, BigInt(p.offset)]))]));
    } catch (error) {
      failures.push({ stage: 'fetch_offsets', error, groupId });
      unread.add(groupId);
      continue;
    }
    const topics = [...new Set([...committed.keys(), ...description.assigned])].sort();
    const partitions: GroupPartition[] = [];
    let complete = true;
    for (const topic of topics) {
      const offsets = await topicOffsets(topic);
      if (offsets === undefined) {
        complete = false; // the topic could not be read (deleted, or its leader is away): its series stay as they were
        continue;
      }
      const byPartition = committed.get(topic);
      for (const partition of [...offsets.keys()].sort((a, b) => a - b)) partitions.push({ topic, partition, committed: byPartition?.get(partition) });
    }
    if (!complete) unread.add(groupId);
    groups.push({ groupId, state: description.state, members: description.members, partitions });
  }
  return { groups, unread, failures };
}

/** Topics assigned to a consumer-protocol group's members; members whose assignment does not decode add none. */
function assignedTopics(members: readonly { memberAssignment: Buffer }[]): Set<string> {
  const topics = new Set<string>();
  for (const member of members) {
    if (member.memberAssignment.length === 0) continue;
    try {
      for (const topic of Object.keys(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {})) topics.add(topic);
    } catch {
      // Not the consumer protocol's format after all: only committed offsets tell its topics.
    }
  }
  return topics;
}

/** Low and end offsets of a topic, per partition. */
export async function readTopicOffsets(admin: Admin, topic: string): Promise<Map<number, PartitionOffsets>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
}
