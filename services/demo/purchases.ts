/**
 * Paid orders. Each buyer pays in their own currency, with an order value drawn log-normal around
 * a typical basket for that currency (so JPY and KWD amounts look like JPY and KWD amounts), the
 * tax included at the country's usual rate, and mostly one or two items.
 */
import type { Currency, PaymentMethod, Purchase } from '../../sdk/src/index.ts';
import type { Population } from './population.ts';
import type { Random } from './seeded-random.ts';

/** The fields of a purchase; the generator adds type, id and timestamp. */
export type PurchaseFields = Omit<Purchase, 'type' | 'id' | 'timestamp'>;

interface Money {
  /** Decimal places of the minor unit (ISO 4217), as in schemas/pipelines/tables/currency-exponents.json. */
  readonly exponent: number;
  /** A typical single-item order, in major units. */
  readonly typical: number;
  /** Tax included in prices (VAT, GST); 0 where prices are shown without it. */
  readonly taxRate: number;
}

/** Every currency a visitor may pay in (population.ts). */
export const MONEY: Readonly<Partial<Record<Currency, Money>>> = {
  USD: { exponent: 2, typical: 48, taxRate: 0 },
  EUR: { exponent: 2, typical: 42, taxRate: 0.2 },
  GBP: { exponent: 2, typical: 38, taxRate: 0.2 },
  JPY: { exponent: 0, typical: 6_200, taxRate: 0.1 },
  CAD: { exponent: 2, typical: 62, taxRate: 0.13 },
  AUD: { exponent: 2, typical: 70, taxRate: 0.1 },
  INR: { exponent: 2, typical: 2_400, taxRate: 0.18 },
  BRL: { exponent: 2, typical: 230, taxRate: 0.17 },
  CHF: { exponent: 2, typical: 45, taxRate: 0.081 },
  SEK: { exponent: 2, typical: 480, taxRate: 0.25 },
  PLN: { exponent: 2, typical: 190, taxRate: 0.23 },
  KWD: { exponent: 3, typical: 14, taxRate: 0 },
};

const PAYMENT_METHODS: readonly (readonly [PaymentMethod, number])[] = [
  ['CARD', 62],
  ['WALLET', 25],
  ['BANK_TRANSFER', 6],
  ['GIFT_CARD', 3],
  ['CASH_ON_DELIVERY', 2],
  ['OTHER', 2],
];

/** As buyers type them: the pipeline trims and lowercases. */
const COUPONS = ['SPRING10', 'welcome5', ' FREESHIP ', 'Vip20'];
const CHANNELS: readonly (readonly [string, number])[] = [
  ['web', 70],
  ['app', 25],
  ['marketplace', 5],
];

export function createPurchases(population: Population): (random: Random, nowMs: number) => PurchaseFields {
  let sequence = 0;
  return (random, nowMs) => {
    const visitor = population.buyer(random);
    const money = MONEY[visitor.currency];
    if (money === undefined) throw new Error(`no amounts for ${visitor.currency}`);
    // Mostly one or two items; a long tail of larger baskets.
    let items = 1;
    while (items < 12 && random.chance(0.35)) items += 1;
    const major = random.logNormal(money.typical * (0.5 + 0.5 * items), 0.6);
    const scale = 10 ** money.exponent;
    // Prices end in .99 more often than not.
    const amount = Math.max(1, Math.round(major) * scale - (money.exponent > 0 && random.chance(0.6) ? 1 : 0));
    const tax = Math.round((amount * money.taxRate) / (1 + money.taxRate));
    const guest = visitor.userId === null || random.chance(0.1);
    // Phone and marketplace orders come from no tracked visit.
    const tracked = random.chance(0.9);
    const session = tracked ? population.sessionOf(visitor, nowMs, random).session.id : null;
    const properties: Record<string, string> = { channel: random.weighted(CHANNELS) };
    if (random.chance(0.15)) properties['campaign'] = random.pick(['spring_sale', 'newsletter_w12', 'retargeting']);
    sequence += 1;
    return {
      order_id: `ord_${nowMs.toString(36)}_${sequence.toString(36)}${random.base36(3)}`,
      user_id: guest ? null : visitor.userId,
      session_id: session,
      amount_minor: amount,
      tax_minor: tax,
      currency: visitor.currency,
      items_count: items,
      payment_method: random.weighted(PAYMENT_METHODS),
      coupon_code: random.chance(0.12) ? random.pick(COUPONS) : null,
      properties,
    };
  };
}
