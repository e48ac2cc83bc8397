/**
 * `weir dlq show --at <topic>/<partition>/<offset>`: one dead letter in full: why it failed, where
 * it came from, its headers, key, and value, decoded with the schema it was written with when its
 * bytes allow (else shown as hex), and what a replay made of it.
 */
import { decodeFrame } from '../../shared/avro/wire-format.ts';
import { messageOf } from '../../shared/errors.ts';
import { topicsOf } from '../../processor/pipeline/pipeline.ts';
import { fetchSchemaByIdFrom, WriterSchemas } from '../../processor/writer-schemas.ts';
import { formatHelp, HELP_OPTION, parseCommand, usageError, type Command, type CommandContext } from '../command.ts';
import { BROKERS_HELP_ROW, HELP_ROWS, JSON_OPTION, REGISTRY_URL_OPTION, resolveRegistryUrl } from '../common-options.ts';
import { coordinatesOf, toDeadLetterRecord, type DeadLetterRecord } from '../dlq/dead-letter-record.ts';
import { checkType, commandKafka, DLQ_OPTIONS, TYPE_HELP_ROW } from '../dlq/dlq-options.ts';
import { readTopic, topicExists, topicRanges } from '../dlq/read-topic.ts';
import { describeEntry, readLedger } from '../dlq/replay-ledger.ts';
import { timeText } from './dlq-list.ts';

const OPTIONS = { ...HELP_OPTION, ...JSON_OPTION, ...REGISTRY_URL_OPTION, brokers: DLQ_OPTIONS.brokers, type: DLQ_OPTIONS.type, at: { type: 'string' } } as const;
const HEX_PREVIEW_BYTES = 256;

const help = (context: CommandContext) =>
  formatHelp({
    usage: `${context.path} --at <topic>/<partition>/<offset> [options]`,
    description: [
      'Shows one dead letter in full: reason, stage, field and message; the raw topic, partition and offset it',
      'came from; every header; the key; the value decoded with the schema it was written with (hex when its',
      'bytes do not decode); and its replay status. `weir dlq list` prints the --at of each dead letter.',
    ],
    options: [
      ['--at <where>', '<topic>/<partition>/<offset> as `list` prints it, or <partition>/<offset> with --type'],
      TYPE_HELP_ROW,
      BROKERS_HELP_ROW,
      HELP_ROWS.registryUrl,
      HELP_ROWS.json,
      HELP_ROWS.help,
    ],
    footer: ['Exit codes: 0 shown, 1 no record there, 2 usage error or Kafka unreachable.'],
  });

export const dlqShowCommand: Command = {
  name: 'show',
  summary: 'Show one dead letter in full, its value decoded',
  async run(argv, context) {
    const values = parseCommand(context, argv, OPTIONS);
    if (values.help === true) {
      context.stdout.write(help(context));
      return 0;
    }
    const { topic, partition, offset } = parseAt(context, values.at, checkType(context, values.type, false));
    const registryUrl = resolveRegistryUrl(context, values['registry-url']);
    const kafka = commandKafka(context, values.brokers);

    let record: DeadLetterRecord | undefined;
    const range = (await topicExists(kafka, topic)) ? (await topicRanges(kafka, topic)).get(partition) : undefined;
    if (range !== undefined && offset >= range.from && offset < range.to) {
      await readTopic(kafka, topic, {
        ranges: new Map([[partition, { from: offset, to: offset + 1n }]]),
        onRecords: (p, messages) => {
          const message = messages.find((m) => BigInt(m.offset) === offset);
          if (message !== undefined) record = toDeadLetterRecord(topic, p, message);
        },
      });
    }
    if (record === undefined) {
      context.stderr.write(`${context.path}: no record at ${coordinatesOf(topic, partition, offset.toString())} (a transaction marker, an offset out of range, or no such topic or partition); \`weir dlq list\` prints where the dead letters are\n`);
      return 1;
    }
    const replay = (await readLedger(kafka, topic)).get(record.coordinates);
    const value = await describeValue(record.value, registryUrl);

    if (values.json === true) {
      const { key, value: _bytes, originalHeaders: _original, ...rest } = record;
      context.stdout.write(`${JSON.stringify({ ...rest, key: key?.toString() ?? null, value, replay: replay ?? null }, null, 2)}\n`);
      return 0;
    }
    const rows: Array<[string, string]> = [
      ['dead-lettered', `${timeText(record.deadLetteredAt)} (attempt ${record.attempts})`],
      ['reason', record.reason || '-'],
      ['stage', record.stage || '-'],
      ['field', record.field || '-'],
      ['message', record.message || '-'],
      ['source', `${record.sourceTopic || '?'} partition ${record.sourcePartition || '?'} offset ${record.sourceOffset || '?'}`],
      ['event id', record.eventId || '-'],
      ['key', record.key === null ? '(none)' : JSON.stringify(record.key.toString())],
      ['timestamp', timeText(Number(record.timestamp))],
      ['replay', describeEntry(replay)],
    ];
    const out = [record.coordinates, ...rows.map(([k, v]) => `  ${k.padEnd(14)}${v}`), '', 'headers:'];
    out.push(...Object.entries(record.headers).map(([k, v]) => `  ${k}: ${v}`));
    out.push('', `value: ${value.summary}`);
    if (value.decoded !== undefined) out.push(...JSON.stringify(value.decoded, bufferAsHex, 2).split('\n').map((l) => `  ${l}`));
    if (value.hex !== undefined) out.push(`  ${value.hex}`);
    context.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};

function parseAt(context: CommandContext, at: string | undefined, type: string | undefined): { topic: string; partition: number; offset: bigint } {
  if (at === undefined) throw usageError(context, '--at is required: <topic>/<partition>/<offset>, as `weir dlq list` prints it');
  const parts = at.split('/');
  const [topic, partitionText, offsetText] = parts.length === 3 ? parts : type !== undefined && parts.length === 2 ? [topicsOf(type).deadLetter, ...parts] : [];
  if (topic === undefined || partitionText === undefined || offsetText === undefined || !/^\d{1,9}$/.test(partitionText) || !/^\d{1,19}$/.test(offsetText)) {
    throw usageError(context, `--at ${JSON.stringify(at)} must be <topic>/<partition>/<offset> such as weir.dlq.purchase/0/42${type === undefined ? '' : ', or <partition>/<offset> with --type'}`);
  }
  if (type !== undefined && topic !== topicsOf(type).deadLetter) throw usageError(context, `--at names ${topic}, but --type ${type} reads ${topicsOf(type).deadLetter}`);
  return { topic, partition: Number(partitionText), offset: BigInt(offsetText) };
}

interface DescribedValue {
  readonly summary: string;
  readonly decoded?: unknown;
  readonly hex?: string;
}

async function describeValue(value: Buffer | null, registryUrl: string): Promise<DescribedValue> {
  if (value === null) return { summary: 'none (a tombstone)' };
  const hex = (why: string): DescribedValue => ({
    summary: `${value.length} bytes, ${why}; the first ${Math.min(value.length, HEX_PREVIEW_BYTES)} in hex`,
    hex: value.subarray(0, HEX_PREVIEW_BYTES).toString('hex'),
  });
  let frame;
  try {
    frame = decodeFrame(value);
  } catch (error) {
    return hex(`not a Confluent frame (${messageOf(error)})`);
  }
  try {
    const writer = await new WriterSchemas({ fetchSchema: fetchSchemaByIdFrom(registryUrl), transientAttempts: 1, notFoundAttempts: 1 }).get(frame.schemaId);
    if ('unknown' in writer) return hex(`schema id ${frame.schemaId}: ${writer.unknown}`);
    const unsafe = writer.guard?.(frame.body);
    if (unsafe !== undefined) return hex(`does not decode with schema ${frame.schemaId}: ${unsafe}`);
    return { summary: `schema id ${frame.schemaId}, decoded with the schema it was written with`, decoded: writer.type.fromBuffer(frame.body) };
  } catch (error) {
    return hex(`schema id ${frame.schemaId}, not decoded: ${messageOf(error)}`);
  }
}

function bufferAsHex(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return Buffer.from((value as { data: number[] }).data).toString('hex');
  }
  return value;
}
