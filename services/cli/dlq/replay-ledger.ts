/**
 * The replay ledger: a compacted topic, `weir.dlq-replays`, saying what became of each dead letter
 * that `weir dlq replay` ran again. Key: the dead letter's `<topic>/<partition>/<offset>`; value:
 * JSON `{"outcome":"clean"|"failed"|"dropped","reason"?,"message"?,"at":<epoch ms>}`.
 *
 * An entry is written in the same Kafka transaction as the clean record it stands for, so "clean"
 * in the ledger and the record in the clean topic exist together or not at all; a replay skips
 * what the ledger says is clean, which makes running it again harmless. The dead-letter topic
 * itself is never rewritten. The name cannot clash with a type's `weir.dlq.<type>`.
 */
import type { Kafka, Message } from 'kafkajs';
import { readTopic, topicExists } from './read-topic.ts';
import { ensureTopics } from '../../shared/kafka/topic-metadata.ts';

export const REPLAY_LEDGER_TOPIC = 'weir.dlq-replays';

export type ReplayOutcome = 'clean' | 'failed' | 'dropped';

export interface LedgerEntry {
  readonly outcome: ReplayOutcome;
  /** The reason code it still fails or is dropped with. */
  readonly reason?: string;
  readonly message?: string;
  readonly at: number;
}

export async function ensureLedgerTopic(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic: REPLAY_LEDGER_TOPIC, partitions: 1, compact: true }]);
  } finally {
    await admin.disconnect();
  }
}

/** The newest entry per dead letter of `dlqTopic` (every topic when undefined); empty when there is no ledger yet. */
export async function readLedger(kafka: Kafka, dlqTopic?: string): Promise<Map<string, LedgerEntry>> {
  const entries = new Map<string, LedgerEntry>();
  if (!(await topicExists(kafka, REPLAY_LEDGER_TOPIC))) return entries;
  const prefix = dlqTopic === undefined ? '' : `${dlqTopic}/`;
  await readTopic(kafka, REPLAY_LEDGER_TOPIC, {
    onRecords: (_partition, records) => {
      for (const record of records) {
        const key = record.key?.toString() ?? '';
        const entry = parseEntry(record.value);
        if (key.startsWith(prefix) && entry !== undefined) entries.set(key, entry);
      }
    },
  });
  return entries;
}

export function ledgerMessage(coordinates: string, entry: LedgerEntry): Message {
  return { key: coordinates, value: JSON.stringify(entry) };
}

function parseEntry(value: Buffer | null): LedgerEntry | undefined {
  if (value === null) return undefined;
  try {
    const json = JSON.parse(value.toString()) as Partial<LedgerEntry>;
    if ((json.outcome === 'clean' || json.outcome === 'failed' || json.outcome === 'dropped') && typeof json.at === 'number') return json as LedgerEntry;
  } catch {
    // Not written by weir: ignored, like an absent entry.
  }
  return undefined;
}

/** How `list` and `show` print an entry: "pending", "clean", "failed again: out_of_range". */
export function describeEntry(entry: LedgerEntry | undefined): string {
  if (entry === undefined) return 'pending';
  if (entry.outcome === 'clean') return 'replayed: clean';
  return `replayed: ${entry.outcome === 'failed' ? 'failed again' : 'dropped'} (${entry.reason ?? '?'})`;
}
