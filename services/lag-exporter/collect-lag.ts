/**
 * One collection: every wanted group's lag on every partition it reads, in offsets and seconds.
 * Topic offsets are read once per topic per collection, however many groups read it.
 */
import type { Admin } from 'kafkajs';
import { readGroups, readTopicOffsets, type GroupFilter, type ReadFailure } from './group-offsets.ts';
import { lagOffsets, lagSeconds, positionOf, type PartitionOffsets } from './lag-arithmetic.ts';
import { recordKey, type RecordAt, type RecordTimestamps } from './record-timestamps.ts';

export interface PartitionLag {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly lagOffsets: number;
  /** Undefined when the record's timestamp could not be fetched this time: the last value stands. */
  readonly lagSeconds: number | undefined;
}

export interface LagReport {
  readonly groups: readonly { readonly groupId: string; readonly state: string; readonly members: number }[];
  readonly partitions: readonly PartitionLag[];
  /** Groups listed but not (fully) read this time. */
  readonly unread: ReadonlySet<string>;
  readonly failures: readonly ReadFailure[];
}

export interface CollectDeps {
  readonly admin: Admin;
  readonly timestamps: Pick<RecordTimestamps, 'timestamps' | 'retain'>;
  readonly filter: GroupFilter;
  readonly now: () => number;
}

export async function collectLag(deps: CollectDeps): Promise<LagReport> {
  const failures: ReadFailure[] = [];
  const topicOffsets = new Map<string, Promise<ReadonlyMap<number, PartitionOffsets> | undefined>>();
  const offsetsOf = (topic: string) => {
    let answer = topicOffsets.get(topic);
    if (answer === undefined) {
      answer = readTopicOffsets(deps.admin, topic).catch((error: unknown) => {
        failures.push({ stage: 'topic_offsets', error, topic });
        return undefined;
      });
      topicOffsets.set(topic, answer);
    }
    return answer;
  };
  const cluster = await readGroups(deps.admin, deps.filter, offsetsOf);
  failures.push(...cluster.failures);

  const rows: { groupId: string; topic: string; partition: number; lag: number; at: RecordAt | undefined }[] = [];
  for (const group of cluster.groups) {
    for (const { topic, partition, committed } of group.partitions) {
      const offsets = (await offsetsOf(topic))?.get(partition);
      if (offsets === undefined) continue;
      const position = positionOf(committed, offsets);
      const lag = lagOffsets(position, offsets);
      rows.push({ groupId: group.groupId, topic, partition, lag, at: lag > 0 ? { topic, partition, offset: position, end: offsets.high } : undefined });
    }
  }
  const wanted = rows.flatMap((r) => (r.at === undefined ? [] : [r.at]));
  const answers = await deps.timestamps.timestamps(wanted);
  deps.timestamps.retain(new Set(wanted.map(recordKey)));
  if ([...answers.values()].includes('failed')) failures.push({ stage: 'timestamps', error: new Error('some record timestamps could not be fetched') });
  const now = deps.now();
  const partitions = rows.map(({ groupId, topic, partition, lag, at }): PartitionLag => {
    const answer = at === undefined ? undefined : answers.get(recordKey(at));
    if (answer === 'none') return { groupId, topic, partition, lagOffsets: 0, lagSeconds: 0 }; // only markers or aborted records left
    return { groupId, topic, partition, lagOffsets: lag, lagSeconds: answer === 'failed' ? undefined : lagSeconds(lag, answer, now) };
  });
  return { groups: cluster.groups.map(({ groupId, state, members }) => ({ groupId, state, members })), partitions, unread: cluster.unread, failures };
}
