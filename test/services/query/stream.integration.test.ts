/**
 * Streams on real ClickHouse filled by the real aggregator: a snapshot first, updates after new
 * events are flushed, the missed update after a dropped connection resumed with Last-Event-ID,
 * heartbeats, one shared query for equal subscriptions, and the per-key bound.
 */
import { describe, expect, it } from 'vitest';
import { startTestAggregator, writeAggregateDefinitions } from '../../harness/aggregator.ts';
import { createTestDatabase, serverStore } from '../../harness/clickhouse.ts';
import { counterValue as gaugeValue } from '../../harness/processor.ts';
import { startTestQuery } from '../../harness/query.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { openStream, type ReceivedEvent } from '../../harness/sse-client.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { createSalesType, T0, type Sale } from '../aggregator/fixtures/sales.ts';

const sale = (i: number): Sale => ({ event_id: `s-${i}`, event_time: T0 + i * 1_000, shop: i % 2 === 0 ? 'a' : 'b', user: `u${i % 5}`, amount: i });
const sales = (from: number, n: number) => Array.from({ length: n }, (_, i) => sale(from + i));
const total = (e: ReceivedEvent, shop: string) => (e.data.rows as Array<{ dimensions: { shop: string }; values: { sales: number } }>).filter((r) => r.dimensions.shop === shop).reduce((n, r) => n + r.values.sales, 0);

describe('query streams', () => {
  it('push a snapshot, then updates as windows flush, and resume after a dropped connection', async () => {
    const registryUrl = (await startTestRegistry()).url;
    const type = await createSalesType(registryUrl, 2);
    const store = await serverStore();
    const database = await createTestDatabase(store, 'stream');
    const aggregatesDir = writeAggregateDefinitions({
      [type.type]: { dimensions: ['shop'], measures: [{ kind: 'count', name: 'sales' }], windows: [{ kind: 'tumbling', sizeMs: 60_000 }], allowedOutOfOrdernessMs: 1_000, graceMs: 1_000 },
    });
    await startTestAggregator({ registryUrl, store, database, aggregatesDir });
    await type.produce(sales(0, 100));
    const api = await startTestQuery({ registryUrl, store, database, aggregatesDir, config: { heartbeatMs: 1_000, maxStreamsPerKey: 3 } });
    const params = new URLSearchParams({ type: type.type, measures: 'sales', groupBy: 'shop', granularity: '1h', from: new Date(T0).toISOString(), to: new Date(T0 + 3_600_000).toISOString() });
    const url = `${api.url}/v1/stream?${params}`;
    const auth = { authorization: `Bearer ${api.key}` };
    await waitFor('the first 100 sales queryable', async () => {
      const { body } = await api.request(`/v1/query?${params}`);
      return (body.rows as Array<{ values: { sales: number } }> | undefined)?.reduce((n, r) => n + r.values.sales, 0) === 100;
    });

    const stream = await openStream(url, auth);
    expect(stream.status).toBe(200);
    const snapshot = await stream.next((e) => e.event === 'snapshot');
    expect(total(snapshot, 'a') + total(snapshot, 'b')).toBe(100);
    expect(snapshot.id).toMatch(/^[0-9a-f]{8}\.1$/);

    // A second subscriber of the same query (written differently) shares its runs.
    const reordered = new URLSearchParams([...params].reverse());
    const twin = await openStream(`${api.url}/v1/stream?${reordered}&key=${encodeURIComponent(api.key)}`);
    expect((await twin.next((e) => e.event === 'snapshot')).id).toBe(snapshot.id);
    expect(await gaugeValue(api.metrics, 'weir_query_stream_queries')).toBe(1);
    expect(await gaugeValue(api.metrics, 'weir_query_subscribers')).toBe(2);

    // New sales: an update with only what changed, to both.
    await type.produce(sales(100, 10).map((s) => ({ ...s, shop: 'a' })));
    const update = await stream.next((e) => e.event === 'update' && total(e, 'a') === 60);
    expect(update.data.rows.every((r: { dimensions: { shop: string } }) => r.dimensions.shop === 'a')).toBe(true);
    await twin.next((e) => e.event === 'update' && total(e, 'a') === 60);
    await waitFor('a heartbeat', () => stream.comments > 0);

    // Drop the connection; events flow meanwhile; reconnecting with Last-Event-ID gets the change, not a snapshot.
    const lastId = update.id!;
    stream.close();
    twin.close();
    await waitFor('the subscribers gone', async () => (await gaugeValue(api.metrics, 'weir_query_subscribers')) === 0);
    await type.produce(sales(110, 20).map((s) => ({ ...s, shop: 'b' })));
    const resumed = await openStream(url, { ...auth, 'last-event-id': lastId });
    const missed = await resumed.next((e) => e.event === 'update' && total(e, 'b') === 70);
    expect(resumed.events.some((e) => e.event === 'snapshot')).toBe(false);
    expect(Number(missed.id!.split('.')[1])).toBeGreaterThan(Number(lastId.split('.')[1]));
    // An id the server cannot place gets a fresh snapshot.
    const stale = await openStream(url, { ...auth, 'last-event-id': 'feedbeef.3' });
    const fresh = await stale.next((e) => e.event === 'snapshot');
    expect(total(fresh, 'a') + total(fresh, 'b')).toBe(130);

    // The key holds 2 streams now; a third is allowed, a fourth refused.
    const third = await openStream(url, auth);
    expect(third.status).toBe(200);
    const fourth = await openStream(url, auth);
    expect(fourth.status).toBe(429);
    for (const s of [resumed, stale, third, fourth]) s.close();
    const invalid = await openStream(`${api.url}/v1/stream?type=${type.type}&measures=nope`, auth);
    expect(invalid.status).toBe(400);
    expect((await openStream(url)).status).toBe(401);
  });
});
