import { describe, expect, it } from 'vitest';
import { gate, useFakeGateway } from './fake-gateway.ts';
import { clientFor, pageView, until } from './client-harness.ts';

describe('weir client: flush, close and stats', () => {
  const gateways = useFakeGateway();

  it('flush() sends a partial batch at once and resolves with how its events ended', async () => {
    const gateway = await gateways.start();
    const { client } = clientFor(gateway, { flushIntervalMs: 60_000 });
    client.track(pageView(1));
    client.track(pageView(2, { bad: true }));
    expect(await client.flush()).toEqual({ accepted: 1, rejected: 1, dropped: 0 });
    expect(await client.flush()).toEqual({ accepted: 0, rejected: 0, dropped: 0 });
  });

  it('close() sends everything still buffered, in several batches, and then refuses new events', async () => {
    const gateway = await gateways.start();
    const { client, dropped } = clientFor(gateway, { maxBatchEvents: 10, maxConcurrentRequests: 2, flushIntervalMs: 60_000 });
    for (let n = 1; n <= 35; n++) client.track(pageView(n));
    const closing = client.close();
    expect(client.close()).toBe(closing);
    expect(await closing).toEqual({ accepted: 35, rejected: 0, dropped: 0, timedOut: false });
    expect(gateway.requests.map((r) => r.events.length).sort((a, b) => a - b)).toEqual([5, 10, 10, 10]);
    expect(new Set(gateway.accepted.map((e) => e['id'])).size).toBe(35);

    expect(client.track(pageView(36))).toMatchObject({ queued: false, reason: 'client_closed' });
    expect(dropped.map((d) => d.reason)).toEqual(['client_closed']);
  });

  it('close() waits for retries, within its timeout', async () => {
    const gateway = await gateways.start();
    gateway.script({ status: 503, headers: { 'retry-after': '3' } });
    const { client, clock } = clientFor(gateway);
    client.track(pageView(1));
    const closing = client.close({ timeoutMs: 10_000 });
    await until('the retry is scheduled', () => clock.pending().includes(3000));
    clock.advance(3000);
    expect(await closing).toEqual({ accepted: 1, rejected: 0, dropped: 0, timedOut: false });
  });

  it('close() drops what is left when its timeout runs out, aborting requests in flight', async () => {
    const gateway = await gateways.start();
    const never = gate();
    gateway.script({ hold: never.promise });
    const { client, clock, dropped } = clientFor(gateway, { maxBatchEvents: 2, maxConcurrentRequests: 1 });
    for (let n = 1; n <= 3; n++) client.track(pageView(n));
    await until('the first batch reaches the gateway', () => gateway.requests.length === 1);
    const closing = client.close({ timeoutMs: 2000 });
    clock.advance(1999);
    expect(client.stats()).toMatchObject({ inFlight: 2, queued: 1 });
    clock.advance(1);
    expect(await closing).toEqual({ accepted: 0, rejected: 0, dropped: 3, timedOut: true });
    expect(dropped.map((d) => [d.event['url'], d.reason])).toEqual([
      ['https://shop.example/p/3', 'shutdown_timeout'],
      ['https://shop.example/p/1', 'shutdown_timeout'],
      ['https://shop.example/p/2', 'shutdown_timeout'],
    ]);
    expect(client.stats()).toMatchObject({ queued: 0, inFlight: 0, dropped: 3 });
  });

  it('keeps tracked = queued + inFlight + accepted + rejected + dropped through a mixed run', async () => {
    const gateway = await gateways.start();
    gateway.script({ status: 429, headers: { 'retry-after': '1' } }, { status: 401 });
    const { client, clock } = clientFor(gateway, { maxBatchEvents: 4, maxBufferedEvents: 8, maxConcurrentRequests: 1, flushIntervalMs: 60_000 });
    const balanced = () => {
      const s = client.stats();
      return s.tracked === s.queued + s.inFlight + s.accepted + s.rejected + s.dropped;
    };
    for (let n = 1; n <= 14; n++) {
      client.track(pageView(n, n % 5 === 0 ? { bad: true } : {}));
      expect(balanced()).toBe(true);
    }
    await until('the 429 is handled', () => clock.pending().includes(1000));
    expect(balanced()).toBe(true);
    clock.advance(1000);
    await client.flush();
    expect(balanced()).toBe(true);
    const stats = client.stats();
    expect(stats).toMatchObject({ tracked: 14, queued: 0, inFlight: 0, retries: 1 });
    // 8 fitted in memory (6 dropped as buffer_full); of those, the retried batch met the 401.
    expect(stats.accepted + stats.rejected).toBe(4);
    expect(stats.dropped).toBe(10);
  });

  it('survives callbacks and a logger that throw', async () => {
    const gateway = await gateways.start();
    const { client } = clientFor(gateway, {
      onRejected: () => {
        throw new Error('application bug');
      },
      log: () => {
        throw new Error('logger bug');
      },
    });
    client.track(pageView(1, { bad: true }));
    client.track(pageView(2));
    expect(await client.flush()).toEqual({ accepted: 1, rejected: 1, dropped: 0 });
  });

  it('logs a throwing callback', async () => {
    const gateway = await gateways.start();
    const { client, logs } = clientFor(gateway, {
      onDropped: () => {
        throw new Error('application bug');
      },
    });
    client.track({ type: '' });
    expect(logs).toEqual([{ level: 'error', message: 'weir: onDropped threw; the client carries on', fields: { error: expect.any(Error) } }]);
  });
});
