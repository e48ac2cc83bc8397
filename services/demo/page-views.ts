/**
 * Page views of three sites: a shop (most of the traffic), its blog and its docs. Pages are drawn
 * with Zipf popularity; the first view of a visit comes from a search engine, a social site, a
 * newsletter link or nowhere (direct), later ones from the page before.
 */
import type { PageView } from '../../sdk/src/index.ts';
import type { Population } from './population.ts';
import { type Random, zipf } from './seeded-random.ts';

/** The fields of a page view; the generator adds type, id and timestamp. */
export type PageViewFields = Omit<PageView, 'type' | 'id' | 'timestamp'>;

interface Page {
  readonly path: string;
  readonly title: string;
  readonly category: string;
}

interface Site {
  readonly host: string;
  readonly weight: number;
  readonly pages: readonly Page[];
  readonly rank: (random: Random) => number;
}

const PRODUCTS = ['trail-runner-2', 'merino-hoodie', 'rain-shell', 'canvas-tote', 'wool-socks-3pack', 'down-vest', 'city-backpack', 'linen-shirt', 'leather-belt', 'beanie', 'chino-shorts', 'fleece-jacket', 'sneaker-classic', 'water-bottle', 'travel-pouch', 'sun-hat', 'flannel-shirt', 'puffer-coat', 'yoga-pants', 'rain-boots'];
const CATEGORIES = ['men', 'women', 'kids', 'outdoor', 'accessories', 'sale', 'new'];
const SEARCHES = ['rain+jacket', 'socks', 'backpack', 'gift', 'merino', 'black+friday'];
const POSTS = ['how-we-source-merino', 'packing-list-for-iceland', 'care-guide-down', 'behind-the-seams', 'spring-lookbook', 'repair-program'];
const GUIDES = ['getting-started', 'orders', 'returns', 'shipping', 'sizing', 'api/authentication', 'api/orders', 'api/webhooks'];

const titleOf = (slug: string) => slug.split(/[-/+]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');

function site(host: string, weight: number, pages: readonly Page[]): Site {
  return { host, weight, pages, rank: zipf(pages.length, 1.1) };
}

const SITES: readonly Site[] = [
  site('shop.example', 6, [
    { path: '/', title: 'Weir Outfitters', category: 'home' },
    ...PRODUCTS.map((p) => ({ path: `/products/${p}`, title: `${titleOf(p)} | Weir Outfitters`, category: 'product' })),
    ...CATEGORIES.map((c) => ({ path: `/collections/${c}`, title: `${titleOf(c)} | Weir Outfitters`, category: 'collection' })),
    { path: '/cart', title: 'Your cart | Weir Outfitters', category: 'cart' },
    ...SEARCHES.map((q) => ({ path: `/search?q=${q}`, title: 'Search | Weir Outfitters', category: 'search' })),
    { path: '/checkout', title: 'Checkout | Weir Outfitters', category: 'checkout' },
    { path: '/account/orders', title: 'Your orders | Weir Outfitters', category: 'account' },
  ]),
  site('blog.shop.example', 2, [
    { path: '/', title: 'The Weir Journal', category: 'blog' },
    ...POSTS.map((p) => ({ path: `/posts/${p}`, title: `${titleOf(p)} - The Weir Journal`, category: 'post' })),
  ]),
  site('docs.shop.example', 2, [
    { path: '/', title: 'Help Center', category: 'docs' },
    ...GUIDES.map((g) => ({ path: `/${g}`, title: `${titleOf(g)} - Help Center`, category: 'docs' })),
  ]),
];

/** Where a visit comes from; null is a direct visit (or a browser that withholds the referrer). */
const ENTRY_REFERRERS: readonly (readonly [string | null, number])[] = [
  [null, 35],
  ['https://www.google.com/', 30],
  ['https://www.bing.com/', 5],
  ['https://duckduckgo.com/', 3],
  ['https://www.reddit.com/r/onebag/', 4],
  ['https://news.ycombinator.com/', 2],
  ['https://t.co/x7Kq2pLm', 4],
  ['https://www.instagram.com/', 5],
  ['https://mail.google.com/', 7],
  ['android-app://com.google.android.gm/', 2],
];

const CAMPAIGNS = ['spring_sale', 'newsletter_w12', 'retargeting', 'brand'];

export function createPageViews(population: Population): (random: Random, nowMs: number) => PageViewFields {
  const siteWeights = SITES.map((s) => [s, s.weight] as const);
  return (random, nowMs) => {
    const visitor = population.visitor(random);
    const { session, started } = population.sessionOf(visitor, nowMs, random);
    const where = random.weighted(siteWeights);
    const page = where.pages[where.rank(random)] as Page;
    let url = `https://${where.host}${page.path}`;
    const properties: Record<string, string> = { page_category: page.category };
    let referrer: string | null;
    if (started || session.lastUrl === undefined) {
      referrer = random.weighted(ENTRY_REFERRERS);
      if (referrer === 'https://mail.google.com/' || random.chance(0.08)) {
        const campaign = random.pick(CAMPAIGNS);
        url += `${url.includes('?') ? '&' : '?'}utm_source=${referrer === null ? 'direct' : 'email'}&utm_campaign=${campaign}`;
        properties['campaign'] = campaign;
      }
    } else {
      referrer = session.lastUrl;
    }
    if (where.host === 'shop.example' && random.chance(0.5)) properties['experiment'] = `checkout_v2:${random.pick(['A', 'B'])}`;
    session.lastUrl = url;
    session.views += 1;
    return {
      url,
      referrer,
      title: random.chance(0.97) ? page.title : null,
      user_id: visitor.userId,
      anonymous_id: visitor.anonymousId,
      session_id: session.id,
      device_type: visitor.device,
      user_agent: visitor.userAgent,
      properties,
    };
  };
}
