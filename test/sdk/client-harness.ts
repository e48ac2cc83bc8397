/**
 * What the client tests share: a client on a fake gateway and a manual clock, with everything
 * its callbacks report collected, and `until` to wait on a condition (never on a clock).
 */
import { createWeirClient, type WeirClient } from '../../sdk/src/client.ts';
import type { WeirRequestError } from '../../sdk/src/errors.ts';
import type { WeirClientOptions } from '../../sdk/src/options.ts';
import type { DropReason, FieldError, LogLevel, TrackedEvent, UntypedEvents } from '../../sdk/src/types.ts';
import { waitFor } from '../harness/wait-for.ts';
import { WRITE_KEY, type FakeGateway } from './fake-gateway.ts';
import { createManualClock, type ManualClock } from './manual-clock.ts';

type Event = TrackedEvent<UntypedEvents>;

export interface ClientUnderTest {
  readonly client: WeirClient;
  readonly clock: ManualClock;
  readonly rejected: { event: Event; errors: readonly FieldError[] }[];
  readonly dropped: { event: Event; reason: DropReason }[];
  readonly errors: WeirRequestError[];
  readonly logs: { level: LogLevel; message: string; fields: Readonly<Record<string, unknown>> | undefined }[];
}

export interface SetupOptions extends Partial<WeirClientOptions<UntypedEvents>> {
  /** Backoff jitter draw; 0 by default, so that a wait is exactly the Retry-After. */
  random?: () => number;
}

export function clientFor(gateway: FakeGateway, options: SetupOptions = {}): ClientUnderTest {
  const { random = () => 0, ...rest } = options;
  const clock = createManualClock();
  const out: Omit<ClientUnderTest, 'client' | 'clock'> = { rejected: [], dropped: [], errors: [], logs: [] };
  const client = createWeirClient(
    {
      endpoint: gateway.url,
      writeKey: WRITE_KEY,
      onRejected: (event, errors) => out.rejected.push({ event, errors }),
      onDropped: (event, reason) => out.dropped.push({ event, reason }),
      onError: (error) => out.errors.push(error),
      log: (level, message, fields) => out.logs.push({ level, message, fields }),
      ...rest,
    },
    { clock, random },
  );
  return { client, clock, ...out };
}

/** Waits (polling, up to 5 s of real time) until `probe` holds. */
export function until(what: string, probe: () => boolean): Promise<true> {
  return waitFor(what, () => probe() || undefined, { timeoutMs: 5000, intervalMs: 2 });
}

export function pageView(n: number, extra: Record<string, unknown> = {}): { type: string; [field: string]: unknown } {
  return { type: 'page_view', url: `https://shop.example/p/${n}`, anonymous_id: 'anon-1', session_id: 's-1', ...extra };
}

/** The ids of events as the gateway saw them. */
export function ids(events: readonly Record<string, unknown>[]): unknown[] {
  return events.map((e) => e['id']);
}
