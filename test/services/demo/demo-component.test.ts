/** The demo component against a stand-in gateway (test/sdk/fake-gateway.ts): rate, limits, refusals, stop. */
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoComponent, type DemoComponent } from '../../../services/demo/demo-component.ts';
import type { DemoComponentOptions } from '../../../services/demo/demo-options.ts';
import { DEMO_TYPES } from '../../../services/demo/event-generator.ts';
import { isWeirError } from '../../../services/shared/errors.ts';
import { silentLogger } from '../../../services/shared/logger.ts';
import type { WeirRequestError } from '../../../sdk/src/index.ts';
import { useFakeGateway, WRITE_KEY } from '../../sdk/fake-gateway.ts';
import { waitFor } from '../../harness/wait-for.ts';

describe('demo component', () => {
  const fake = useFakeGateway();
  const started: DemoComponent[] = [];
  const demo = (options: Omit<DemoComponentOptions, 'logger'>): DemoComponent => {
    const component = createDemoComponent({ logger: silentLogger(), ...options });
    started.push(component);
    return component;
  };
  // Stopped before the fake gateways close (hooks run in reverse order of registration).
  afterEach(async () => {
    await Promise.all(started.splice(0).map((c) => c.stop()));
  });

  it('sends about the target rate, every event accepted, and flushes what it holds on stop', async () => {
    const gateway = await fake.start();
    const component = demo({ gatewayUrl: gateway.url, key: WRITE_KEY, ratePerSecond: 400, seed: 11 });
    const t0 = Date.now();
    await component.start();
    await waitFor('400 events sent', () => component.stats().sent >= 400, { timeoutMs: 10_000 });
    await component.stop();
    const seconds = (Date.now() - t0) / 1000;
    const stats = component.stats();
    expect(stats).toMatchObject({ accepted: stats.sent, rejected: 0, errors: 0, bad: 0 });
    expect(gateway.accepted).toHaveLength(stats.sent);
    // Between half and one and a half times the target over the time it ran, plus one tick's worth.
    expect(stats.sent).toBeGreaterThan(400 * seconds * 0.5 - 40);
    expect(stats.sent).toBeLessThan(400 * seconds * 1.5 + 40);
    expect(new Set(gateway.accepted.map((e) => e['type']))).toEqual(new Set(DEMO_TYPES));
    expect(component.health()).toMatchObject({ live: true, ready: false });
  });

  it('stops generating after maxEvents, sends the types under the names given, and counts deliberately bad events', async () => {
    const gateway = await fake.start();
    const component = demo({ gatewayUrl: gateway.url, key: WRITE_KEY, ratePerSecond: 2_000, maxEvents: 300, types: ['purchase'], typeNames: { purchase: 'shop_purchase' }, badFraction: 0.5, seed: 3 });
    await component.start();
    await waitFor('300 events accepted', () => gateway.accepted.length >= 300, { timeoutMs: 10_000 });
    await component.stop();
    expect(component.stats()).toMatchObject({ sent: 300, accepted: 300, rejected: 0, errors: 0 });
    expect(component.stats().bad).toBeGreaterThan(90);
    expect(component.stats().bad).toBeLessThan(210);
    expect(gateway.accepted).toHaveLength(300);
    expect(new Set(gateway.accepted.map((e) => e['type']))).toEqual(new Set(['shop_purchase']));
  });

  it('rides out 429 and 503 with Retry-After: nothing lost, nothing counted as an error', async () => {
    const gateway = await fake.start();
    gateway.script({ status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'RATE_LIMITED', message: 'slow down', retriable: true } } }, { status: 503, headers: { 'Retry-After': '1' }, body: { error: { code: 'UNAVAILABLE', message: 'Kafka away', retriable: true } } });
    const component = demo({ gatewayUrl: gateway.url, key: WRITE_KEY, ratePerSecond: 500, maxEvents: 200, seed: 5 });
    await component.start();
    await waitFor('200 events accepted after the refusals', () => gateway.accepted.length >= 200, { timeoutMs: 15_000 });
    await component.stop();
    expect(gateway.requests.slice(0, 2).map((r) => r.status)).toEqual([429, 503]);
    expect(component.stats()).toMatchObject({ sent: 200, accepted: 200, rejected: 0, errors: 0 });
  });

  it('counts events the gateway refuses for good as errors, reports the failure, and keeps running', async () => {
    const gateway = await fake.start();
    const failures: WeirRequestError[] = [];
    const component = demo({ gatewayUrl: gateway.url, key: 'wk_wrong_key', ratePerSecond: 200, seed: 1, onError: (error) => failures.push(error) });
    await component.start();
    await waitFor('two refused requests', () => failures.length >= 2, { timeoutMs: 10_000 });
    expect(failures[0]).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(component.health()).toMatchObject({ ready: true, detail: { lastError: expect.stringContaining('UNAUTHORIZED') } });
    await component.stop();
    const stats = component.stats();
    expect(stats.accepted).toBe(0);
    expect(stats.errors).toBe(stats.sent);
    expect(stats.sent).toBeGreaterThan(0);
  });

  it('counts events the gateway rejects as invalid', async () => {
    const gateway = await fake.start();
    gateway.validate((event) => (event['type'] === 'purchase' ? [{ path: '/currency', reason: 'not_in_enum', message: 'no' }] : []));
    const component = demo({ gatewayUrl: gateway.url, key: WRITE_KEY, ratePerSecond: 2_000, maxEvents: 400, seed: 8 });
    await component.start();
    await waitFor('400 events answered', () => component.stats().accepted + component.stats().rejected >= 400, { timeoutMs: 10_000 });
    await component.stop();
    const purchases = gateway.requests.flatMap((r) => r.events).filter((e) => e['type'] === 'purchase').length;
    expect(purchases).toBeGreaterThan(0);
    expect(component.stats()).toMatchObject({ sent: 400, rejected: purchases, accepted: 400 - purchases, errors: 0 });
  });

  it('stops idempotently, before start too; concurrent stops share one', async () => {
    const gateway = await fake.start();
    const component = demo({ gatewayUrl: gateway.url, key: WRITE_KEY, ratePerSecond: 50 });
    await component.stop();
    await component.start();
    const [a, b] = [component.stop(), component.stop()];
    expect(a).toBe(b);
    await Promise.all([a, b]);
    await component.stop();
    expect(component.health().ready).toBe(false);
  });

  it('refuses bad options at construction, naming each', () => {
    const attempt = (options: Partial<DemoComponentOptions>) => {
      try {
        createDemoComponent({ gatewayUrl: 'http://127.0.0.1:8080', key: 'k', logger: silentLogger(), ...options });
      } catch (error) {
        if (isWeirError(error, 'CONFIG_INVALID')) return error.message;
        throw error;
      }
      return 'accepted';
    };
    expect(attempt({ ratePerSecond: 0 })).toMatch(/ratePerSecond must be more than 0/);
    expect(attempt({ ratePerSecond: Number.NaN })).toMatch(/ratePerSecond/);
    expect(attempt({ badFraction: 1.1 })).toMatch(/badFraction must be a share from 0 to 1/);
    expect(attempt({ types: [] })).toMatch(/types must be one or more of page_view, purchase, api_request/);
    expect(attempt({ seed: -1 })).toMatch(/seed must be a whole number/);
    expect(attempt({ gatewayUrl: 'localhost:8080' })).toMatch(/gatewayUrl must be the gateway's http\(s\) base URL/);
    expect(attempt({ key: 'two words' })).toMatch(/key must be a write key/);
    expect(attempt({ maxEvents: 0 })).toMatch(/maxEvents/);
    expect(attempt({ typeNames: { page_view: 'Page-View' } })).toMatch(/typeNames.page_view/);
    expect(attempt({ seed: 12 })).toBe('accepted');
  });
});
