/** The ingest API as OpenAPI 3.1, served at /openapi.json. */
import { FIELD_ERROR_REASONS } from '../validation/field-error.ts';
import { GATEWAY_ERRORS } from './gateway-error.ts';

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string, headers: object = {}) => ({ description, headers, content: json(ref('Error')) });
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
const rateLimit = {
  'RateLimit-Limit': { description: 'Events the key may send in a burst', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Events left in the current burst', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the burst is full again', schema: { type: 'integer' } },
};

const batchResponses = {
  '200': { description: 'Every event was accepted: Kafka has them all (acks=all).', headers: rateLimit, content: json(ref('BatchResult')) },
  '207': { description: 'Some events were accepted (Kafka has them); the others are listed with their errors and must be fixed, not retried.', headers: rateLimit, content: json(ref('BatchResult')) },
  '400': {
    description: 'No event was accepted: every one is listed with its errors. Also a body that is not a batch (then an Error).',
    content: json({ oneOf: [ref('BatchResult'), ref('Error')] }),
  },
  '401': errorResponse('No write key, or not a valid one.'),
  '403': errorResponse('The write key may not send some of the event types in the batch; nothing was accepted.'),
  '413': errorResponse('The body (after decompression) or the batch is over its limit; nothing was accepted.'),
  '415': errorResponse('Content-Type or Content-Encoding not accepted.'),
  '429': errorResponse("Over the write key's rate; nothing was accepted. Retry after Retry-After seconds.", { ...retryAfter, ...rateLimit }),
  '503': errorResponse('Kafka or the schema registry is unavailable, or the gateway is overloaded; nothing was acknowledged. Retry after Retry-After seconds.', retryAfter),
};

const body = {
  required: true,
  content: {
    'application/json': { schema: { oneOf: [{ type: 'array', items: ref('Event'), maxItems: 1000 }, { type: 'object', required: ['events'], properties: { events: { type: 'array', items: ref('Event') } } }] } },
    'application/x-ndjson': { schema: { type: 'string', description: 'One JSON event per line.' } },
  },
};

export const OPENAPI_DOCUMENT = Object.freeze({
  openapi: '3.1.0',
  info: {
    title: 'weir ingest gateway',
    version: '1',
    description:
      'Push events to weir. Each event is validated against the Avro schema registered for its type (subject weir.raw.<type>-value), ' +
      'encoded in the Confluent wire format and published to Kafka topic weir.raw.<type>. A 2xx answer means Kafka has every accepted event. ' +
      'Bodies may be gzip-compressed (Content-Encoding: gzip). Limits (defaults): 1 MiB body after decompression, 32 KiB per event, 1000 events per request.',
  },
  servers: [{ url: 'http://localhost:8080' }],
  security: [{ writeKey: [] }],
  paths: {
    '/v1/events': { post: { summary: 'Send a batch of events of any types', requestBody: body, responses: batchResponses } },
    '/v1/events/{type}': {
      post: {
        summary: 'Send one event, or a batch of events of one type',
        parameters: [{ name: 'type', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' } }],
        requestBody: { ...body, content: { ...body.content, 'application/json': { schema: { oneOf: [ref('Event'), { type: 'array', items: ref('Event') }] } } } },
        responses: batchResponses,
      },
    },
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'alive' }, '503': { description: 'failing' } } } },
    '/readyz': { get: { summary: 'Readiness: Kafka reachable', security: [], responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text exposition format' } } } },
  },
  components: {
    securitySchemes: { writeKey: { type: 'http', scheme: 'bearer', description: 'A write key: Authorization: Bearer <key>' } },
    schemas: {
      Event: {
        type: 'object',
        required: ['type'],
        description: "An event: the envelope fields below plus the type's own fields, as plain JSON (a nullable field takes null or the value, no union wrapper).",
        properties: {
          type: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', description: 'Event type, e.g. page_view' },
          id: { type: 'string', maxLength: 128, description: 'Client idempotency key, kept across retries; the gateway makes a UUIDv7 when absent' },
          timestamp: { oneOf: [{ type: 'integer', description: 'epoch milliseconds' }, { type: 'string', format: 'date-time' }], description: 'Event time; the receipt time when absent' },
        },
        additionalProperties: true,
      },
      FieldError: {
        type: 'object',
        required: ['path', 'reason', 'message'],
        properties: {
          path: { type: 'string', description: 'JSON Pointer into the event as sent, e.g. /properties/plan ("" for the event itself)' },
          reason: { type: 'string', enum: [...FIELD_ERROR_REASONS] },
          message: { type: 'string', description: 'What was expected and what came' },
        },
      },
      EventRejection: {
        type: 'object',
        required: ['index', 'errors'],
        properties: {
          index: { type: 'integer', description: 'Position of the event in the batch (line number - 1 for NDJSON)' },
          id: { type: 'string' },
          type: { type: 'string' },
          errors: { type: 'array', items: ref('FieldError') },
        },
      },
      BatchResult: {
        type: 'object',
        required: ['accepted', 'rejected', 'errors'],
        properties: {
          accepted: { type: 'integer', description: 'Events Kafka acknowledged' },
          rejected: { type: 'integer', description: 'Events refused, each listed in errors' },
          errors: { type: 'array', items: ref('EventRejection') },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'retriable'],
            properties: { code: { type: 'string', enum: Object.keys(GATEWAY_ERRORS) }, message: { type: 'string' }, retriable: { type: 'boolean' } },
          },
        },
      },
    },
  },
});
