/**
 * createWeirClient's options: every default with its unit, checked once, then turned into a
 * frozen, fully required object. A setting that cannot work is refused at construction with a
 * message that says how to fix it, not discovered as lost events later.
 */
import { WeirError, type WeirRequestError } from './errors.ts';
import type { DropReason, EventMap, FieldError, LogFunction, TrackedEvent } from './types.ts';

/** What to do with a track() when maxBufferedEvents events are already held. */
export type OverflowPolicy =
  /** Refuse the new event: track() returns queued: false and it goes to onDropped (the default). */
  | 'drop-newest'
  /** Take the new event and drop the oldest one not yet in a request, to onDropped. */
  | 'drop-oldest'
  /** Refuse the new event: track() returns queued: false, and the caller keeps it (not sent to onDropped, not counted). */
  | 'reject';

/** The gateway's limits (its defaults here); set them to what your gateway is configured with. */
export interface GatewayLimits {
  /** Largest request body, in bytes, after decompression. */
  maxBodyBytes?: number;
  /** Largest single event, in bytes of JSON. */
  maxEventBytes?: number;
  /** Most events in one request. */
  maxEventsPerBatch?: number;
}

export interface WeirClientOptions<Events extends EventMap> {
  /** Base URL of the gateway, e.g. "http://localhost:8080"; events go to `${endpoint}/v1/events`. */
  endpoint: string;
  /** A write key, sent as `Authorization: Bearer <key>`. */
  writeKey: string;
  /** Send a batch once it holds this many events. Default 500. */
  maxBatchEvents?: number;
  /** Send a batch once its JSON body reaches this many bytes. Default 524_288 (512 KiB). */
  maxBatchBytes?: number;
  /** Send whatever is buffered this long after the first of it was tracked, in ms. Default 1000. */
  flushIntervalMs?: number;
  /** Gzip bodies larger than this many bytes; Infinity never gzips. Default 4096 (4 KiB). */
  gzipThresholdBytes?: number;
  /** Requests in flight at once, retries (and their waits) included. Default 2. */
  maxConcurrentRequests?: number;
  /** Retries of a request after its first attempt (429, 503, other 5xx, network errors, timeouts). Default 10. */
  maxRetries?: number;
  /** First backoff ceiling in ms; it doubles per retry, with full jitter. Default 100. */
  minBackoffMs?: number;
  /** Largest backoff ceiling in ms (a longer Retry-After is still honoured). Default 30_000 (30 s). */
  maxBackoffMs?: number;
  /** Time for one attempt, in ms, before it is aborted and retried. Default 10_000 (10 s). */
  requestTimeoutMs?: number;
  /** Most events held (buffered, in flight, waiting to retry). Default 10_000. */
  maxBufferedEvents?: number;
  /** Default 'drop-newest'. */
  overflow?: OverflowPolicy;
  gatewayLimits?: GatewayLimits;
  /** Called once per event the gateway rejected as invalid, with its errors. Such events are never retried. */
  onRejected?: (event: TrackedEvent<Events>, errors: readonly FieldError[]) => void;
  /** Called once per event the client gave up on. */
  onDropped?: (event: TrackedEvent<Events>, reason: DropReason) => void;
  /** Called once per request that failed for good; its events then go to onDropped. */
  onError?: (error: WeirRequestError) => void;
  log?: LogFunction;
  /** The fetch to use (a proxy-aware one, for instance). Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export interface ClientParams<Events extends EventMap> {
  readonly url: string;
  readonly authorization: string;
  readonly maxBatchEvents: number;
  readonly maxBatchBytes: number;
  readonly flushIntervalMs: number;
  readonly gzipThresholdBytes: number;
  readonly maxConcurrentRequests: number;
  readonly maxRetries: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly requestTimeoutMs: number;
  readonly maxBufferedEvents: number;
  readonly overflow: OverflowPolicy;
  readonly maxEventBytes: number;
  readonly onRejected: NonNullable<WeirClientOptions<Events>['onRejected']>;
  readonly onDropped: NonNullable<WeirClientOptions<Events>['onDropped']>;
  readonly onError: NonNullable<WeirClientOptions<Events>['onError']>;
  readonly log: LogFunction;
  readonly fetch: typeof globalThis.fetch;
}

export const DEFAULTS = {
  maxBatchEvents: 500,
  maxBatchBytes: 524_288, // 512 KiB
  flushIntervalMs: 1000, // 1 s
  gzipThresholdBytes: 4096, // 4 KiB
  maxConcurrentRequests: 2,
  maxRetries: 10,
  minBackoffMs: 100,
  maxBackoffMs: 30_000, // 30 s
  requestTimeoutMs: 10_000, // 10 s
  maxBufferedEvents: 10_000,
  overflow: 'drop-newest',
  maxBodyBytes: 1_048_576, // 1 MiB, the gateway's default
  maxEventBytes: 32_768, // 32 KiB, the gateway's default
  maxEventsPerBatch: 1000, // the gateway's default
} as const;

const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['drop-newest', 'drop-oldest', 'reject'];
const noop = () => {};

export function resolveOptions<Events extends EventMap>(options: WeirClientOptions<Events>): ClientParams<Events> {
  const url = eventsUrl(options.endpoint);
  // Printable ASCII only: anything else cannot go in a header, and every request would fail.
  if (typeof options.writeKey !== 'string' || !/^[\x21-\x7e]+$/.test(options.writeKey.trim())) {
    throw invalid('writeKey must be a non-empty string of printable ASCII without spaces: the write key the gateway was configured with');
  }
  const limits = options.gatewayLimits ?? {};
  const maxBodyBytes = integer('gatewayLimits.maxBodyBytes', limits.maxBodyBytes, DEFAULTS.maxBodyBytes, 2);
  const maxEventBytes = integer('gatewayLimits.maxEventBytes', limits.maxEventBytes, DEFAULTS.maxEventBytes, 2);
  const maxEventsPerBatch = integer('gatewayLimits.maxEventsPerBatch', limits.maxEventsPerBatch, DEFAULTS.maxEventsPerBatch, 1);
  const maxBatchEvents = integer('maxBatchEvents', options.maxBatchEvents, Math.min(DEFAULTS.maxBatchEvents, maxEventsPerBatch), 1);
  const maxBatchBytes = integer('maxBatchBytes', options.maxBatchBytes, Math.min(DEFAULTS.maxBatchBytes, maxBodyBytes), 4);
  if (maxBatchEvents > maxEventsPerBatch) {
    throw invalid(`maxBatchEvents (${maxBatchEvents}) is over gatewayLimits.maxEventsPerBatch (${maxEventsPerBatch}): lower it, or raise the limit if your gateway allows more`);
  }
  if (maxBatchBytes > maxBodyBytes) {
    throw invalid(`maxBatchBytes (${maxBatchBytes}) is over gatewayLimits.maxBodyBytes (${maxBodyBytes}): lower it, or raise the limit if your gateway allows more`);
  }
  // A batch is a JSON array: an event of maxEventBytes must fit between its brackets.
  const eventLimit = Math.min(maxEventBytes, maxBatchBytes - 2);
  const minBackoffMs = integer('minBackoffMs', options.minBackoffMs, DEFAULTS.minBackoffMs, 1);
  const maxBackoffMs = integer('maxBackoffMs', options.maxBackoffMs, DEFAULTS.maxBackoffMs, 1);
  if (minBackoffMs > maxBackoffMs) throw invalid(`minBackoffMs (${minBackoffMs}) is over maxBackoffMs (${maxBackoffMs})`);
  const overflow = options.overflow ?? DEFAULTS.overflow;
  if (!OVERFLOW_POLICIES.includes(overflow)) throw invalid(`overflow must be one of ${OVERFLOW_POLICIES.join(', ')}, got ${JSON.stringify(overflow)}`);
  const gzip = options.gzipThresholdBytes ?? DEFAULTS.gzipThresholdBytes;
  if (typeof gzip !== 'number' || !(gzip >= 0) || (Number.isFinite(gzip) && !Number.isInteger(gzip))) {
    throw invalid(`gzipThresholdBytes must be a whole number of bytes, 0 or more (Infinity never gzips), got ${String(gzip)}`);
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw invalid('no fetch: run on Node 18 or later, or pass options.fetch');
  for (const name of ['onRejected', 'onDropped', 'onError', 'log'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw invalid(`${name} must be a function`);
  }
  return Object.freeze({
    url,
    authorization: `Bearer ${options.writeKey.trim()}`,
    maxBatchEvents,
    maxBatchBytes,
    flushIntervalMs: integer('flushIntervalMs', options.flushIntervalMs, DEFAULTS.flushIntervalMs, 0),
    gzipThresholdBytes: gzip,
    maxConcurrentRequests: integer('maxConcurrentRequests', options.maxConcurrentRequests, DEFAULTS.maxConcurrentRequests, 1),
    maxRetries: integer('maxRetries', options.maxRetries, DEFAULTS.maxRetries, 0),
    minBackoffMs,
    maxBackoffMs,
    requestTimeoutMs: integer('requestTimeoutMs', options.requestTimeoutMs, DEFAULTS.requestTimeoutMs, 1),
    maxBufferedEvents: integer('maxBufferedEvents', options.maxBufferedEvents, DEFAULTS.maxBufferedEvents, 1),
    overflow,
    maxEventBytes: eventLimit,
    onRejected: options.onRejected ?? noop,
    onDropped: options.onDropped ?? noop,
    onError: options.onError ?? noop,
    log: options.log ?? noop,
    fetch: fetchFn,
  });
}

function eventsUrl(endpoint: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(`endpoint must be the gateway's http(s) base URL, such as "http://localhost:8080", got ${JSON.stringify(endpoint)}`);
  }
  if (url.search !== '' || url.hash !== '') throw invalid(`endpoint ${JSON.stringify(endpoint)} must not have a query or fragment`);
  return `${url.href.replace(/\/+$/, '')}/v1/events`;
}

function integer(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(`${name} must be a whole number, ${min} or more, got ${String(value)}`);
  }
  return value;
}

function invalid(message: string): WeirError {
  return new WeirError('INVALID_OPTIONS', `weir client: ${message}`);
}
