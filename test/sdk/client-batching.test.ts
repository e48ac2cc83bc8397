import { describe, expect, it } from 'vitest';
import { uuidV7Millis } from '../../sdk/src/uuid-v7.ts';
import { gate, useFakeGateway } from './fake-gateway.ts';
import { clientFor, ids, pageView, until } from './client-harness.ts';

describe('weir client batching', () => {
  const gateways = useFakeGateway();

  it('sends a batch as soon as it holds maxBatchEvents events, and not before', async () => {
    const gateway = await gateways.start();
    const { client } = clientFor(gateway, { maxBatchEvents: 3 });
    client.track(pageView(1));
    client.track(pageView(2));
    expect(client.stats()).toMatchObject({ queued: 2, inFlight: 0, sent: 0 });
    client.track(pageView(3));
    client.track(pageView(4));
    // Batches are cut synchronously in track(): the first three are in a request already.
    expect(client.stats()).toMatchObject({ queued: 1, inFlight: 3, sent: 3 });
    await until('the batch is accepted', () => client.stats().accepted === 3);
    expect(gateway.requests).toHaveLength(1);
    expect(gateway.requests[0]?.events.map((e) => e['url'])).toEqual([1, 2, 3].map((n) => `https://shop.example/p/${n}`));
    expect(client.stats().queued).toBe(1);
  });

  it('sends a batch before its body would pass maxBatchBytes, keeping the event that does not fit', async () => {
    const gateway = await gateways.start();
    const { client } = clientFor(gateway, { maxBatchBytes: 1000, maxBatchEvents: 100 });
    const padded = (n: number) => pageView(n, { title: 'x'.repeat(150) });
    const size = Buffer.byteLength(JSON.stringify({ ...padded(1), id: '0'.repeat(36), timestamp: 1_767_225_600_000 }));
    const fit = Math.floor((1000 - 1) / (size + 1)); // "[" + n events + n-1 commas + "]"
    for (let n = 1; n <= fit; n++) client.track(padded(n));
    expect(client.stats().inFlight).toBe(0);
    client.track(padded(fit + 1));
    expect(client.stats()).toMatchObject({ inFlight: fit, queued: 1 });
    await until('the batch is accepted', () => client.stats().accepted === fit);
    expect(gateway.requests[0]?.jsonBytes).toBeLessThanOrEqual(1000);
    expect(gateway.requests[0]?.jsonBytes).toBeGreaterThan(1000 - size);
  });

  it('sends a partial batch flushIntervalMs after its first event', async () => {
    const gateway = await gateways.start();
    const { client, clock } = clientFor(gateway, { flushIntervalMs: 1000 });
    client.track(pageView(1));
    clock.advance(600);
    client.track(pageView(2));
    clock.advance(399);
    expect(client.stats()).toMatchObject({ queued: 2, requests: 0 });
    clock.advance(1);
    expect(client.stats()).toMatchObject({ queued: 0, inFlight: 2 });
    await until('both are accepted', () => client.stats().accepted === 2);
    expect(gateway.requests).toHaveLength(1);
    // The next event starts its own interval.
    client.track(pageView(3));
    clock.advance(999);
    expect(client.stats().queued).toBe(1);
    clock.advance(1);
    await until('the third is accepted', () => client.stats().accepted === 3);
  });

  it('gzips bodies over gzipThresholdBytes and sends small ones plain', async () => {
    const gateway = await gateways.start();
    const { client } = clientFor(gateway, { gzipThresholdBytes: 4096 });
    client.track(pageView(1));
    await client.flush();
    for (let n = 0; n < 100; n++) client.track(pageView(n, { title: `A fairly repetitive page title number ${n}` }));
    await client.flush();
    const [small, large] = gateway.requests;
    expect(small?.headers['content-encoding']).toBeUndefined();
    expect(small?.wireBytes).toBe(small?.jsonBytes);
    expect(large?.headers['content-encoding']).toBe('gzip');
    expect(large?.jsonBytes).toBeGreaterThan(4096);
    expect(large?.wireBytes).toBeLessThan((large?.jsonBytes ?? 0) / 4);
    expect(large?.events).toHaveLength(100);
    expect(large?.events[99]?.['title']).toBe('A fairly repetitive page title number 99');
  });

  it('gives events a UUIDv7 id and the time of track() when they have none, and keeps given ones', async () => {
    const gateway = await gateways.start();
    const { client, clock } = clientFor(gateway);
    const app = pageView(1);
    const result = client.track(app);
    client.track(pageView(2, { id: '0190a6f1-0000-7000-8000-000000000002', timestamp: '2026-01-01T00:00:00Z' }));
    app['url'] = 'changed after track()';
    await client.flush();
    const [first, second] = gateway.requests[0]?.events ?? [];
    expect(result).toEqual({ queued: true, id: first?.['id'] });
    expect(uuidV7Millis(String(first?.['id']))).toBe(clock.now());
    expect(first?.['timestamp']).toBe(clock.now());
    expect(first?.['url']).toBe('https://shop.example/p/1');
    expect(app['id']).toBeUndefined();
    expect(second).toMatchObject({ id: '0190a6f1-0000-7000-8000-000000000002', timestamp: '2026-01-01T00:00:00Z' });
  });

  it('does not add id or timestamp beside event_id or event_time', async () => {
    const gateway = await gateways.start();
    const { client } = clientFor(gateway);
    const result = client.track(pageView(1, { event_id: '0190a6f1-0000-7000-8000-000000000009', event_time: 5 }));
    await client.flush();
    expect(result).toEqual({ queued: true, id: '0190a6f1-0000-7000-8000-000000000009' });
    expect(Object.keys(gateway.requests[0]?.events[0] ?? {})).not.toContain('id');
    expect(Object.keys(gateway.requests[0]?.events[0] ?? {})).not.toContain('timestamp');
  });

  it('keeps at most maxConcurrentRequests requests in flight', async () => {
    const gateway = await gateways.start();
    const held = gate();
    gateway.script({ hold: held.promise }, { hold: held.promise });
    const { client } = clientFor(gateway, { maxBatchEvents: 1, maxConcurrentRequests: 2 });
    for (let n = 1; n <= 5; n++) client.track(pageView(n));
    expect(client.stats()).toMatchObject({ inFlight: 2, queued: 3 });
    await until('two requests reach the gateway', () => gateway.requests.length === 2);
    expect(client.stats().queued).toBe(3);
    held.open();
    await until('all five are accepted', () => client.stats().accepted === 5);
    expect(gateway.maxConcurrent).toBe(2);
    expect(ids(gateway.accepted)).toHaveLength(5);
  });
});
