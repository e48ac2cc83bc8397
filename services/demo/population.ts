/**
 * The people and accounts behind the demo's traffic, made once from the seed: a stable pool of
 * visitors (browsers and app installs, most of them signed-in users) drawn with a Zipf-like
 * popularity, so a few come back all the time and most rarely; their visits (sessions); and the
 * tenants (customer accounts) the API serves.
 */
import type { Currency, DeviceType } from '../../sdk/src/index.ts';
import { type Random, zipf } from './seeded-random.ts';

export const VISITOR_COUNT = 2_000;
export const TENANT_COUNT = 300;
/** A visit ends after 30 minutes without a view, as the SDKs define sessions. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** Views in a visit average about this many before it ends on its own, so sessions turn over in a short demo. */
const MEAN_VIEWS_PER_SESSION = 8;

export interface Session {
  readonly id: string;
  lastSeenMs: number;
  views: number;
  /** The page the visitor is on: the referrer of their next view. */
  lastUrl: string | undefined;
}

export interface Visitor {
  readonly anonymousId: string;
  /** Null for visitors who never sign in. */
  readonly userId: string | null;
  readonly device: DeviceType;
  /** Null for native apps, whose SDK does not send one. */
  readonly userAgent: string | null;
  /** The currency they pay in (their shop locale). */
  readonly currency: Currency;
  session: Session | undefined;
}

export interface Population {
  /** A visitor, the popular ones far more often. */
  visitor(random: Random): Visitor;
  /** A visitor who buys, drawn evenly: the few who browse all day do not buy all day. */
  buyer(random: Random): Visitor;
  /** The visitor's current visit, a new one when the last has ended. `started` says which. */
  sessionOf(visitor: Visitor, nowMs: number, random: Random): { session: Session; started: boolean };
  /** A tenant id, the large customers far more often. */
  tenant(random: Random): string;
}

const DEVICES: readonly (readonly [DeviceType, number])[] = [
  ['DESKTOP', 48],
  ['MOBILE', 40],
  ['TABLET', 8],
  ['TV', 1],
  ['BOT', 3],
];

const USER_AGENTS: Readonly<Record<DeviceType, readonly string[]>> = {
  DESKTOP: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  ],
  MOBILE: [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
  ],
  TABLET: ['Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'],
  TV: ['Mozilla/5.0 (SMART-TV; Linux; Tizen 8.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/7.0 TV Safari/537.36'],
  BOT: ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
  UNKNOWN: ['curl/8.5.0'],
};

/** Where shoppers are, as the currency they pay in. */
const CURRENCIES: readonly (readonly [Currency, number])[] = [
  ['USD', 38],
  ['EUR', 24],
  ['GBP', 9],
  ['JPY', 6],
  ['CAD', 5],
  ['AUD', 4],
  ['INR', 4],
  ['BRL', 3],
  ['CHF', 2],
  ['SEK', 2],
  ['PLN', 2],
  ['KWD', 1],
];

export function createPopulation(random: Random): Population {
  const visitors = Array.from({ length: VISITOR_COUNT }, () => makeVisitor(random));
  const tenants = Array.from({ length: TENANT_COUNT }, () => `t_${random.base36(6)}`);
  const visitorRank = zipf(VISITOR_COUNT, 1.05);
  const tenantRank = zipf(TENANT_COUNT, 1.2);

  return {
    visitor: (r) => visitors[visitorRank(r)] as Visitor,
    buyer: (r) => r.pick(visitors),
    tenant: (r) => tenants[tenantRank(r)] as string,
    sessionOf(visitor, nowMs, r) {
      const current = visitor.session;
      const ended = current === undefined || nowMs - current.lastSeenMs > SESSION_IDLE_MS || r.chance(1 / MEAN_VIEWS_PER_SESSION);
      if (current !== undefined && !ended) {
        current.lastSeenMs = nowMs;
        return { session: current, started: false };
      }
      const session: Session = { id: `s_${r.base36(16)}`, lastSeenMs: nowMs, views: 0, lastUrl: undefined };
      visitor.session = session;
      return { session, started: true };
    },
  };
}

function makeVisitor(random: Random): Visitor {
  const device = random.weighted(DEVICES);
  // Native apps send no user agent; bots never sign in.
  const app = (device === 'MOBILE' || device === 'TABLET') && random.chance(0.3);
  const signedIn = device !== 'BOT' && random.chance(0.6);
  return {
    anonymousId: `a_${random.base36(20)}`,
    userId: signedIn ? `u_${random.base36(10)}` : null,
    device,
    userAgent: app ? null : random.pick(USER_AGENTS[device]),
    currency: random.weighted(CURRENCIES),
    session: undefined,
  };
}
