import { describe, expect, it } from 'vitest';
import { gate, useFakeGateway } from './fake-gateway.ts';
import { clientFor, ids, pageView, until } from './client-harness.ts';

const unavailable = (retryAfter: string) => ({
  status: 503,
  headers: { 'retry-after': retryAfter },
  body: { error: { code: 'BROKER_UNAVAILABLE', message: 'broker unavailable', retriable: true } },
});
const rateLimited = (retryAfter: string) => ({
  status: 429,
  headers: { 'retry-after': retryAfter, 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': retryAfter },
  body: { error: { code: 'RATE_LIMITED', message: 'slow down', retriable: true } },
});

describe('weir client retries', () => {
  const gateways = useFakeGateway();

  it('waits Retry-After after a 429, then delivers each event once with the same ids', async () => {
    const gateway = await gateways.start();
    gateway.script(rateLimited('2'));
    const { client, clock } = clientFor(gateway, { maxBatchEvents: 3 });
    for (let n = 1; n <= 3; n++) client.track(pageView(n));
    await until('the retry is scheduled', () => clock.pending().includes(2000));
    clock.advance(1999);
    expect(client.stats().requests).toBe(1);
    clock.advance(1);
    await until('the retry is accepted', () => client.stats().accepted === 3);
    const [first, second] = gateway.requests;
    expect(first?.status).toBe(429);
    expect(second?.status).toBe(200);
    expect(ids(second?.events ?? [])).toEqual(ids(first?.events ?? []));
    expect(ids(gateway.accepted)).toEqual(ids(first?.events ?? []));
    expect(client.stats()).toMatchObject({ requests: 2, retries: 1, sent: 3, accepted: 3, dropped: 0, inFlight: 0 });
  });

  it('retries 503s with backoff and full jitter, Retry-After a lower bound only', async () => {
    const gateway = await gateways.start();
    gateway.script(unavailable('1'), unavailable('1'));
    // Jitter draws near the top: ceilings of 4000 then 8000 ms are above the 1 s Retry-After.
    const { client, clock } = clientFor(gateway, { minBackoffMs: 4000, random: () => 0.5 });
    client.track(pageView(1));
    client.track(pageView(2));
    void client.flush();
    await until('the first retry is scheduled', () => clock.pending().includes(2000));
    clock.advance(2000);
    await until('the second retry is scheduled', () => clock.pending().includes(4000));
    clock.advance(3999);
    expect(client.stats().requests).toBe(2);
    clock.advance(1);
    await until('the events are accepted', () => client.stats().accepted === 2);
    expect(gateway.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(gateway.requests.map((r) => JSON.stringify(ids(r.events)))).size).toBe(1);
    expect(gateway.accepted).toHaveLength(2);
  });

  it('retries after a connection reset, resending the same ids', async () => {
    const gateway = await gateways.start();
    gateway.script({ reset: true });
    const { client, clock, logs } = clientFor(gateway, { random: () => 0.5 });
    client.track(pageView(1));
    void client.flush();
    await until('the retry is scheduled', () => clock.pending().includes(50));
    clock.advance(50);
    await until('the event is accepted', () => client.stats().accepted === 1);
    expect(gateway.requests.map((r) => r.status)).toEqual(['reset', 200]);
    expect(gateway.requests[1]?.events[0]?.['id']).toBe(gateway.requests[0]?.events[0]?.['id']);
    expect(logs.find((l) => l.level === 'warn')?.fields).toMatchObject({ code: 'NETWORK_ERROR', attempt: 1, delayMs: 50 });
  });

  it('retries a 500 without a body, and a request that times out', async () => {
    const gateway = await gateways.start();
    const never = gate();
    gateway.script({ status: 500 }, { hold: never.promise });
    const { client, clock, logs } = clientFor(gateway, { requestTimeoutMs: 5000, random: () => 0 });
    client.track(pageView(1));
    void client.flush();
    await until('the second attempt reaches the gateway', () => gateway.requests.length === 2);
    clock.advance(5000);
    await until('the third attempt is accepted', () => client.stats().accepted === 1);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.fields?.['code'])).toEqual(['SERVER_ERROR', 'TIMEOUT']);
    expect(client.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  it('gives up after maxRetries retries: onError once, every event to onDropped', async () => {
    const gateway = await gateways.start();
    gateway.script(unavailable('1'), unavailable('1'), unavailable('1'), unavailable('1'));
    const { client, clock, errors, dropped } = clientFor(gateway, { maxRetries: 2 });
    client.track(pageView(1));
    client.track(pageView(2));
    const flushed = client.flush();
    for (let attempt = 1; attempt <= 2; attempt++) {
      await until(`retry ${attempt} is scheduled`, () => clock.pending().includes(1000));
      clock.advance(1000);
    }
    expect(await flushed).toEqual({ accepted: 0, rejected: 0, dropped: 2 });
    expect(gateway.requests).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'UNAVAILABLE', status: 503, gatewayCode: 'BROKER_UNAVAILABLE', attempts: 3, eventCount: 2, retriable: true });
    expect(dropped.map((d) => [d.event['url'], d.reason])).toEqual([
      ['https://shop.example/p/1', 'retries_exhausted'],
      ['https://shop.example/p/2', 'retries_exhausted'],
    ]);
    expect(client.stats()).toMatchObject({ dropped: 2, inFlight: 0, retries: 2 });
  });

  it.each([
    [401, 'UNAUTHORIZED', { error: { code: 'UNAUTHORIZED', message: 'unknown key', retriable: false } }],
    [415, 'MALFORMED_REQUEST', { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'json only', retriable: false } }],
    [400, 'MALFORMED_REQUEST', { error: { code: 'INVALID_JSON', message: 'not json', retriable: false } }],
    [404, 'UNEXPECTED_STATUS', undefined],
  ])('does not retry a %i: onError %s, events dropped as request_failed', async (status, code, body) => {
    const gateway = await gateways.start();
    gateway.script({ status, body });
    const { client, errors, dropped } = clientFor(gateway);
    client.track(pageView(1));
    expect(await client.flush()).toEqual({ accepted: 0, rejected: 0, dropped: 1 });
    expect(gateway.requests).toHaveLength(1);
    expect(errors.map((e) => [e.code, e.status, e.attempts, e.retriable])).toEqual([[code, status, 1, false]]);
    expect(dropped.map((d) => d.reason)).toEqual(['request_failed']);
  });

  it('splits a batch the gateway finds too large (413) and sends the halves', async () => {
    const gateway = await gateways.start();
    const tooLarge = { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'over 1 MiB', retriable: false } } };
    gateway.script(tooLarge);
    const { client, errors } = clientFor(gateway);
    for (let n = 1; n <= 5; n++) client.track(pageView(n));
    expect(await client.flush()).toEqual({ accepted: 5, rejected: 0, dropped: 0 });
    expect(gateway.requests.map((r) => r.events.length)).toEqual([5, 3, 2]);
    expect(errors).toEqual([]);
  });

  it('splits a batch refused with 403 by event type, so that the allowed types still go', async () => {
    const gateway = await gateways.start();
    gateway.forbid('purchase');
    const { client, errors, dropped } = clientFor(gateway);
    client.track(pageView(1));
    client.track({ type: 'purchase', order_id: 'o-1' });
    client.track(pageView(2));
    expect(await client.flush()).toEqual({ accepted: 2, rejected: 0, dropped: 1 });
    expect(gateway.requests.map((r) => [r.status, r.events.map((e) => e['type'])])).toEqual([
      [403, ['page_view', 'purchase', 'page_view']],
      [200, ['page_view', 'page_view']],
      [403, ['purchase']],
    ]);
    expect(errors.map((e) => [e.code, e.eventCount])).toEqual([['FORBIDDEN', 1]]);
    expect(dropped.map((d) => [d.event.type, d.reason])).toEqual([['purchase', 'request_failed']]);
  });

  it('splits a batch larger than the key burst (429 with RateLimit-Limit) and keeps later batches that small', async () => {
    const gateway = await gateways.start();
    gateway.script({ ...rateLimited('1'), headers: { 'retry-after': '1', 'ratelimit-limit': '2' } });
    const { client, clock, errors } = clientFor(gateway, { maxBatchEvents: 5, maxConcurrentRequests: 1 });
    for (let n = 1; n <= 5; n++) client.track(pageView(n));
    await until('the parts wait for the Retry-After', () => clock.pending().includes(1000));
    expect(client.stats().requests).toBe(1);
    clock.advance(1000);
    await until('the parts are accepted', () => client.stats().accepted === 5);
    for (let n = 6; n <= 10; n++) client.track(pageView(n));
    await client.flush();
    expect(gateway.requests.map((r) => r.events.length)).toEqual([5, 2, 2, 1, 2, 2, 1]);
    expect(ids(gateway.accepted)).toEqual(ids(gateway.requests.slice(1).flatMap((r) => r.events)));
    expect(errors).toEqual([]);
  });

  it('holds every batch back while a Retry-After runs, not only the one that got it', async () => {
    const gateway = await gateways.start();
    gateway.script(rateLimited('5'));
    const { client, clock } = clientFor(gateway, { maxBatchEvents: 1, maxConcurrentRequests: 2 });
    client.track(pageView(1));
    await until('the 429 is handled', () => clock.pending().includes(5000));
    client.track(pageView(2));
    await until('the second batch waits too', () => clock.pending().filter((ms) => ms === 5000).length === 2);
    expect(client.stats()).toMatchObject({ requests: 1, inFlight: 2 });
    clock.advance(5000);
    await until('both are accepted', () => client.stats().accepted === 2);
    expect(gateway.requests).toHaveLength(3);
  });
});
