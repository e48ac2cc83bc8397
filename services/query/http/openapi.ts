/** The query API's OpenAPI 3.1 document, served at /openapi.json. */
import { FILTER_OPS } from '../query/query-spec.ts';

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'retriable'],
      properties: {
        code: { type: 'string', enum: ['QUERY_INVALID', 'QUERY_TOO_LARGE', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'UNSUPPORTED_MEDIA_TYPE', 'TOO_MANY_STREAMS', 'UNAVAILABLE', 'QUERY_TIMEOUT', 'INTERNAL'] },
        message: { type: 'string' },
        retriable: { type: 'boolean' },
        problems: { type: 'array', items: { type: 'object', required: ['at', 'message'], properties: { at: { type: 'string', description: 'where in the query, e.g. filters[0].value' }, message: { type: 'string' } } } },
      },
    },
  },
};

const value = { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'boolean' }, { type: 'null' }] };

const query = {
  type: 'object',
  required: ['type', 'measures'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', description: 'event type, from the catalog' },
    measures: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 32 },
    groupBy: { type: 'array', items: { type: 'string' }, maxItems: 8 },
    filters: {
      type: 'array',
      maxItems: 32,
      items: {
        type: 'object',
        required: ['dimension', 'op'],
        properties: {
          dimension: { type: 'string' },
          op: { type: 'string', enum: FILTER_OPS },
          value,
          values: { type: 'array', items: value, maxItems: 1000 },
          gte: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
          gt: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
          lte: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
          lt: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        },
      },
    },
    from: { oneOf: [{ type: 'string' }, { type: 'integer' }], description: 'RFC 3339, a local time in timeZone (2026-11-24T10:00 or 2026-11-24), or epoch ms' },
    to: { oneOf: [{ type: 'string' }, { type: 'integer' }], description: 'as from; default now' },
    last: { type: 'string', description: 'instead of from: 15m, 6h, 7d... before to (default 1h)' },
    timeZone: { type: 'string', default: 'UTC', description: 'IANA zone: buckets start on its wall clock, times are shown in it' },
    granularity: { type: 'string', description: 'bucket size, any multiple of a tumbling window size (e.g. 1m windows roll up to 1h); default: the finest that gives at most 1000 buckets' },
    window: { type: 'string', description: 'a stored window to read; hopping and session windows are not rolled up' },
    orderBy: { type: 'array', items: { oneOf: [{ type: 'string', description: 'name or name:desc' }, { type: 'object', properties: { by: { type: 'string' }, direction: { enum: ['asc', 'desc'] } } }] } },
    limit: { type: 'integer', minimum: 1 },
    topN: { type: 'object', required: ['n', 'by'], properties: { n: { type: 'integer', minimum: 1, maximum: 1000 }, by: { type: 'string' }, direction: { enum: ['asc', 'desc'], default: 'desc' } } },
    fill: { type: 'boolean', description: 'buckets without data come back with 0 counts, sums and distinct counts' },
  },
};

const row = {
  type: 'object',
  properties: {
    start: { type: 'string', format: 'date-time' },
    end: { type: 'string', format: 'date-time' },
    open: { type: 'boolean', description: 'a window in the bucket may still change' },
    dimensions: { type: 'object', additionalProperties: value },
    values: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
  },
};

const result = {
  type: 'object',
  properties: {
    rows: { type: 'array', items: row },
    meta: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        window: { type: 'string' },
        granularity: { type: ['string', 'null'] },
        timeZone: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        buckets: { type: ['integer', 'null'] },
        rows: { type: 'integer' },
        truncated: { type: 'boolean' },
        openBuckets: { type: 'integer' },
        rowsRead: { type: 'integer' },
        elapsedMs: { type: 'number' },
        cacheAgeMs: { type: ['number', 'null'], description: 'how long ago a shared answer was computed (null: run for this request); at most about 2 WEIR_QUERY_CACHE_MS, or up to 10 min for a fixed range with every bucket final while no flush wrote a window in that range' },
      },
    },
  },
};

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { description: String(c), content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]));

const getParams = ['type', 'measures', 'groupBy', 'filter', 'from', 'to', 'last', 'timeZone', 'granularity', 'window', 'orderBy', 'limit', 'topN', 'fill', 'q'].map((name) => ({
  name,
  in: 'query',
  required: false,
  schema: { type: 'string' },
  ...(name === 'filter' ? { description: '<dimension>:<op>:<value>, repeatable; in takes comma-separated values' } : {}),
  ...(name === 'q' ? { description: 'the whole query as JSON, instead of the other parameters' } : {}),
}));

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'weir query API', version: '1', description: 'Live windowed aggregates: catalog, queries, server-sent-event streams.' },
    components: {
      securitySchemes: { readKey: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: error, Query: query, Result: result },
    },
    security: [{ readKey: [] }],
    paths: {
      '/v1/catalog': { get: { summary: 'event types with their dimensions, measures and windows', responses: { '200': { description: 'the catalog' }, ...errors(401) } } },
      '/v1/query': {
        post: {
          summary: 'run a query',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Query' } } } },
          responses: { '200': { description: 'rows', content: { 'application/json': { schema: { $ref: '#/components/schemas/Result' } } } }, ...errors(400, 401, 403, 415, 503, 504) },
        },
        get: { summary: 'run a query given as URL parameters', parameters: getParams, responses: { '200': { description: 'rows', content: { 'application/json': { schema: { $ref: '#/components/schemas/Result' } } } }, ...errors(400, 401, 403, 503, 504) } },
      },
      '/v1/stream': {
        get: {
          summary: 'server-sent events: a snapshot, then updates of changed buckets',
          description: 'Events: `snapshot` (a query result), `update` ({rows: changed rows, removed: [{start, dimensions}], meta}), `unavailable` (the query failed this time; updates resume). Ids are resumable with Last-Event-ID. A comment line is sent every heartbeat interval. Browsers may pass the read key as the `key` parameter.',
          parameters: [...getParams, { name: 'key', in: 'query', required: false, schema: { type: 'string' } }, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
          responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors(400, 401, 403, 429, 503) },
        },
      },
    },
  };
}
