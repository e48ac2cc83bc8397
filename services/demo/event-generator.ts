/**
 * The demo's events: `next()` gives one event of a starter type (page_view, purchase, api_request)
 * as the gateway takes it (type, id, timestamp, the type's fields). Everything comes from the seed
 * and the clock, so one seed and one clock give one sequence. Event ids are UUIDv7s of the clock
 * and the seeded generator: a second run with the same seed gets new ids, so the processor does
 * not drop its events as duplicates.
 */
import { createUuidV7, type PageView, type Purchase, type ApiRequest } from '../../sdk/src/index.ts';
import { createApiRequests } from './api-requests.ts';
import { spoilApiRequest, spoilPageView, spoilPurchase, type Spoiled } from './bad-events.ts';
import { createPageViews } from './page-views.ts';
import { createPopulation } from './population.ts';
import { createPurchases } from './purchases.ts';
import { createRandom } from './seeded-random.ts';

export const DEMO_TYPES = ['page_view', 'purchase', 'api_request'] as const;
export type DemoType = (typeof DEMO_TYPES)[number];

/** How the traffic splits between the types: mostly page views and API calls, a few orders. */
export const TYPE_WEIGHTS: Readonly<Record<DemoType, number>> = { page_view: 60, api_request: 35, purchase: 5 };

/**
 * Event time is the clock minus up to this much, as if the event had waited a little in a client's
 * buffer: well within the smallest allowedOutOfOrdernessMs of schemas/aggregates (5 s).
 */
export const MAX_EVENT_DELAY_MS = 2_000;

type Sent<E> = E & { id: string; timestamp: number };
export type DemoEvent = Sent<PageView> | Sent<Purchase> | Sent<ApiRequest>;

export interface GeneratedEvent {
  readonly event: DemoEvent;
  /** Set for a deliberately bad event: the rule it breaks. */
  readonly bad?: Spoiled;
}

export interface EventGeneratorOptions {
  readonly seed: number;
  /** Default: all three. */
  readonly types?: readonly DemoType[];
  /** Share of events that break a pipeline rule, 0..1. Default 0. */
  readonly badFraction?: number;
  /** Epoch ms. Default Date.now. */
  readonly now?: () => number;
}

export interface EventGenerator {
  next(): GeneratedEvent;
}

function generated(event: DemoEvent, bad: Spoiled | undefined): GeneratedEvent {
  return bad === undefined ? { event } : { event, bad };
}

export function createEventGenerator(options: EventGeneratorOptions): EventGenerator {
  const types = options.types ?? DEMO_TYPES;
  const badFraction = options.badFraction ?? 0;
  if (types.length === 0 || types.some((t) => !DEMO_TYPES.includes(t))) throw new RangeError(`types must be some of ${DEMO_TYPES.join(', ')}, got ${types.join(', ')}`);
  if (!(badFraction >= 0 && badFraction <= 1)) throw new RangeError(`badFraction must be within 0..1, got ${badFraction}`);
  const now = options.now ?? Date.now;
  const random = createRandom(options.seed);
  const newId = createUuidV7(now, (bytes) => random.fill(bytes));
  const population = createPopulation(random);
  const pageViews = createPageViews(population);
  const purchases = createPurchases(population);
  const apiRequests = createApiRequests(population);
  const mix = types.map((t) => [t, TYPE_WEIGHTS[t]] as const);

  return {
    next() {
      const type = random.weighted(mix);
      const nowMs = now();
      const envelope = { id: newId(), timestamp: nowMs - random.int(0, MAX_EVENT_DELAY_MS) };
      const bad = random.chance(badFraction);
      switch (type) {
        case 'page_view': {
          const fields = pageViews(random, nowMs);
          const spoiled = bad ? spoilPageView(fields, random) : undefined;
          return generated({ type, ...envelope, ...fields }, spoiled);
        }
        case 'purchase': {
          const fields = purchases(random, nowMs);
          const spoiled = bad ? spoilPurchase(fields, random) : undefined;
          return generated({ type, ...envelope, ...fields }, spoiled);
        }
        case 'api_request': {
          const fields = apiRequests(random, nowMs);
          const spoiled = bad ? spoilApiRequest(fields, random) : undefined;
          return generated({ type, ...envelope, ...fields }, spoiled);
        }
      }
    },
  };
}
