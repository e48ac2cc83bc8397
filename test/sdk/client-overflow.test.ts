import { describe, expect, it } from 'vitest';
import { gate, useFakeGateway } from './fake-gateway.ts';
import { clientFor, pageView, until } from './client-harness.ts';

describe('weir client: bounded memory', () => {
  const gateways = useFakeGateway();
  // Nothing leaves on its own: batches of 100 and a long interval, so the buffer only fills.
  const holding = { maxBufferedEvents: 3, maxBatchEvents: 100, flushIntervalMs: 60_000 };

  it('drops the newest event by default, to onDropped, and returns queued: false', async () => {
    const gateway = await gateways.start();
    const { client, dropped } = clientFor(gateway, holding);
    for (let n = 1; n <= 3; n++) expect(client.track(pageView(n)).queued).toBe(true);
    const result = client.track(pageView(4));
    expect(result).toEqual({ queued: false, id: expect.any(String), reason: 'buffer_full' });
    expect(dropped.map((d) => [d.event['url'], d.reason])).toEqual([['https://shop.example/p/4', 'buffer_full']]);
    expect(dropped[0]?.event.id).toBe(result.id);
    expect(await client.flush()).toEqual({ accepted: 3, rejected: 0, dropped: 0 });
    expect(gateway.accepted.map((e) => e['url'])).toEqual([1, 2, 3].map((n) => `https://shop.example/p/${n}`));
    expect(client.stats()).toMatchObject({ tracked: 4, accepted: 3, dropped: 1 });
  });

  it('drops the oldest buffered event under drop-oldest', async () => {
    const gateway = await gateways.start();
    const { client, dropped } = clientFor(gateway, { ...holding, overflow: 'drop-oldest' });
    for (let n = 1; n <= 5; n++) expect(client.track(pageView(n)).queued).toBe(true);
    expect(dropped.map((d) => [d.event['url'], d.reason])).toEqual([
      ['https://shop.example/p/1', 'buffer_full'],
      ['https://shop.example/p/2', 'buffer_full'],
    ]);
    await client.flush();
    expect(gateway.accepted.map((e) => e['url'])).toEqual([3, 4, 5].map((n) => `https://shop.example/p/${n}`));
  });

  it('under reject, refuses the event and leaves it to the caller: no onDropped, not counted', async () => {
    const gateway = await gateways.start();
    const { client, dropped } = clientFor(gateway, { ...holding, overflow: 'reject' });
    for (let n = 1; n <= 3; n++) client.track(pageView(n));
    expect(client.track(pageView(4))).toMatchObject({ queued: false, reason: 'buffer_full' });
    expect(dropped).toEqual([]);
    expect(client.stats()).toMatchObject({ tracked: 3, queued: 3, dropped: 0 });
  });

  it('counts events in flight and waiting to retry against the bound', async () => {
    const gateway = await gateways.start();
    const held = gate();
    gateway.script({ hold: held.promise });
    const { client, dropped } = clientFor(gateway, { maxBufferedEvents: 3, maxBatchEvents: 2, overflow: 'drop-oldest' });
    client.track(pageView(1));
    client.track(pageView(2));
    client.track(pageView(3));
    expect(client.stats()).toMatchObject({ inFlight: 2, queued: 1 });
    // The oldest not yet in a request goes: events in a request cannot be taken back.
    client.track(pageView(4));
    expect(dropped.map((d) => d.event['url'])).toEqual(['https://shop.example/p/3']);
    held.open();
    await client.flush();
    expect(gateway.accepted.map((e) => e['url'])).toEqual([1, 2, 4].map((n) => `https://shop.example/p/${n}`));
  });

  it('drop-oldest drops the new event when every held event is already in flight', async () => {
    const gateway = await gateways.start();
    const held = gate();
    gateway.script({ hold: held.promise });
    const { client, dropped } = clientFor(gateway, { maxBufferedEvents: 2, maxBatchEvents: 2, overflow: 'drop-oldest' });
    client.track(pageView(1));
    client.track(pageView(2));
    expect(client.track(pageView(3))).toMatchObject({ queued: false, reason: 'buffer_full' });
    expect(dropped.map((d) => d.event['url'])).toEqual(['https://shop.example/p/3']);
    held.open();
    await until('the batch is accepted', () => client.stats().accepted === 2);
  });

  it('refuses an event over gatewayLimits.maxEventBytes before it takes memory', async () => {
    const gateway = await gateways.start();
    const { client, dropped } = clientFor(gateway, { gatewayLimits: { maxEventBytes: 400 } });
    expect(client.track(pageView(1, { title: 'x'.repeat(400) }))).toMatchObject({ queued: false, reason: 'event_too_large' });
    expect(client.track(pageView(2, { title: 'x'.repeat(100) })).queued).toBe(true);
    expect(dropped.map((d) => d.reason)).toEqual(['event_too_large']);
    expect(client.stats()).toMatchObject({ tracked: 2, queued: 1, dropped: 1 });
  });

  it('refuses what is not an event without throwing', async () => {
    const gateway = await gateways.start();
    const { client, dropped } = clientFor(gateway);
    const circular: Record<string, unknown> = { type: 'page_view' };
    circular['self'] = circular;
    const notEvents: unknown[] = [null, 'page_view', [], { url: 'no type' }, { type: '' }, circular, { type: 'purchase', amount_minor: 10n }];
    for (const value of notEvents) {
      expect(client.track(value as never)).toMatchObject({ queued: false, reason: 'invalid_event' });
    }
    expect(dropped).toHaveLength(notEvents.length);
    expect(client.stats()).toMatchObject({ tracked: notEvents.length, dropped: notEvents.length, queued: 0 });
  });
});
