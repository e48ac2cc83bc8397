/**
 * Deliberately bad events, to show the dead-letter topic: each is valid for its Avro schema (the
 * gateway accepts it) but breaks one rule of its pipeline in schemas/pipelines/, so the processor
 * sends it to weir.dlq.<type> with the reason named here.
 */
import type { ApiRequestFields } from './api-requests.ts';
import type { PageViewFields } from './page-views.ts';
import type { PurchaseFields } from './purchases.ts';
import type { Random } from './seeded-random.ts';

/** The rule a bad event breaks: the field and the reason code the processor dead-letters it with. */
export interface Spoiled {
  readonly field: string;
  readonly reason: 'pattern_mismatch' | 'out_of_range' | 'not_allowed';
}

type Spoil<F> = (fields: F, random: Random) => Spoiled;

export const spoilPageView: Spoil<PageViewFields> = (fields, random) => {
  if (random.chance(0.5)) {
    // A URL without its scheme, as a hand-rolled tracker might send it.
    fields.url = fields.url.replace(/^https?:\/\//, '');
    return { field: 'url', reason: 'pattern_mismatch' };
  }
  fields.session_id = `${fields.session_id} (restored)`;
  return { field: 'session_id', reason: 'pattern_mismatch' };
};

export const spoilPurchase: Spoil<PurchaseFields> = (fields, random) => {
  const pick = random.int(0, 2);
  if (pick === 0) {
    fields.currency = 'XXX';
    return { field: 'currency', reason: 'not_allowed' };
  }
  if (pick === 1) {
    // A refund sent as a negative purchase.
    fields.amount_minor = -fields.amount_minor;
    return { field: 'amount_minor', reason: 'out_of_range' };
  }
  fields.items_count = 0;
  return { field: 'items_count', reason: 'out_of_range' };
};

export const spoilApiRequest: Spoil<ApiRequestFields> = (fields, random) => {
  const pick = random.int(0, 2);
  if (pick === 0) {
    // The concrete path instead of the route template.
    fields.route = `${fields.route === 'unmatched' ? '/favicon.ico' : fields.route.replace(/:[a-z]+/g, String(random.int(1, 99_999)))}?expand=items`;
    return { field: 'route', reason: 'pattern_mismatch' };
  }
  if (pick === 1) {
    fields.status_code = 0;
    return { field: 'status_code', reason: 'out_of_range' };
  }
  fields.latency_ms = -fields.latency_ms - 1;
  return { field: 'latency_ms', reason: 'out_of_range' };
};
