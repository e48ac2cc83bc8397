/**
 * The gateway's per-batch logic, as a function of its inputs and dependencies (no HTTP, no Kafka
 * client): check each event's envelope, its type's permission and schema, validate and encode the
 * good ones, publish them, and report every bad one with its index, id and field errors.
 * Resolves only once Kafka has acknowledged every good event; throws GatewayError (403, 503) when
 * the request as a whole must fail, in which case nothing of it was acknowledged.
 */
import { mayWrite, type WriteKey } from '../auth/write-keys.ts';
import { GatewayError } from '../http/gateway-error.ts';
import type { IncomingEvent } from '../http/parse-batch.ts';
import type { OutgoingMessage } from '../publish/publisher.ts';
import type { EventSchema } from '../schemas/schema-catalog.ts';
import type { FieldError } from '../validation/field-error.ts';
import { readEnvelope, type Envelope } from '../validation/envelope.ts';
import { validateEnvelope } from '../validation/validate-event.ts';
import { encodeFrame } from '../../shared/avro/wire-format.ts';

export interface EventRejection {
  readonly index: number;
  readonly id?: string;
  readonly type?: string;
  readonly errors: readonly FieldError[];
}

export interface BatchOutcome {
  readonly accepted: number;
  readonly rejected: readonly EventRejection[];
  /** Accepted events per type, for metrics. */
  readonly acceptedByType: ReadonlyMap<string, number>;
}

export interface IngestDeps {
  schemas: { get(type: string): Promise<EventSchema | undefined> };
  topics: { ensure(topic: string): Promise<void> };
  publisher: { publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> };
  /** Fields tried in order for the message key; the event id when none has a value. */
  keyFields(type: string): readonly string[];
  newId(): string;
  maxPastSkewMs: number;
  maxFutureSkewMs: number;
}

export interface IngestRequest {
  readonly events: readonly IncomingEvent[];
  readonly key: WriteKey;
  readonly receivedAt: number;
  /** Set by `POST /v1/events/{type}`: the type of every event that names none. */
  readonly defaultType?: string;
}

function messageKey(record: Record<string, unknown>, fields: readonly string[], id: string): string {
  for (const field of fields) {
    const value = record[field];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return id;
}

export async function ingestBatch(request: IngestRequest, deps: IngestDeps): Promise<BatchOutcome> {
  const rejected: EventRejection[] = [];
  const envelopes: { index: number; envelope: Envelope }[] = [];
  for (const event of request.events) {
    if (event.problems.length > 0) {
      rejected.push({ index: event.index, errors: event.problems });
      continue;
    }
    const raw =
      request.defaultType !== undefined && event.value !== null && typeof event.value === 'object' && !Array.isArray(event.value) && !('type' in event.value)
        ? { ...(event.value as Record<string, unknown>), type: request.defaultType }
        : event.value;
    const read = readEnvelope(raw, {
      receivedAt: request.receivedAt,
      maxPastSkewMs: deps.maxPastSkewMs,
      maxFutureSkewMs: deps.maxFutureSkewMs,
      newId: deps.newId,
    });
    if (!read.ok) {
      rejected.push({ index: event.index, ...(read.id === undefined ? {} : { id: read.id }), ...(read.type === undefined ? {} : { type: read.type }), errors: read.errors });
      continue;
    }
    if (request.defaultType !== undefined && read.envelope.type !== request.defaultType) {
      rejected.push({
        index: event.index,
        id: read.envelope.id,
        type: read.envelope.type,
        errors: [{ path: '/type', reason: 'wrong_type', message: `this endpoint takes ${request.defaultType} events, got ${read.envelope.type}` }],
      });
      continue;
    }
    envelopes.push({ index: event.index, envelope: read.envelope });
  }

  // Permission is about the request, not the data: one forbidden type refuses the whole batch.
  const types = [...new Set(envelopes.map((e) => e.envelope.type))];
  const forbidden = types.filter((type) => !mayWrite(request.key, type));
  if (forbidden.length > 0) {
    throw new GatewayError('FORBIDDEN', `write key "${request.key.id}" may not send ${forbidden.join(', ')} events`);
  }
  const schemas = new Map(await Promise.all(types.map(async (type) => [type, await deps.schemas.get(type)] as const)));

  const receivedAt = BigInt(request.receivedAt);
  const byTopic = new Map<string, OutgoingMessage[]>();
  const acceptedByType = new Map<string, number>();
  for (const { index, envelope } of envelopes) {
    const schema = schemas.get(envelope.type);
    const ids = { index, id: envelope.id, type: envelope.type };
    if (schema === undefined) {
      rejected.push({ ...ids, errors: [{ path: '/type', reason: 'unknown_event_type', message: `no schema is registered for event type ${envelope.type} (subject weir.raw.${envelope.type}-value)` }] });
      continue;
    }
    const result = validateEnvelope(envelope, schema.validate);
    if (!result.ok) {
      rejected.push({ ...ids, errors: result.errors });
      continue;
    }
    const value = encodeFrame(schema.schemaId, schema.avroType.toBuffer(result.value));
    const messages = byTopic.get(schema.topic) ?? [];
    messages.push({
      key: messageKey(result.value, deps.keyFields(envelope.type), envelope.id),
      value,
      headers: {
        'weir-event-id': envelope.id,
        'weir-schema-id': String(schema.schemaId),
        'weir-received-at': String(request.receivedAt),
        'weir-key-id': request.key.id,
      },
      timestamp: receivedAt,
    });
    byTopic.set(schema.topic, messages);
    acceptedByType.set(envelope.type, (acceptedByType.get(envelope.type) ?? 0) + 1);
  }

  try {
    await Promise.all([...byTopic.keys()].map((topic) => deps.topics.ensure(topic)));
  } catch (error) {
    throw new GatewayError('UNAVAILABLE', `Kafka could not be asked for the raw topics: ${(error as Error).message}`, { headers: { 'Retry-After': '5' }, cause: error });
  }
  await Promise.all([...byTopic].map(([topic, messages]) => deps.publisher.publish(topic, messages)));
  rejected.sort((a, b) => a.index - b.index);
  const accepted = [...acceptedByType.values()].reduce((sum, n) => sum + n, 0);
  return { accepted, rejected, acceptedByType };
}
