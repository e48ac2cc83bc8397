/**
 * `weir dlq list`: the dead letters of one type (or of every type), filtered by reason and time,
 * newest last, each with its replay status from the ledger, and the count per reason.
 */
import { formatHelp, HELP_OPTION, parseCommand, usageError, type Command, type CommandContext } from '../command.ts';
import { HELP_ROWS, JSON_OPTION } from '../common-options.ts';
import { toDeadLetterRecord, type DeadLetterRecord } from '../dlq/dead-letter-record.ts';
import { checkFilter, checkType, commandKafka, deadLetterTopics, DLQ_HELP_ROWS, DLQ_OPTIONS } from '../dlq/dlq-options.ts';
import { describeFilter, matches } from '../dlq/filters.ts';
import { readTopic } from '../dlq/read-topic.ts';
import { describeEntry, readLedger, type LedgerEntry } from '../dlq/replay-ledger.ts';
import { textTable } from '../text-table.ts';

const OPTIONS = { ...HELP_OPTION, ...JSON_OPTION, ...DLQ_OPTIONS, limit: { type: 'string' } } as const;
const DEFAULT_LIMIT = 50;
const MESSAGE_CHARS = 80;

const help = (context: CommandContext) =>
  formatHelp({
    usage: `${context.path} [--type <type>] [filters] [options]`,
    description: [
      'Lists dead letters: where each is (<topic>/<partition>/<offset>, the name `show --at` takes), when and',
      'why it failed (reason code, stage, field, message), its event id, and whether `weir dlq replay` has',
      'run it again. Without --type, every weir.dlq.<type> topic. Shows the newest --limit matches per topic.',
    ],
    options: [
      ['--type <type>', 'Only this event type (weir.dlq.<type>)'],
      ...DLQ_HELP_ROWS,
      ['--limit <n>', `Show at most this many per topic, the newest (default ${DEFAULT_LIMIT})`],
      HELP_ROWS.json,
      HELP_ROWS.help,
    ],
    footer: ['Exit codes: 0 listed, 2 usage error or Kafka unreachable.'],
  });

interface TopicListing {
  readonly type: string;
  readonly topic: string;
  readonly total: number;
  readonly matched: number;
  readonly byReason: Record<string, number>;
  readonly shown: readonly DeadLetterRecord[];
}

export const dlqListCommand: Command = {
  name: 'list',
  summary: 'List dead letters with their reasons and replay status',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(help(context));
      return 0;
    }
    const type = checkType(context, values.type, false);
    const filter = checkFilter(context, values, Date.now());
    const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
    if (!Number.isSafeInteger(limit) || limit < 1) throw usageError(context, `--limit ${JSON.stringify(values.limit)} must be a whole number of at least 1`);
    const kafka = commandKafka(context, values.brokers);

    const topics = await deadLetterTopics(kafka, type);
    const ledger = await readLedger(kafka);
    const listings: TopicListing[] = [];
    for (const { type: topicType, topic } of topics) {
      const listing = { type: topicType, topic, total: 0, matched: 0, byReason: {} as Record<string, number>, shown: [] as DeadLetterRecord[] };
      await readTopic(kafka, topic, {
        onRecords: (partition, messages) => {
          for (const message of messages) {
            listing.total++;
            const record = toDeadLetterRecord(topic, partition, message);
            if (!matches(filter, record)) continue;
            listing.matched++;
            listing.byReason[record.reason] = (listing.byReason[record.reason] ?? 0) + 1;
            listing.shown.push(record);
            // Newest by dead-letter time: keep the list bounded while reading.
            if (listing.shown.length > limit * 2) listing.shown.splice(0, listing.shown.length, ...newest(listing.shown, limit));
          }
        },
      });
      listings.push({ ...listing, shown: newest(listing.shown, limit) });
    }

    if (values.json === true) {
      context.stdout.write(`${JSON.stringify({ filter: describeFilter(filter), topics: listings.map((l) => toJson(l, ledger)) }, null, 2)}\n`);
      return 0;
    }
    context.stdout.write(`${render(listings, ledger, describeFilter(filter), type).join('\n')}\n`);
    return 0;
  },
};

function newest(records: readonly DeadLetterRecord[], limit: number): DeadLetterRecord[] {
  return [...records].sort((a, b) => (a.deadLetteredAt ?? 0) - (b.deadLetteredAt ?? 0)).slice(-limit);
}

function render(listings: readonly TopicListing[], ledger: ReadonlyMap<string, LedgerEntry>, filter: string, type: string | undefined): string[] {
  if (listings.length === 0) return [type === undefined ? 'No dead-letter topics (weir.dlq.<type>) on this cluster.' : `No dead-letter topic weir.dlq.${type}: nothing of type ${type} has failed yet.`];
  const out: string[] = [];
  for (const l of listings) {
    if (out.length > 0) out.push('');
    const reasons = Object.entries(l.byReason).sort(([, a], [, b]) => b - a).map(([r, n]) => `${r} ${n}`).join(', ');
    out.push(`${l.topic}: ${l.total} dead letter(s), ${l.matched} matching (${filter})${reasons === '' ? '' : `; by reason: ${reasons}`}`);
    if (l.shown.length === 0) continue;
    if (l.shown.length < l.matched) out.push(`showing the newest ${l.shown.length}; --limit shows more`);
    out.push('', ...textTable(
      ['AT', 'DEAD-LETTERED', 'REASON', 'STAGE', 'FIELD', 'EVENT ID', 'REPLAY', 'MESSAGE'],
      l.shown.map((r) => [r.coordinates, timeText(r.deadLetteredAt), r.reason, r.stage, r.field || '-', r.eventId || '-', describeEntry(ledger.get(r.coordinates)), clip(r.message)]),
    ));
  }
  return out;
}

function toJson(l: TopicListing, ledger: ReadonlyMap<string, LedgerEntry>) {
  return {
    type: l.type,
    topic: l.topic,
    total: l.total,
    matched: l.matched,
    byReason: l.byReason,
    records: l.shown.map((r) => ({
      at: r.coordinates,
      partition: r.partition,
      offset: r.offset,
      deadLetteredAt: r.deadLetteredAt === undefined ? null : new Date(r.deadLetteredAt).toISOString(),
      reason: r.reason,
      stage: r.stage,
      field: r.field,
      message: r.message,
      eventId: r.eventId,
      attempts: r.attempts,
      source: { topic: r.sourceTopic, partition: r.sourcePartition, offset: r.sourceOffset },
      replay: ledger.get(r.coordinates) ?? null,
    })),
  };
}

export function timeText(at: number | undefined): string {
  return at === undefined ? '-' : new Date(at).toISOString();
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= MESSAGE_CHARS ? line : `${line.slice(0, MESSAGE_CHARS - 1)}…`;
}
