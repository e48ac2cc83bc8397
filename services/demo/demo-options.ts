/**
 * The demo's options, checked once: what createDemoComponent takes, and the frozen, complete
 * parameters it runs with. A bad option is a CONFIG_INVALID error naming the option and the fix.
 */
import type { WeirRequestError } from '../../sdk/src/index.ts';
import { WeirError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { DEMO_TYPES, type DemoType } from './event-generator.ts';

export const DEMO_DEFAULTS = {
  ratePerSecond: 50, // events/s
  badFraction: 0, // share of events
} as const;

/** More than a laptop gateway takes comfortably; the demo is not a load generator (see npm run bench:ingest). */
export const MAX_RATE_PER_SECOND = 10_000; // events/s

export interface DemoComponentOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:8080. */
  readonly gatewayUrl: string;
  /** A write key that may send the chosen types. */
  readonly key: string;
  /** Average events per second over all types. Default 50. */
  readonly ratePerSecond?: number;
  /** Default: page_view, purchase and api_request. */
  readonly types?: readonly DemoType[];
  /** Share of events, 0..1, that break a pipeline rule and end in weir.dlq.<type>. Default 0. */
  readonly badFraction?: number;
  /** Seed of the generator, 0..2^32-1: the same seed gives the same traffic. Default: a random one, logged at start. */
  readonly seed?: number;
  /** Stop generating after this many events (stop() then flushes them). Default: no limit. */
  readonly maxEvents?: number;
  /** The event type each starter type is sent as, when the gateway registered it under another name. Default: its own name. */
  readonly typeNames?: Readonly<Partial<Record<DemoType, string>>>;
  /** Called with each request that failed for good (after the SDK's retries), beside the warning logged. */
  readonly onError?: (error: WeirRequestError) => void;
  readonly logger: Logger;
}

export interface DemoParams {
  readonly gatewayUrl: string;
  readonly key: string;
  readonly ratePerSecond: number;
  readonly types: readonly DemoType[];
  readonly badFraction: number;
  readonly seed: number;
  readonly maxEvents: number;
  readonly typeNames: Readonly<Record<DemoType, string>>;
}

export function resolveDemoOptions(options: DemoComponentOptions, randomSeed: () => number = () => Math.floor(Math.random() * 2 ** 32)): DemoParams {
  const problems: string[] = [];
  const gatewayUrl = checkUrl(options.gatewayUrl, problems);
  if (typeof options.key !== 'string' || !/^[\x21-\x7e]+$/.test(options.key)) problems.push('key must be a write key: printable ASCII without spaces');
  const ratePerSecond = options.ratePerSecond ?? DEMO_DEFAULTS.ratePerSecond;
  if (typeof ratePerSecond !== 'number' || !(ratePerSecond > 0 && ratePerSecond <= MAX_RATE_PER_SECOND)) {
    problems.push(`ratePerSecond must be more than 0 and at most ${MAX_RATE_PER_SECOND} events/s, got ${String(ratePerSecond)}`);
  }
  const types = options.types ?? DEMO_TYPES;
  if (types.length === 0 || types.some((t) => !DEMO_TYPES.includes(t))) problems.push(`types must be one or more of ${DEMO_TYPES.join(', ')}, got [${types.join(', ')}]`);
  const badFraction = options.badFraction ?? DEMO_DEFAULTS.badFraction;
  if (typeof badFraction !== 'number' || !(badFraction >= 0 && badFraction <= 1)) problems.push(`badFraction must be a share from 0 to 1, got ${String(badFraction)}`);
  const seed = options.seed ?? randomSeed();
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) problems.push(`seed must be a whole number from 0 to ${2 ** 32 - 1}, got ${String(seed)}`);
  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  if (maxEvents !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(maxEvents) && maxEvents > 0)) problems.push(`maxEvents must be a whole number above 0, got ${String(maxEvents)}`);
  const typeNames = Object.fromEntries(DEMO_TYPES.map((t) => [t, options.typeNames?.[t] ?? t])) as Record<DemoType, string>;
  for (const [type, name] of Object.entries(typeNames)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) problems.push(`typeNames.${type} must be an event type name (^[a-z][a-z0-9_]*$), got ${JSON.stringify(name)}`);
  }
  if (problems.length > 0) throw new WeirError('CONFIG_INVALID', `demo: ${problems.join('; ')}`, { details: { problems } });
  return Object.freeze({ gatewayUrl, key: options.key, ratePerSecond, types: Object.freeze([...new Set(types)]), badFraction, seed, maxEvents, typeNames: Object.freeze(typeNames) });
}

function checkUrl(raw: unknown, problems: string[]): string {
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    problems.push(`gatewayUrl must be the gateway's http(s) base URL, such as http://127.0.0.1:8080, got ${JSON.stringify(raw)}`);
    return '';
  }
  return url.href.replace(/\/+$/, '');
}
