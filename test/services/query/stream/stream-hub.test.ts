/**
 * StreamHub with a scripted QueryRunner and fingerprint (plain objects, no ClickHouse) and fake
 * connections. Timers and Date are faked; the hub's interval is advanced by hand, and the promises
 * of the scripted runner settle within one turn of the (real) event loop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResultRow } from '../../../../services/query/query/evaluate-rows.ts';
import { parseQuery } from '../../../../services/query/query/parse-query.ts';
import { planBuckets } from '../../../../services/query/query/plan-buckets.ts';
import { canonicalQuery, type QuerySpec } from '../../../../services/query/query/query-spec.ts';
import type { QueryOutcome, QueryRunner } from '../../../../services/query/query/run-query.ts';
import { QueryError } from '../../../../services/query/query-error.ts';
import type { SseConnection, SseEvent } from '../../../../services/query/stream/sse.ts';
import { HISTORY, LINGER_MS, StreamHub } from '../../../../services/query/stream/stream-hub.ts';
import { silentLogger } from '../../../../services/shared/logger.ts';
import { readAll, testCatalog, testTable } from '../catalog-fixture.ts';

const INTERVAL = 1_000;
const T0 = Date.UTC(2026, 10, 24, 10, 0, 0, 100);
const B = Date.UTC(2026, 10, 24, 9, 30); // a bucket start inside the last hour

const CATALOG = testCatalog({ shop: testTable({ windows: [{ kind: 'tumbling', sizeMs: 60_000 }] }) });
const query = (extra: Record<string, unknown> = {}) => parseQuery({ type: 'shop', measures: ['events'], groupBy: ['country'], last: '1h', granularity: '1m', ...extra }, CATALOG, readAll(1_000));

const row = (country: string, events: number, minute = 0): ResultRow => ({ start: B + minute * 60_000, end: B + (minute + 1) * 60_000, open: false, dimensions: { country }, values: { events } });
const shown = (country: string, events: number, minute = 0) => ({
  start: new Date(B + minute * 60_000).toISOString().replace('.000Z', 'Z'),
  end: new Date(B + (minute + 1) * 60_000).toISOString().replace('.000Z', 'Z'),
  open: false,
  dimensions: { country },
  values: { events },
});

/** A runner that answers each run with the next scripted rows (the last ones again when the script ends) or error. */
function scriptedRunner(...script: Array<readonly ResultRow[] | Error>) {
  const runner = {
    calls: 0,
    gate: undefined as Promise<void> | undefined,
    async run(spec: QuerySpec): Promise<QueryOutcome> {
      runner.calls += 1;
      const next = script.length > 1 ? script.shift()! : script[0]!;
      if (runner.gate !== undefined) await runner.gate;
      if (next instanceof Error) throw next;
      return { spec, plan: planBuckets(spec, Date.now(), 1_000), rows: next, truncated: false, rowsRead: 0, elapsedMs: 1 };
    },
  };
  return runner satisfies QueryRunner;
}

interface FakeConnection extends SseConnection {
  readonly events: SseEvent[];
  /** What the hub gave to call when the client goes. */
  onClose: () => void;
}
function fakeConnection(sendHook?: (c: FakeConnection) => void): { open: (onClose: () => void) => SseConnection; connection: FakeConnection } {
  const connection: FakeConnection = {
    events: [],
    closed: false,
    onClose: () => {},
    send(event) {
      connection.events.push(event); // even when closed: the hub must not send to a client that left
      sendHook?.(connection);
    },
    close() {
      (connection as { closed: boolean }).closed = true;
      connection.onClose();
    },
  };
  return {
    connection,
    open: (onClose) => {
      connection.onClose = onClose;
      return connection;
    },
  };
}

let fingerprint = 'a';
let updates = 0;
function hub(runner: QueryRunner, maxPerKey = 10): StreamHub {
  const h = new StreamHub({ runner, fingerprint: async () => fingerprint, intervalMs: INTERVAL, maxPerKey, maxBuckets: 1_000, logger: silentLogger(), onUpdate: () => updates++ });
  h.start();
  hubs.push(h);
  return h;
}
const hubs: StreamHub[] = [];
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
async function tick(times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await settle();
  }
}
async function subscribe(h: StreamHub, spec: QuerySpec, key = 'k', lastEventId?: string) {
  const fake = fakeConnection();
  await h.subscribe(spec, canonicalQuery(spec), key, lastEventId, fake.open);
  return fake.connection;
}
const epochOf = (event: SseEvent) => event.id!.split('.')[0]!;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: T0 });
  fingerprint = 'a';
  updates = 0;
});
afterEach(() => {
  for (const h of hubs.splice(0)) h.stop();
  vi.useRealTimers();
});

describe('StreamHub', () => {
  it('sends a snapshot, then one update with only the changed and removed rows after the data changed', async () => {
    const runner = scriptedRunner([row('FR', 1), row('DE', 2), row('IT', 3)], [row('FR', 1), row('DE', 5), row('ES', 1)]);
    const h = hub(runner);
    const c = await subscribe(h, query());
    expect(c.events).toHaveLength(1);
    const snapshot = c.events[0]!;
    expect(snapshot).toMatchObject({ event: 'snapshot', id: `${epochOf(snapshot)}.1` });
    expect((snapshot.data as { rows: unknown[] }).rows).toEqual([shown('FR', 1), shown('DE', 2), shown('IT', 3)]);

    fingerprint = 'b';
    await tick();
    expect(runner.calls).toBe(2);
    expect(c.events).toHaveLength(2);
    const update = c.events[1]!;
    expect(update.id).toBe(`${epochOf(snapshot)}.2`);
    expect(update.event).toBe('update');
    const data = update.data as { rows: unknown[]; removed: unknown[]; meta: { rows: number } };
    expect(data.rows).toEqual([shown('DE', 5), shown('ES', 1)]);
    expect(data.removed).toEqual([{ start: shown('IT', 3).start, dimensions: { country: 'IT' } }]);
    expect(data.meta.rows).toBe(3);
    expect(updates).toBe(1);
  });

  it('runs nothing while the fingerprint and the range stay the same, and sends nothing when a run changes nothing', async () => {
    const runner = scriptedRunner([row('FR', 1)]);
    const h = hub(runner);
    const c = await subscribe(h, query());
    await tick(); // the first look learns the fingerprint: one run, same rows, no event
    expect(runner.calls).toBe(2);
    await tick(5);
    expect(runner.calls).toBe(2);
    expect(c.events.map((e) => e.event)).toEqual(['snapshot']);
    fingerprint = 'b';
    await tick();
    expect(runner.calls).toBe(3);
    expect(c.events.map((e) => e.event)).toEqual(['snapshot']);
  });

  it('runs again every 30 s (open buckets turn final), and when a relative range moves to the next bucket', async () => {
    const runner = scriptedRunner([row('FR', 1)]);
    const h = hub(runner);
    await subscribe(h, query());
    await tick(); // 10:00:01.1: learns the fingerprint
    expect(runner.calls).toBe(2);
    await tick(29); // 10:00:30.1: 29 s since the last run
    expect(runner.calls).toBe(2);
    await tick(); // 10:00:31.1: 30 s
    expect(runner.calls).toBe(3);
    await tick(28); // 10:00:59.1: the same 1 min buckets
    expect(runner.calls).toBe(3);
    await tick(); // 10:01:00.1: the range moved on, 29 s after the last run
    expect(runner.calls).toBe(4);
  });

  it('shares one run between two subscribers of one query', async () => {
    const runner = scriptedRunner([row('FR', 1)], [row('FR', 2)]);
    let open!: () => void;
    runner.gate = new Promise((resolve) => (open = resolve));
    const h = hub(runner);
    const a = fakeConnection();
    const b = fakeConnection();
    // The same query written differently has the same canonical text.
    const first = h.subscribe(query(), canonicalQuery(query()), 'k1', undefined, a.open);
    const second = h.subscribe(query({ orderBy: [] }), canonicalQuery(query({ orderBy: [] })), 'k2', undefined, b.open);
    await settle();
    expect(runner.calls).toBe(1);
    open();
    runner.gate = undefined;
    await Promise.all([first, second]);
    expect(a.connection.events).toEqual(b.connection.events);
    expect(h.stats()).toEqual({ subscribers: 2, queries: 1 });

    fingerprint = 'b';
    await tick();
    expect(runner.calls).toBe(2);
    expect(a.connection.events.map((e) => e.event)).toEqual(['snapshot', 'update']);
    expect(b.connection.events).toEqual(a.connection.events);
    expect(updates).toBe(2);
  });

  it('replays the missed updates to a client that comes back with Last-Event-ID, or sends a snapshot', async () => {
    const runner = scriptedRunner([row('FR', 1)], [row('FR', 1)], [row('FR', 2)], [row('FR', 3)]);
    const h = hub(runner);
    const a = await subscribe(h, query());
    const epoch = epochOf(a.events[0]!);
    await tick();
    fingerprint = 'b';
    await tick();
    fingerprint = 'c';
    await tick();
    expect(a.events.map((e) => e.id)).toEqual([`${epoch}.1`, `${epoch}.2`, `${epoch}.3`]);

    const back = await subscribe(h, query(), 'k2', `${epoch}.1`);
    expect(back.events).toEqual(a.events.slice(1));
    expect((await subscribe(h, query(), 'k3', `${epoch}.2`)).events).toEqual(a.events.slice(2));
    expect((await subscribe(h, query(), 'k4', `${epoch}.3`)).events).toEqual([]);
    for (const unknown of ['deadbeef.1', `${epoch}.4`, `${epoch}.x`, 'garbage', '']) {
      const c = await subscribe(h, query(), `k-${unknown}`, unknown);
      expect(c.events.map((e) => [e.event, e.id])).toEqual([['snapshot', `${epoch}.3`]]);
    }
    expect(runner.calls).toBe(4);
  });

  it('sends a snapshot when the missed updates are no longer kept', async () => {
    const script = Array.from({ length: HISTORY + 3 }, (_, i) => [row('FR', i)]);
    const runner = scriptedRunner(...script);
    const h = hub(runner);
    const a = await subscribe(h, query());
    const epoch = epochOf(a.events[0]!);
    for (let i = 0; i < HISTORY + 2; i++) {
      fingerprint = `f${i}`;
      await tick();
    }
    expect(a.events.at(-1)!.id).toBe(`${epoch}.${HISTORY + 3}`);
    expect((await subscribe(h, query(), 'k2', `${epoch}.1`)).events.map((e) => e.event)).toEqual(['snapshot']);
    expect((await subscribe(h, query(), 'k3', `${epoch}.3`)).events.map((e) => e.event)).toEqual(Array.from({ length: HISTORY }, () => 'update'));
  });

  it('keeps a query a minute after its last subscriber left, then forgets it', async () => {
    const runner = scriptedRunner([row('FR', 1)]);
    const h = hub(runner);
    const a = await subscribe(h, query());
    const epoch = epochOf(a.events[0]!);
    a.close();
    expect(h.stats()).toEqual({ subscribers: 0, queries: 0 });
    await tick(LINGER_MS / INTERVAL - 1);
    // Still kept: the client is up to date, so nothing is sent and nothing runs.
    const back = await subscribe(h, query(), 'k', `${epoch}.1`);
    expect(back.events).toEqual([]);
    expect(runner.calls).toBe(1);
    back.close();
    await tick(LINGER_MS / INTERVAL + 1);
    const later = await subscribe(h, query(), 'k', `${epoch}.1`);
    expect(later.events.map((e) => e.event)).toEqual(['snapshot']);
    expect(epochOf(later.events[0]!)).not.toBe(epoch);
    expect(runner.calls).toBe(2);
  });

  it('refuses TOO_MANY_STREAMS past maxPerKey, and a closed connection frees its slot', async () => {
    const runner = scriptedRunner([row('FR', 1)]);
    const h = hub(runner, 2);
    const first = await subscribe(h, query(), 'k');
    await subscribe(h, query({ measures: ['events'], groupBy: [] }), 'k');
    const refused = await subscribe(h, query(), 'k').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QueryError);
    expect(refused).toMatchObject({ code: 'TOO_MANY_STREAMS', status: 429 });
    expect(runner.calls).toBe(2);
    await subscribe(h, query(), 'other');
    first.close();
    first.close(); // closing twice frees one slot, not two
    expect(h.stats().subscribers).toBe(2);
    await subscribe(h, query(), 'k');
    await expect(subscribe(h, query(), 'k')).rejects.toMatchObject({ code: 'TOO_MANY_STREAMS' });
  });

  it('frees the slot of a client gone before its snapshot was sent, and sends it nothing more', async () => {
    const runner = scriptedRunner([row('FR', 1)], [row('FR', 1)], [row('FR', 2)]);
    const h = hub(runner, 1);
    const gone = fakeConnection((c) => c.close());
    await h.subscribe(query(), canonicalQuery(query()), 'k', undefined, gone.open);
    expect(h.stats().subscribers).toBe(0);
    const c = await subscribe(h, query(), 'k');
    await tick();
    fingerprint = 'b';
    await tick();
    expect(gone.connection.events.map((e) => e.event)).toEqual(['snapshot']);
    expect(c.events.map((e) => e.event)).toEqual(['snapshot', 'update']);
  });

  it('fails a subscription whose first run fails, freeing its slot', async () => {
    const runner = scriptedRunner(new QueryError('UNAVAILABLE', 'ClickHouse cannot be reached'), [row('FR', 1)]);
    const h = hub(runner, 1);
    await expect(subscribe(h, query())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const c = await subscribe(h, query());
    expect(c.events.map((e) => e.event)).toEqual(['snapshot']);
  });

  it('tells subscribers when a run fails, and sends the update once runs succeed again', async () => {
    const runner = scriptedRunner([row('FR', 1)], new QueryError('QUERY_TIMEOUT', 'too slow'), new Error('boom'), [row('FR', 2)]);
    const h = hub(runner);
    const c = await subscribe(h, query());
    await tick();
    await tick();
    await tick();
    expect(c.events.map((e) => e.event)).toEqual(['snapshot', 'unavailable', 'unavailable', 'update']);
    expect(c.events[1]!.data).toMatchObject({ error: { code: 'QUERY_TIMEOUT', retriable: true } });
    expect(c.events[2]!.data).toMatchObject({ error: { code: 'INTERNAL' } });
    expect(c.events[1]!.id).toBeUndefined();
    expect(c.events[3]!.id).toBe(`${epochOf(c.events[0]!)}.2`);
  });
});
