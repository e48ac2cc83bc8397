/**
 * The ingest gateway against real Kafka and the real registry: a mixed batch puts exactly its good
 * events in Kafka and reports exactly the documented errors for the bad ones; auth, limits and
 * rate limits answer as documented.
 */
import zlib from 'node:zlib';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCleanup } from '../../harness/cleanup.ts';
import { registerTestEventType, startTestGateway, testKey, type TestGateway } from '../../harness/gateway.ts';
import { testKafka, uniqueGroupId } from '../../harness/kafka.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';

interface Received {
  key: string;
  headers: Record<string, string>;
  value: Record<string, unknown>;
}

async function readTopic(topic: string, registryUrl: string, count: number): Promise<Received[]> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const consumer = testKafka().consumer({ groupId: uniqueGroupId('gw-read') });
  await consumer.connect();
  registerCleanup(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Received[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({
        key: message.key?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        value: (await registry.decode(message.value!)) as Record<string, unknown>,
      });
    },
  });
  await waitFor(`${count} messages on ${topic}`, () => received.length >= count);
  return received;
}

const post = (gateway: TestGateway, secret: string | undefined, body: unknown, init: { path?: string; headers?: Record<string, string>; raw?: Buffer | string } = {}) =>
  fetch(`${gateway.url}${init.path ?? '/v1/events'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }), ...init.headers },
    body: init.raw ?? JSON.stringify(body),
  });

describe('ingest gateway', () => {
  let registryUrl: string;
  let pageView: string;
  let purchase: string;
  let gateway: TestGateway;
  const writer = testKey('writer');
  const pageViewsOnly = testKey('pv-only', { types: [] });
  const slow = testKey('slow', { eventsPerSecond: 1, burst: 5 });

  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
    pageView = (await registerTestEventType(registryUrl, 'page_view')).type;
    purchase = (await registerTestEventType(registryUrl, 'purchase')).type;
    const restricted = { ...pageViewsOnly.key, types: new Set([pageView]) };
    gateway = await startTestGateway({ registryUrl, keys: [writer.key, restricted, slow.key] });
  });

  it('publishes exactly the good events of a mixed batch, and reports each bad one with its path and reason', async () => {
    const t = Date.now() - 60_000;
    const good = [
      { type: pageView, id: 'pv-1', timestamp: t, url: 'https://shop.example/a', anonymous_id: 'a1', session_id: 's1', device_type: 'DESKTOP', user_id: 'u1', properties: { plan: 'pro' } },
      { type: purchase, id: 'buy-1', timestamp: new Date(t).toISOString(), order_id: 'o1', amount_minor: 1999, currency: 'EUR', items_count: 2, user_id: 'u2' },
      { type: pageView, url: 'https://shop.example/b', anonymous_id: 'a2', session_id: 's2', device_type: 'MOBILE' },
    ];
    const bad = [
      { type: pageView, id: 'bad-1', url: 'https://x', anonymous_id: 'a', session_id: 's', device_type: 'PHONE' },
      { type: purchase, id: 'bad-2', order_id: 'o2', amount_minor: 12.5, currency: 'EUR', items_count: 1, coupon: 'X' },
      { type: 'no_such_type_here', id: 'bad-3' },
      { type: pageView, id: 'bad-4', timestamp: Date.now() + 3_600_000, url: 'https://x', anonymous_id: 'a', session_id: 's', device_type: 'TV' },
    ];
    const response = await post(gateway, writer.secret, [good[0], bad[0], good[1], bad[1], bad[2], good[2], bad[3]]);
    expect(response.status).toBe(207);
    const body = (await response.json()) as { accepted: number; rejected: number; errors: { index: number; id: string; errors: { path: string; reason: string }[] }[] };
    expect(body.accepted, JSON.stringify(body)).toBe(3);
    expect(body.rejected).toBe(4);
    expect(body.errors.map((e) => [e.index, e.id, e.errors.map((f) => `${f.path} ${f.reason}`)])).toEqual([
      [1, 'bad-1', ['/device_type not_in_enum']],
      [3, 'bad-2', ['/amount_minor wrong_type', '/coupon unknown_field']],
      [4, 'bad-3', ['/type unknown_event_type']],
      [6, 'bad-4', ['/timestamp event_time_out_of_bounds']],
    ]);

    const views = await readTopic(`weir.raw.${pageView}`, registryUrl, 2);
    const purchases = await readTopic(`weir.raw.${purchase}`, registryUrl, 1);
    expect(views).toHaveLength(2);
    expect(purchases).toHaveLength(1);
    const first = views.find((v) => v.value['event_id'] === 'pv-1')!;
    expect(first.value).toMatchObject({ event_time: t, url: 'https://shop.example/a', anonymous_id: 'a1', session_id: 's1', device_type: 'DESKTOP', user_id: 'u1', referrer: null, properties: { plan: 'pro' } });
    expect(first.key).toBe('u1');
    expect(first.headers).toMatchObject({ 'weir-event-id': 'pv-1', 'weir-key-id': 'writer' });
    expect(Number(first.headers['weir-received-at'])).toBeGreaterThan(t);
    expect(Number(first.headers['weir-schema-id'])).toBeGreaterThan(0);
    const second = views.find((v) => v.value['event_id'] !== 'pv-1')!;
    expect(second.value['event_id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.key).toBe(second.value['event_id']);
    expect(purchases[0]!.value).toMatchObject({ event_id: 'buy-1', event_time: t, order_id: 'o1', amount_minor: 1999, currency: 'EUR', items_count: 2, tax_minor: 0 });
  });

  it('answers 400 with every error when no event is valid, and 200 for a single event on /v1/events/{type}', async () => {
    const none = await post(gateway, writer.secret, [{ type: pageView }]);
    expect(none.status).toBe(400);
    expect(((await none.json()) as { accepted: number }).accepted).toBe(0);
    const single = await post(gateway, writer.secret, { url: 'https://one', anonymous_id: 'a', session_id: 's', device_type: 'BOT' }, { path: `/v1/events/${pageView}` });
    expect(single.status).toBe(200);
    expect(await single.json()).toEqual({ accepted: 1, rejected: 0, errors: [] });
  });

  it('takes gzip and NDJSON bodies', async () => {
    const events = [1, 2, 3].map((i) => ({ type: pageView, url: `https://nd/${i}`, anonymous_id: 'a', session_id: 's', device_type: 'TABLET' }));
    const ndjson = events.map((e) => JSON.stringify(e)).join('\n') + '\n{not json\n';
    const response = await post(gateway, writer.secret, undefined, {
      raw: zlib.gzipSync(ndjson),
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as { accepted: number; errors: { index: number; errors: { reason: string }[] }[] };
    expect(body.accepted).toBe(3);
    expect(body.errors).toEqual([expect.objectContaining({ index: 3, errors: [expect.objectContaining({ reason: 'invalid_json' })] })]);
  });

  it('refuses requests without a valid key (401) and types the key may not write (403)', async () => {
    const event = { type: purchase, order_id: 'o', amount_minor: 1, currency: 'EUR', items_count: 1 };
    const missing = await post(gateway, undefined, [event]);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await post(gateway, 'wk_not_a_real_key_at_all', [event])).status).toBe(401);
    const forbidden = await post(gateway, pageViewsOnly.secret, [event]);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { message: string } }).error.message).toContain(purchase);
  });

  it('enforces the body, batch, event and decompressed-size limits', async () => {
    const small = await startTestGateway({ registryUrl, keys: [writer.key], config: { maxBodyBytes: 4_096, maxBatchEvents: 3, maxEventBytes: 512 } });
    const event = { type: pageView, url: 'https://l', anonymous_id: 'a', session_id: 's', device_type: 'BOT' };
    expect((await post(small, writer.secret, [event, event, event, event])).status).toBe(413);
    expect((await post(small, writer.secret, [{ ...event, url: 'x'.repeat(5_000) }])).status).toBe(413);
    const bomb = zlib.gzipSync(JSON.stringify([{ ...event, url: 'y'.repeat(1_000_000) }]));
    expect(bomb.length).toBeLessThan(4_096);
    const bombed = await post(small, writer.secret, undefined, { raw: bomb, headers: { 'content-encoding': 'gzip' } });
    expect(bombed.status).toBe(413);
    expect(((await bombed.json()) as { error: { code: string } }).error.code).toBe('BODY_TOO_LARGE');
    const oneBig = await post(small, writer.secret, [event, { ...event, url: 'z'.repeat(600) }]);
    expect(oneBig.status).toBe(207);
    expect(((await oneBig.json()) as { errors: { index: number; errors: { reason: string }[] }[] }).errors[0]).toMatchObject({ index: 1, errors: [{ reason: 'too_long' }] });
  });

  it('answers 429 with Retry-After and RateLimit headers over the key rate', async () => {
    const event = { type: pageView, url: 'https://r', anonymous_id: 'a', session_id: 's', device_type: 'BOT' };
    expect((await post(gateway, slow.secret, [event, event, event, event])).status).toBe(200);
    const limited = await post(gateway, slow.secret, [event, event]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-limit')).toBe('5');
    expect(limited.headers.get('ratelimit-remaining')).toBe('1');
  });

  it('answers malformed bodies with 4xx and a reason', async () => {
    const cases: [Record<string, string>, string | Buffer, number][] = [
      [{}, '{"events": 5}', 400],
      [{}, '[1, 2', 400],
      [{ 'content-type': 'text/plain' }, '[]', 415],
      [{ 'content-encoding': 'br' }, '[]', 415],
      [{ 'content-encoding': 'gzip' }, zlib.gzipSync('[{"type":"x"}]').subarray(0, 12), 400],
    ];
    for (const [headers, raw, status] of cases) {
      const response = await post(gateway, writer.secret, undefined, { headers, raw });
      expect(response.status, `${JSON.stringify(headers)} ${String(raw).slice(0, 20)}`).toBe(status);
      expect(((await response.json()) as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
    }
  });

  it('serves its OpenAPI document and ops endpoints', async () => {
    const doc = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/events/{type}']));
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain('weir_gateway_events_accepted_total');
  });
});
