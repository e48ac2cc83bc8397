/**
 * Demo mode: realistic traffic of the starter types sent continuously to a gateway, so a new user
 * sees live numbers move within seconds. Every TICK_MS the component generates the events the
 * rate schedule says are due (event-generator.ts) and hands them to the TypeScript SDK, which
 * batches them, retries 429, 503 and network errors (honouring Retry-After) and reports each
 * event's end: accepted, rejected, or dropped (counted here as errors, and logged).
 *
 * Backpressure: while the gateway refuses or is away, the SDK holds what it has; once it holds
 * HELD_SECONDS of traffic the demo generates nothing more until it drains, and the schedule moves
 * on, so a recovered gateway sees the target rate again rather than a burst.
 *
 * Stop: stop generating, then flush what is held (at most FLUSH_TIMEOUT_MS), then log the totals.
 */
import { createWeirClient, type ClientStats, type WeirClient, type WeirRequestError } from '../../sdk/src/index.ts';
import type { Component, Health } from '../shared/lifecycle/component.ts';
import { sharedPromise } from '../shared/lifecycle/shared-promise.ts';
import type { Logger } from '../shared/logger.ts';
import { resolveDemoOptions, type DemoComponentOptions, type DemoParams } from './demo-options.ts';
import { createEventGenerator } from './event-generator.ts';
import { eventsDue } from './rate-schedule.ts';

export type { DemoComponentOptions } from './demo-options.ts';

const TICK_MS = 100;
/** Most traffic the SDK may hold (buffered, in flight, waiting to retry), in seconds at the target rate. */
const HELD_SECONDS = 10;
const FLUSH_INTERVAL_MS = 250; // a batch leaves at least 4 times a second: numbers move at once
const FLUSH_TIMEOUT_MS = 5_000;
const WARN_INTERVAL_MS = 5_000; // one warning of a kind per 5 s, with the count since the last

export interface DemoStats {
  /** Events handed to the SDK. */
  readonly sent: number;
  readonly accepted: number;
  /** Events the gateway found invalid (a generator or schema mismatch: never expected). */
  readonly rejected: number;
  /** Events given up on: retries exhausted, the key refused, still unsent at stop. */
  readonly errors: number;
  /** Of `sent`, those made to break a pipeline rule (badFraction): accepted, then dead-lettered by the processor. */
  readonly bad: number;
}

export interface DemoComponent extends Component {
  readonly params: DemoParams;
  stats(): DemoStats;
}

export function createDemoComponent(options: DemoComponentOptions): DemoComponent {
  const params = resolveDemoOptions(options);
  const logger = options.logger.child({ component: 'demo' });
  const generator = createEventGenerator({ seed: params.seed, types: params.types, badFraction: params.badFraction });
  const maxHeld = Math.max(100, Math.ceil(params.ratePerSecond * HELD_SECONDS));
  const warn = throttledWarnings(logger);
  const done: { -readonly [K in keyof DemoStats]: number } = { sent: 0, accepted: 0, rejected: 0, errors: 0, bad: 0 };
  let client: WeirClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  let startedAt = 0;
  let scheduled = 0; // events the schedule has called for since start, sent or skipped
  let generated = 0;
  let bad = 0;
  let lastError: string | undefined;

  function tick(): void {
    if (client === undefined) return;
    const remaining = params.maxEvents - done.sent - generated;
    const due = Math.min(eventsDue(Date.now() - startedAt, params.ratePerSecond), scheduled + remaining);
    // A late tick (a blocked event loop) catches up at most a second's worth.
    if (due - scheduled > params.ratePerSecond) scheduled = due - Math.ceil(params.ratePerSecond);
    const s = client.stats();
    if (s.queued + s.inFlight >= maxHeld) {
      warn('held', { held: s.queued + s.inFlight }, 'the gateway is not keeping up: the demo waits for it before sending more');
      scheduled = Math.max(scheduled, due);
      return;
    }
    for (; scheduled < due; scheduled++) {
      const { event, bad: spoiled } = generator.next();
      const result = client.track({ ...event, type: params.typeNames[event.type] });
      if (!result.queued) {
        warn('unqueued', { reason: result.reason }, 'the SDK did not take a demo event');
        scheduled = due;
        return;
      }
      generated += 1;
      if (spoiled !== undefined) bad += 1;
    }
    if (done.sent + generated >= params.maxEvents) stopTimer();
  }

  function stopTimer(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  function currentStats(): DemoStats {
    const s: Partial<ClientStats> = client?.stats() ?? {};
    return {
      sent: done.sent + (s.tracked ?? 0),
      accepted: done.accepted + (s.accepted ?? 0),
      rejected: done.rejected + (s.rejected ?? 0),
      errors: done.errors + (s.dropped ?? 0),
      bad: done.bad + bad,
    };
  }

  const stop = sharedPromise(async () => {
    stopTimer();
    const stopping = client;
    if (stopping === undefined) return;
    const result = await stopping.close({ timeoutMs: FLUSH_TIMEOUT_MS });
    Object.assign(done, currentStats());
    client = undefined;
    generated = 0;
    bad = 0;
    if (result.timedOut) logger.warn({ timeoutMs: FLUSH_TIMEOUT_MS, dropped: result.dropped }, 'the gateway did not take the last demo events in time');
    logger.info({ ...done }, 'demo stopped');
  });

  return {
    name: 'demo',
    params,
    async start() {
      if (client !== undefined) return;
      client = createWeirClient({
        endpoint: params.gatewayUrl,
        writeKey: params.key,
        flushIntervalMs: FLUSH_INTERVAL_MS,
        maxBufferedEvents: maxHeld + Math.ceil(params.ratePerSecond) + 1,
        overflow: 'reject',
        onRejected: (event, errors) => warn('rejected', { type: event.type, id: event.id, errors }, 'the gateway rejected a demo event as invalid'),
        onError: (error: WeirRequestError) => {
          lastError = `${error.code}${error.status === undefined ? '' : ` (HTTP ${error.status})`}: ${error.message}`;
          warn(error.code, { code: error.code, status: error.status, events: error.eventCount, attempts: error.attempts }, hintFor(error));
          options.onError?.(error);
        },
        log: (level, message, fields) => (level === 'warn' || level === 'error' ? warn(message, { ...fields }, message) : logger.debug(fields ?? {}, message)),
      });
      startedAt = Date.now();
      scheduled = 0;
      timer = setInterval(tick, TICK_MS);
      logger.info({ gateway: params.gatewayUrl, ratePerSecond: params.ratePerSecond, types: params.types, badFraction: params.badFraction, seed: params.seed }, 'demo traffic started');
    },
    stop,
    health(): Health {
      return { live: true, ready: client !== undefined, detail: { ...currentStats(), seed: params.seed, lastError: lastError ?? null } };
    },
    stats: currentStats,
  };
}

/** What a failed request means for someone running the demo. */
export function hintFor(error: WeirRequestError): string {
  switch (error.code) {
    case 'UNAUTHORIZED':
      return 'the gateway refused the write key: give the key `npm start` printed (WEIR_DEV_KEY)';
    case 'FORBIDDEN':
      return 'the write key may not send these event types: use a key with "types": "*", such as the development key';
    case 'NETWORK_ERROR':
    case 'TIMEOUT':
      return 'the gateway cannot be reached: is weir running (npm start)?';
    default:
      return 'demo events could not be delivered';
  }
}

/** At most one warning per kind per WARN_INTERVAL_MS, counting those left out. */
function throttledWarnings(logger: Logger): (kind: string, fields: Record<string, unknown>, message: string) => void {
  const last = new Map<string, { at: number; skipped: number }>();
  return (kind, fields, message) => {
    const now = Date.now();
    const entry = last.get(kind);
    if (entry !== undefined && now - entry.at < WARN_INTERVAL_MS) {
      entry.skipped += 1;
      return;
    }
    logger.warn({ ...fields, ...(entry === undefined || entry.skipped === 0 ? {} : { since: entry.skipped }) }, message);
    last.set(kind, { at: now, skipped: 0 });
  };
}
