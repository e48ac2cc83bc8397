/**
 * The generated types as an application meets them. Most of the checking is done by the type
 * checker (`npm run typecheck`): each @ts-expect-error fails the check when the line compiles.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createWeirClient, type PageView, type TrackResult, type WeirEvents } from '../../sdk/src/index.ts';
import { createKafkaEventProducer } from '../../sdk/src/kafka/index.ts';
import { createManualClock } from './manual-clock.ts';

describe('typed events', () => {
  it('checks track() against the generated event types', () => {
    const client = createWeirClient<WeirEvents>(
      {
        endpoint: 'http://127.0.0.1:9',
        writeKey: 'wk',
        onRejected: (event) => {
          // Callbacks get the union, narrowed by type, with id and timestamp always set.
          expectTypeOf(event.id).toEqualTypeOf<string>();
          if (event.type === 'purchase') expectTypeOf(event.amount_minor).toEqualTypeOf<number>();
        },
      },
      { clock: createManualClock() },
    );
    const result = client.track({ type: 'page_view', url: 'https://shop.example/', anonymous_id: 'a', session_id: 's', device_type: 'MOBILE' });
    expectTypeOf(result).toEqualTypeOf<TrackResult>();
    expect(result.queued).toBe(true);
    client.track({ type: 'purchase', order_id: 'o', amount_minor: 1250, currency: 'EUR', items_count: 1, timestamp: new Date(), coupon_code: null });

    const mistakes = () => {
      // @ts-expect-error url is required
      client.track({ type: 'page_view', anonymous_id: 'a', session_id: 's' });
      // @ts-expect-error FRIDGE is not a DeviceType
      client.track({ type: 'page_view', url: 'u', anonymous_id: 'a', session_id: 's', device_type: 'FRIDGE' });
      // @ts-expect-error no such event type
      client.track({ type: 'page_viewed', url: 'u' });
      // @ts-expect-error the schema has no field colour
      client.track({ type: 'page_view', url: 'u', anonymous_id: 'a', session_id: 's', colour: 'red' });
      // @ts-expect-error amounts are numbers
      client.track({ type: 'purchase', order_id: 'o', amount_minor: '12.50', currency: 'EUR', items_count: 1 });
      // @ts-expect-error the envelope is id and timestamp, not event_time
      client.track({ type: 'page_view', url: 'u', anonymous_id: 'a', session_id: 's', event_time: 1 });
    };
    expect(typeof mistakes).toBe('function');
  });

  it('types the optional fields as optional and nullable', () => {
    expectTypeOf<PageView['referrer']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<PageView['properties']>().toEqualTypeOf<Record<string, string> | undefined>();
    expectTypeOf<PageView['timestamp']>().toEqualTypeOf<number | string | Date | undefined>();
  });

  it('checks the Kafka helper against the same types', () => {
    const producer = createKafkaEventProducer<WeirEvents>({
      producer: { send: async () => [] },
      registry: { getLatestSchemaId: async () => 1, encode: async () => Buffer.alloc(0) },
    });
    const send = () => {
      void producer.send('page_view', { url: 'u', anonymous_id: 'a', session_id: 's' });
      // @ts-expect-error anonymous_id is required
      void producer.send('page_view', { url: 'u', session_id: 's' });
      // @ts-expect-error no such event type
      void producer.send('click', {});
    };
    expect(typeof send).toBe('function');
  });
});
