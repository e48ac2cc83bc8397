import { describe, expect, it } from 'vitest';
import { useFakeGateway } from './fake-gateway.ts';
import { clientFor, pageView } from './client-harness.ts';

describe('weir client: events the gateway rejects', () => {
  const gateways = useFakeGateway();

  it('reports the rejected events of a 207 with their errors, keeps the accepted ones, and resends nothing', async () => {
    const gateway = await gateways.start();
    const { client, rejected, errors, dropped } = clientFor(gateway);
    client.track(pageView(1));
    const bad = client.track(pageView(2, { bad: true }));
    client.track(pageView(3));
    expect(await client.flush()).toEqual({ accepted: 2, rejected: 1, dropped: 0 });
    expect(gateway.requests.map((r) => r.status)).toEqual([207]);
    expect(rejected).toEqual([
      {
        event: expect.objectContaining({ id: bad.id, url: 'https://shop.example/p/2', bad: true }),
        errors: [{ path: '/bad', reason: 'unknown_field', message: 'the schema has no field bad' }],
      },
    ]);
    expect(errors).toEqual([]);
    expect(dropped).toEqual([]);
    expect(client.stats()).toMatchObject({ accepted: 2, rejected: 1, requests: 1, retries: 0 });
  });

  it('reports every event of a 400 batch in which none is valid, and resends nothing', async () => {
    const gateway = await gateways.start();
    gateway.validate((event) => [{ path: '/device_type', reason: 'not_in_enum', message: `${String(event['device_type'])} is no DeviceType` }]);
    const { client, rejected } = clientFor(gateway);
    client.track(pageView(1, { device_type: 'FRIDGE' }));
    client.track(pageView(2, { device_type: 'TOASTER' }));
    expect(await client.flush()).toEqual({ accepted: 0, rejected: 2, dropped: 0 });
    expect(gateway.requests.map((r) => r.status)).toEqual([400]);
    expect(rejected.map((r) => [r.event['device_type'], r.errors[0]?.reason])).toEqual([
      ['FRIDGE', 'not_in_enum'],
      ['TOASTER', 'not_in_enum'],
    ]);
  });

  it('drops a batch whose 207 answer it cannot read, reporting BAD_RESPONSE, without resending', async () => {
    const gateway = await gateways.start();
    gateway.script({ status: 207, body: { accepted: 1, rejected: 1, errors: [{ index: 7, errors: [] }] } });
    const { client, errors, dropped } = clientFor(gateway);
    client.track(pageView(1));
    client.track(pageView(2));
    expect(await client.flush()).toEqual({ accepted: 0, rejected: 0, dropped: 2 });
    expect(errors.map((e) => [e.code, e.status])).toEqual([['BAD_RESPONSE', 207]]);
    expect(errors[0]?.message).toContain('index 7');
    expect(dropped.map((d) => d.reason)).toEqual(['request_failed', 'request_failed']);
    expect(gateway.requests).toHaveLength(1);
  });
});
