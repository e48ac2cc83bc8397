/**
 * The weir client: track() buffers events; full batches (maxBatchEvents or maxBatchBytes) leave at
 * once, a partial one flushIntervalMs after its first event; at most maxConcurrentRequests batches
 * are in flight, each delivered (and retried) by deliverBatch. Memory is bounded by
 * maxBufferedEvents. Every event taken ends exactly once: accepted, rejected (onRejected) or
 * dropped (onDropped). Nothing here throws into the application once createWeirClient returned.
 */
import { Buffer } from 'node:buffer';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { deliverBatch, type DeliveryContext, type Outcome } from './deliver-batch.ts';
import { EventBuffer, type BufferedEvent } from './event-buffer.ts';
import { resolveOptions, type WeirClientOptions } from './options.ts';
import type { AnyEventOf, ClientStats, CloseResult, DropReason, EventMap, FlushResult, TrackedEvent, TrackResult, UntypedEvents } from './types.ts';
import { createUuidV7 } from './uuid-v7.ts';

export interface WeirClient<Events extends EventMap = UntypedEvents> {
  /** Buffers one event, giving it an `id` and a `timestamp` when it has none. Never throws. */
  track(event: AnyEventOf<Events>): TrackResult;
  /** Sends everything buffered now; resolves when every event held at the call has ended. */
  flush(): Promise<FlushResult>;
  /** Stops taking events, sends what is held, and waits at most timeoutMs (default 10 s) before dropping the rest. Calls share one promise. */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
  stats(): ClientStats;
}

/** Time and randomness, replaceable for tests. */
export interface ClientRuntime {
  readonly clock?: Clock;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random?: () => number;
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000; // 10 s

interface FlushWaiter {
  readonly upto: number;
  remaining: number;
  readonly counts: { accepted: number; rejected: number; dropped: number };
  readonly resolve: (result: FlushResult) => void;
}

export function createWeirClient<Events extends EventMap = UntypedEvents>(
  options: WeirClientOptions<Events>,
  runtime: ClientRuntime = {},
): WeirClient<Events> {
  type Held = TrackedEvent<Events>;
  const params = resolveOptions(options);
  const clock = runtime.clock ?? systemClock;
  const newId = createUuidV7(() => clock.now());
  const buffer = new EventBuffer<Held>();
  const inFlight = new Set<number>();
  const waiters: FlushWaiter[] = [];
  const shutdown = new AbortController();
  const counters = { tracked: 0, sent: 0, accepted: 0, rejected: 0, dropped: 0, requests: 0, retries: 0 };
  let lastSeq = 0;
  let activeRequests = 0;
  /** Send partial batches now: the linger timer fired, or flush() or close() asked. */
  let due = false;
  let linger: TimerHandle | undefined;
  let closed = false;
  let closing: Promise<CloseResult> | undefined;

  const delivery: DeliveryContext<Held> = {
    params,
    clock,
    random: runtime.random ?? Math.random,
    shutdown: shutdown.signal,
    shared: { pausedUntil: 0, maxEvents: params.maxBatchEvents },
    countRequest(isRetry) {
      counters.requests += 1;
      if (isRetry) counters.retries += 1;
    },
    settle: (items, outcome) => record(items.filter((item) => inFlight.delete(item.seq)), outcome),
    reportError: (error) => safely('onError', () => params.onError(error)),
  };

  function safely(name: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      try {
        params.log('error', `weir: ${name} threw; the client carries on`, { error });
      } catch {
        // A throwing logger must not break delivery either.
      }
    }
  }

  function record(items: readonly BufferedEvent<Held>[], outcome: Outcome): void {
    for (const item of items) {
      counters[outcome.kind] += 1;
      if (outcome.kind === 'rejected') safely('onRejected', () => params.onRejected(item.event, outcome.errors));
      if (outcome.kind === 'dropped') safely('onDropped', () => params.onDropped(item.event, outcome.reason));
      for (const waiter of waiters) {
        if (item.seq > waiter.upto) continue;
        waiter.remaining -= 1;
        waiter.counts[outcome.kind] += 1;
      }
    }
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i];
      if (waiter === undefined || waiter.remaining > 0) continue;
      waiters.splice(i, 1);
      waiter.resolve({ ...waiter.counts });
    }
  }

  function pump(): void {
    while (
      activeRequests < params.maxConcurrentRequests &&
      buffer.length > 0 &&
      (due || buffer.hasFullBatch(delivery.shared.maxEvents, params.maxBatchBytes))
    ) {
      const batch = buffer.takeBatch(delivery.shared.maxEvents, params.maxBatchBytes);
      for (const item of batch) inFlight.add(item.seq);
      counters.sent += batch.length;
      activeRequests += 1;
      deliverBatch(batch, delivery)
        .catch((error: unknown) => {
          safely('log', () => params.log('error', 'weir: delivering a batch failed unexpectedly; its events are dropped', { error }));
          delivery.settle(batch, { kind: 'dropped', reason: 'request_failed' });
        })
        .finally(() => {
          activeRequests -= 1;
          pump();
        });
    }
    if (buffer.length === 0) {
      stopLinger();
      if (!closed) due = false;
    }
  }

  function stopLinger(): void {
    if (linger !== undefined) clock.clearTimeout(linger);
    linger = undefined;
  }

  /** An event refused before it was buffered, counted as tracked and dropped. */
  function refuse(event: unknown, id: string | undefined, reason: DropReason): TrackResult {
    counters.tracked += 1;
    record([{ seq: Number.POSITIVE_INFINITY, event: event as Held, json: '', bytes: 0 }], { kind: 'dropped', reason });
    return { queued: false, id, reason };
  }

  function track(input: AnyEventOf<Events>): TrackResult {
    if (!isEventObject(input)) return refuse(input, undefined, 'invalid_event');
    const event: Record<string, unknown> = { ...input };
    if (event['id'] == null && event['event_id'] == null) event['id'] = newId();
    if (event['timestamp'] == null && event['event_time'] == null) event['timestamp'] = clock.now();
    const id = typeof event['id'] === 'string' ? event['id'] : typeof event['event_id'] === 'string' ? event['event_id'] : undefined;
    if (closed) return refuse(event, id, 'client_closed');
    let json: string | undefined;
    try {
      json = JSON.stringify(event);
    } catch {
      json = undefined;
    }
    if (typeof json !== 'string') return refuse(event, id, 'invalid_event');
    const bytes = Buffer.byteLength(json);
    if (bytes > params.maxEventBytes) return refuse(event, id, 'event_too_large');

    if (buffer.length + inFlight.size >= params.maxBufferedEvents) {
      if (params.overflow === 'reject') return { queued: false, id, reason: 'buffer_full' };
      const oldest = params.overflow === 'drop-oldest' ? buffer.shift() : undefined;
      if (oldest === undefined) return refuse(event, id, 'buffer_full');
      record([oldest], { kind: 'dropped', reason: 'buffer_full' });
    }
    counters.tracked += 1;
    lastSeq += 1;
    buffer.push({ seq: lastSeq, event: event as Held, json, bytes });
    if (!due && linger === undefined) {
      linger = clock.setTimeout(() => {
        linger = undefined;
        due = true;
        pump();
      }, params.flushIntervalMs);
    }
    pump();
    return { queued: true, id: id ?? String(event['id'] ?? event['event_id']) };
  }

  function flush(): Promise<FlushResult> {
    const held = buffer.length + inFlight.size;
    if (held === 0) return Promise.resolve({ accepted: 0, rejected: 0, dropped: 0 });
    const result = new Promise<FlushResult>((resolve) => {
      waiters.push({ upto: lastSeq, remaining: held, counts: { accepted: 0, rejected: 0, dropped: 0 }, resolve });
    });
    due = true;
    pump();
    return result;
  }

  async function shut(timeoutMs: number): Promise<CloseResult> {
    const done = flush();
    let timer: TimerHandle | undefined;
    const expired = new Promise<true>((resolve) => {
      timer = clock.setTimeout(() => resolve(true), timeoutMs);
    });
    const timedOut = (await Promise.race([done.then(() => false), expired])) === true;
    if (timer !== undefined) clock.clearTimeout(timer);
    if (timedOut) {
      // In-flight requests are aborted and settle as dropped; the buffer is dropped here.
      shutdown.abort();
      record(buffer.drain(), { kind: 'dropped', reason: 'shutdown_timeout' });
      stopLinger();
    }
    return { ...(await done), timedOut };
  }

  return {
    track,
    flush,
    close(closeOptions = {}) {
      if (closing !== undefined) return closing;
      const timeoutMs = closeOptions.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
      if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
        return Promise.reject(new RangeError(`close(): timeoutMs must be a number of ms, 0 or more, got ${String(timeoutMs)}`));
      }
      closed = true;
      closing = shut(timeoutMs);
      return closing;
    },
    stats: () => ({ ...counters, queued: buffer.length, inFlight: inFlight.size }),
  };
}

function isEventObject(value: unknown): value is Record<string, unknown> & { type: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && type !== '';
}
