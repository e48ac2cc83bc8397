/**
 * What the `weir dlq` commands share: `--type`, the broker option, the filters, a Kafka client
 * made for a short-lived command, and which dead-letter topics a command looks at.
 */
import type { Kafka } from 'kafkajs';
import { EVENT_TYPE } from '../../processor/pipeline/parse-definition.ts';
import { topicsOf } from '../../processor/pipeline/pipeline.ts';
import { createKafka } from '../../shared/kafka/client.ts';
import { usageError, type CommandContext } from '../command.ts';
import { BROKERS_HELP_ROW, BROKERS_OPTION, resolveBrokers } from '../common-options.ts';
import { FILTER_HELP_ROWS, FILTER_OPTIONS, parseFilter, type DeadLetterFilter, type FilterOptions } from './filters.ts';

const DLQ_PREFIX = 'weir.dlq.';

export const DLQ_OPTIONS = { ...BROKERS_OPTION, ...FILTER_OPTIONS, type: { type: 'string' } } as const;
export const TYPE_HELP_ROW = ['--type <type>', 'Event type whose dead letters (weir.dlq.<type>) to read'] as const;
export const DLQ_HELP_ROWS = [BROKERS_HELP_ROW, ...FILTER_HELP_ROWS] as const;

export function checkType(context: CommandContext, type: string | undefined, required: boolean): string | undefined {
  if (type === undefined) {
    if (required) throw usageError(context, '--type is required: the event type whose dead letters to read (weir.dlq.<type>)');
    return undefined;
  }
  if (!EVENT_TYPE.test(type)) throw usageError(context, `--type ${JSON.stringify(type)} is not an event type name (lower case letters, digits and _, starting with a letter)`);
  return type;
}

export function checkFilter(context: CommandContext, options: FilterOptions, now: number): DeadLetterFilter {
  const filter = parseFilter(options, now);
  if ('problem' in filter) throw usageError(context, filter.problem);
  return filter;
}

/** A client for a command: quick to give up on a broker that is not there. */
export function commandKafka(context: CommandContext, brokersOption: string | undefined): Kafka {
  return createKafka({
    brokers: resolveBrokers(context, brokersOption),
    clientId: 'weir-cli',
    connectionTimeoutMs: 3_000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
}

/** `weir.dlq.<type>` for a type, or every dead-letter topic on the cluster; each with its type. */
export async function deadLetterTopics(kafka: Kafka, type: string | undefined): Promise<Array<{ type: string; topic: string }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = new Set(await admin.listTopics());
    if (type !== undefined) return topics.has(topicsOf(type).deadLetter) ? [{ type, topic: topicsOf(type).deadLetter }] : [];
    return [...topics].filter((t) => t.startsWith(DLQ_PREFIX) && EVENT_TYPE.test(t.slice(DLQ_PREFIX.length))).sort().map((topic) => ({ type: topic.slice(DLQ_PREFIX.length), topic }));
  } finally {
    await admin.disconnect();
  }
}
