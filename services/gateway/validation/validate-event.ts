/**
 * The per-event step of an ingest request, as one pure function: envelope, schema lookup, record
 * validation. What it returns is what the HTTP answer says about the event (its id and every
 * error) and, for a good event, the value to encode. Errors on event_id / event_time are
 * reported under the names the sender used (`/id`, `/timestamp`), since those are what they sent.
 */
import type { EventValidator } from './compile.ts';
import { type Envelope, type EnvelopeContext, readEnvelope, toRecordFields } from './envelope.ts';
import { type FieldError, quote } from './field-error.ts';

export type EventOutcome =
  | {
      readonly ok: true;
      readonly type: string;
      readonly id: string;
      readonly idGenerated: boolean;
      readonly eventTime: number;
      /** The record for `Type.toBuffer`. */
      readonly value: Record<string, unknown>;
    }
  | {
      readonly ok: false;
      /** Given when valid: for metrics by type, and the id the sender can match the answer to. */
      readonly type: string | undefined;
      readonly id: string | undefined;
      readonly errors: FieldError[];
      /** Checking stopped at the error cap; there may be more. */
      readonly truncated: boolean;
    };

/** The validator of a registered event type, or undefined when no such type is registered. */
export type ValidatorLookup = (type: string) => EventValidator | undefined;

/** The whole per-event step when validators can be looked up synchronously. */
export function validateEvent(raw: unknown, context: EnvelopeContext, validatorFor: ValidatorLookup): EventOutcome {
  const read = readEnvelope(raw, context);
  if (!read.ok) return { ok: false, type: read.type, id: read.id, errors: read.errors, truncated: false };
  return validateEnvelope(read.envelope, validatorFor(read.envelope.type));
}

/**
 * The second half, for callers whose schema lookup is asynchronous: read the envelope, look up
 * its type, then call this with the type's validator (undefined when the type is not registered).
 */
export function validateEnvelope(envelope: Envelope, validate: EventValidator | undefined): EventOutcome {
  const sentId = envelope.idGenerated ? undefined : envelope.id;
  if (validate === undefined) {
    const error: FieldError = { path: '/type', reason: 'unknown_event_type', message: `expected a registered event type, got ${quote(envelope.type)}` };
    return { ok: false, type: undefined, id: sentId, errors: [error], truncated: false };
  }
  const result = validate(toRecordFields(envelope));
  if (result.ok) {
    return { ok: true, type: envelope.type, id: envelope.id, idGenerated: envelope.idGenerated, eventTime: envelope.eventTime, value: result.value };
  }
  for (const error of result.errors) {
    error.path = renamePath(error.path, '/event_id', `/${envelope.idField}`);
    error.path = renamePath(error.path, '/event_time', `/${envelope.timeField}`);
  }
  return { ok: false, type: envelope.type, id: sentId, errors: result.errors, truncated: result.truncated };
}

function renamePath(path: string, from: string, to: string): string {
  return path === from || path.startsWith(`${from}/`) ? to + path.slice(from.length) : path;
}
