/**
 * `weir dlq replay`: runs the dead letters of one type through the pipeline as it is now (after a
 * schema or rule fix), with the processor's own per-record function. A record that now passes is
 * published to the clean topic, on the partition it came from, together with its ledger entry in
 * one Kafka transaction per fetched batch; one that still fails stays where it is, and its ledger
 * entry says why. The ledger makes a replay idempotent: what it says is clean is skipped. Replays
 * of one type share the transactional id `weir-dlq-replay.<type>`, so a second one fences the
 * first before reading the ledger, and never publishes what the first did.
 *
 * Records dead-lettered as `duplicate` are skipped unless asked for by `--reason duplicate`: run
 * again without the duplicate cache they would pass, and be counted twice downstream.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import type { Pipeline } from '../../processor/pipeline/pipeline.ts';
import { DUPLICATE } from '../../processor/pipeline/process-result.ts';
import { processRecord, ResolverCache } from '../../processor/process-record.ts';
import type { WriterSchemas } from '../../processor/writer-schemas.ts';
import { toDeadLetterRecord, type DeadLetterRecord } from './dead-letter-record.ts';
import { matches, type DeadLetterFilter } from './filters.ts';
import { readTopic } from './read-topic.ts';
import { ensureLedgerTopic, ledgerMessage, readLedger, REPLAY_LEDGER_TOPIC, type LedgerEntry } from './replay-ledger.ts';

export const REPLAYED_FROM_HEADER = 'weir-replayed-from';

export interface ReplayDeps {
  readonly kafka: Kafka;
  readonly pipeline: Pipeline;
  readonly outputSchemaId: number;
  readonly writerSchemas: WriterSchemas;
  readonly secrets: (name: string) => string | undefined;
  readonly filter: DeadLetterFilter;
  /** Run the pipeline and count, but write nothing. */
  readonly dryRun: boolean;
  readonly now: () => number;
  readonly onStart?: (offsets: bigint) => void;
  readonly onProgress?: (scanned: number) => void;
}

export interface StillFailing {
  readonly coordinates: string;
  readonly eventId: string;
  readonly reason: string;
  readonly message: string;
}

export interface ReplaySummary {
  readonly deadLetterTopic: string;
  /** Dead letters read. */
  scanned: number;
  /** Of those, matching the filters. */
  matched: number;
  /** Matching, but already replayed to the clean topic: skipped. */
  alreadyClean: number;
  /** Matching `duplicate` records skipped (not asked for by --reason). */
  duplicatesSkipped: number;
  /** Now passing: published to the clean topic (or, on a dry run, would be). */
  clean: number;
  /** Still failing, by reason code. */
  failed: Record<string, number>;
  /** Dropped by the pipeline's dead-letter policy, by reason code. */
  dropped: Record<string, number>;
  /** The first few still failing, for the report. */
  failures: StillFailing[];
}

const FAILURES_KEPT = 10;

export async function replayDeadLetters(deps: ReplayDeps): Promise<ReplaySummary> {
  const { kafka, pipeline } = deps;
  const summary: ReplaySummary = {
    deadLetterTopic: pipeline.topics.deadLetter,
    scanned: 0, matched: 0, alreadyClean: 0, duplicatesSkipped: 0, clean: 0, failed: {}, dropped: {}, failures: [],
  };
  const includeDuplicates = deps.filter.reasons?.has(DUPLICATE) === true;
  let producer: Producer | undefined;
  try {
    if (!deps.dryRun) {
      await ensureLedgerTopic(kafka);
      producer = kafka.producer({ transactionalId: `weir-dlq-replay.${pipeline.type}`, idempotent: true, maxInFlightRequests: 1 });
      await producer.connect(); // fences an earlier replay of this type before the ledger is read
    }
    const ledger = await readLedger(kafka, pipeline.topics.deadLetter);
    const resolvers = new ResolverCache(pipeline.readerType);

    await readTopic(kafka, pipeline.topics.deadLetter, {
      ...(deps.onStart === undefined ? {} : { onStart: deps.onStart }),
      onRecords: async (partition, messages) => {
        const clean: Message[] = [];
        const entries: Array<[DeadLetterRecord, LedgerEntry]> = [];
        for (const message of messages) {
          summary.scanned++;
          const record = toDeadLetterRecord(pipeline.topics.deadLetter, partition, message);
          if (!matches(deps.filter, record)) continue;
          summary.matched++;
          if (ledger.get(record.coordinates)?.outcome === 'clean') {
            summary.alreadyClean++;
            continue;
          }
          if (record.reason === DUPLICATE && !includeDuplicates) {
            summary.duplicatesSkipped++;
            continue;
          }
          const now = deps.now();
          const outcome = await processRecord(
            {
              topic: record.sourceTopic || pipeline.topics.raw,
              partition,
              offset: record.sourceOffset || record.offset,
              key: record.key,
              value: record.value,
              headers: { ...record.originalHeaders, [REPLAYED_FROM_HEADER]: record.coordinates },
              timestamp: record.timestamp,
            },
            { pipeline, outputSchemaId: deps.outputSchemaId, writerSchemas: deps.writerSchemas, resolvers, dedup: undefined, secrets: deps.secrets, now },
          );
          if (outcome.kind === 'clean') {
            clean.push({ ...outcome.message, partition });
            entries.push([record, { outcome: 'clean', at: now }]);
          } else {
            const message = outcome.kind === 'dlq' ? String(outcome.message.headers?.['weir-dlq-message'] ?? '') : '';
            entries.push([record, { outcome: outcome.kind === 'dlq' ? 'failed' : 'dropped', reason: outcome.reason, message, at: now }]);
          }
        }
        if (producer !== undefined && entries.length > 0) await commit(producer, pipeline.topics.clean, clean, entries);
        for (const [record, entry] of entries) count(summary, record, entry);
        deps.onProgress?.(summary.scanned);
      },
    });
  } finally {
    await producer?.disconnect().catch(() => undefined);
  }
  return summary;
}

async function commit(producer: Producer, cleanTopic: string, clean: Message[], entries: ReadonlyArray<[DeadLetterRecord, LedgerEntry]>): Promise<void> {
  const transaction = await producer.transaction();
  try {
    if (clean.length > 0) await transaction.send({ topic: cleanTopic, messages: clean, acks: -1 });
    await transaction.send({ topic: REPLAY_LEDGER_TOPIC, messages: entries.map(([record, entry]) => ledgerMessage(record.coordinates, entry)), acks: -1 });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
}

function count(summary: ReplaySummary, record: DeadLetterRecord, entry: LedgerEntry): void {
  if (entry.outcome === 'clean') {
    summary.clean++;
    return;
  }
  const reason = entry.reason ?? 'unknown';
  const tally = entry.outcome === 'failed' ? summary.failed : summary.dropped;
  tally[reason] = (tally[reason] ?? 0) + 1;
  if (entry.outcome === 'failed' && summary.failures.length < FAILURES_KEPT) {
    summary.failures.push({ coordinates: record.coordinates, eventId: record.eventId, reason, message: entry.message ?? '' });
  }
}
