/**
 * Turns a request body into the batch's events, each with the problems already visible at this
 * level (a line that is not JSON, an event over the size limit, a repeated key). Problems of one
 * event never fail the others; only a body that is not a batch at all fails the request.
 */
import type { FieldError } from '../validation/field-error.ts';
import { GatewayError } from './gateway-error.ts';
import { scanJson } from './json-scan.ts';
import type { RawBody } from './read-body.ts';

export interface IncomingEvent {
  readonly index: number;
  readonly value: unknown;
  readonly problems: readonly FieldError[];
}

export interface BatchLimits {
  readonly maxEvents: number;
  readonly maxEventBytes: number;
  /** `POST /v1/events/{type}` takes a single event object as well as an array. */
  readonly allowSingle: boolean;
}

function tooMany(count: number, limits: BatchLimits): GatewayError {
  return new GatewayError('BATCH_TOO_LARGE', `the batch has ${count} events; the limit is ${limits.maxEvents} per request: split it`);
}

function byteLength(text: string, maxBytes: number): number {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most events are surely under the limit without counting.
  return text.length * 3 <= maxBytes ? text.length : Buffer.byteLength(text, 'utf8');
}

function sizeProblem(bytes: number, limits: BatchLimits): FieldError[] {
  return bytes > limits.maxEventBytes
    ? [{ path: '', reason: 'too_long', message: `the event is ${bytes} bytes; the limit is ${limits.maxEventBytes} bytes` }]
    : [];
}

function duplicateProblems(pointers: readonly string[]): FieldError[] {
  return pointers.map((path) => ({ path, reason: 'duplicate_field', message: 'this field appears more than once in the event' }));
}

function parseJsonBatch(text: string, limits: BatchLimits): IncomingEvent[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new GatewayError('BODY_MALFORMED', `the body is not valid JSON: ${(error as Error).message}`);
  }
  const items: unknown[] | undefined = Array.isArray(document)
    ? document
    : document !== null && typeof document === 'object' && Array.isArray((document as { events?: unknown }).events)
      ? ((document as { events: unknown[] }).events)
      : undefined;
  if (items === undefined && !(limits.allowSingle && document !== null && typeof document === 'object')) {
    throw new GatewayError('BODY_MALFORMED', 'the body must be a JSON array of events, or {"events": [...]}');
  }
  if (items === undefined) {
    const scan = scanJson(text);
    return [{ index: 0, value: document, problems: [...sizeProblem(byteLength(text, limits.maxEventBytes), limits), ...duplicateProblems(scan.duplicateKeys)] }];
  }
  if (items.length > limits.maxEvents) throw tooMany(items.length, limits);
  const scan = scanJson(text);
  const prefix = Array.isArray(document) ? '' : '/events';
  const duplicates = new Map<number, string[]>();
  for (const pointer of scan.duplicateKeys) {
    const match = new RegExp(`^${prefix}/(\\d+)(/.*)$`).exec(pointer);
    if (!match) continue; // a repeated key outside the events (e.g. in a wrapper field) harms none of them
    const index = Number(match[1]);
    duplicates.set(index, [...(duplicates.get(index) ?? []), match[2]!]);
  }
  return items.map((value, index) => {
    const span = scan.events[index];
    const bytes = span === undefined ? 0 : byteLength(text.slice(span[0], span[1]), limits.maxEventBytes);
    return { index, value, problems: [...sizeProblem(bytes, limits), ...duplicateProblems(duplicates.get(index) ?? [])] };
  });
}

function parseNdjsonBatch(text: string, limits: BatchLimits): IncomingEvent[] {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (lines.length === 0) throw new GatewayError('BODY_MALFORMED', 'the body has no events: send one JSON event per line');
  if (lines.length > limits.maxEvents) throw tooMany(lines.length, limits);
  return lines.map((line, index) => {
    try {
      const value: unknown = JSON.parse(line);
      return { index, value, problems: [...sizeProblem(byteLength(line, limits.maxEventBytes), limits), ...duplicateProblems(scanJson(line).duplicateKeys)] };
    } catch (error) {
      return { index, value: undefined, problems: [{ path: '', reason: 'invalid_json', message: `line ${index + 1} is not valid JSON: ${(error as Error).message}` }] };
    }
  });
}

export function parseBatch(body: RawBody, limits: BatchLimits): IncomingEvent[] {
  const events = body.format === 'ndjson' ? parseNdjsonBatch(body.text, limits) : parseJsonBatch(body.text, limits);
  if (events.length === 0) throw new GatewayError('BODY_MALFORMED', 'the batch has no events');
  return events;
}
