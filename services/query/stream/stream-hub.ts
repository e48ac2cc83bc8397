/**
 * Streams share work. Subscribers of the same query (same canonical JSON, whoever asks) share one
 * running query: it runs once when the first subscribes and again only when its type's data
 * changed (one cheap look at the aggregator's progress rows per type and interval), when a
 * relative range moved on, or every 30 s (so open buckets turn final). Each run is diffed against
 * the last; changed and removed rows go to every subscriber as one `update` event.
 *
 * Event ids are `<epoch>.<seq>`: a client that reconnects with Last-Event-ID gets the updates it
 * missed, if this shared query still has them (the last 256, kept 60 s after the last subscriber
 * left), and a fresh snapshot otherwise.
 */
import crypto from 'node:crypto';
import type { Logger } from '../../shared/logger.ts';
import type { ResultRow } from '../query/evaluate-rows.ts';
import { planBuckets } from '../query/plan-buckets.ts';
import type { QuerySpec } from '../query/query-spec.ts';
import { queryResponse, type QueryOutcome, type QueryRunner } from '../query/run-query.ts';
import { QueryError } from '../query-error.ts';
import { formatInZone } from '../time/zone-clock.ts';
import type { SseConnection, SseEvent } from './sse.ts';

export const HISTORY = 256;
export const LINGER_MS = 60_000;
export const REFRESH_MS = 30_000;

export interface StreamHubOptions {
  readonly runner: QueryRunner;
  /** Changes whenever the aggregator wrote to this type's table. */
  readonly fingerprint: (type: string) => Promise<string>;
  readonly intervalMs: number;
  readonly maxPerKey: number;
  readonly maxBuckets: number;
  readonly logger: Logger;
  readonly onUpdate?: () => void;
  readonly now?: () => number;
}

interface Subscriber {
  readonly connection: SseConnection;
  readonly keyId: string;
}

interface Shared {
  readonly key: string;
  readonly spec: QuerySpec;
  readonly epoch: string;
  seq: number;
  rows: Map<string, string>;
  history: Array<{ seq: number; event: SseEvent }>;
  last: QueryOutcome | undefined;
  lastRunAt: number;
  fingerprint: string | undefined;
  range: string;
  readonly subscribers: Set<Subscriber>;
  idleSince: number | undefined;
  running: Promise<void> | undefined;
}

const rowKey = (r: ResultRow) => `${r.start}\u0000${JSON.stringify(r.dimensions)}`;

export class StreamHub {
  readonly #options: StreamHubOptions;
  readonly #shared = new Map<string, Shared>();
  readonly #perKey = new Map<string, number>();
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;

  constructor(options: StreamHubOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#tick(), this.#options.intervalMs);
  }

  stats(): { subscribers: number; queries: number } {
    let subscribers = 0;
    for (const s of this.#shared.values()) subscribers += s.subscribers.size;
    return { subscribers, queries: [...this.#shared.values()].filter((s) => s.subscribers.size > 0).length };
  }

  /**
   * Refuses with TOO_MANY_STREAMS past the key's bound, or with the query's error before any
   * event. Then opens the stream, sends the snapshot (or the missed updates), and keeps sending
   * updates until the connection closes.
   */
  async subscribe(spec: QuerySpec, canonical: string, keyId: string, lastEventId: string | undefined, open: (onClose: () => void) => SseConnection): Promise<void> {
    const held = this.#perKey.get(keyId) ?? 0;
    if (held >= this.#options.maxPerKey) {
      throw new QueryError('TOO_MANY_STREAMS', `this key holds ${held} open streams, the most it may (WEIR_QUERY_MAX_STREAMS_PER_KEY): close one first`, { headers: { 'Retry-After': '5' } });
    }
    let shared = this.#shared.get(canonical);
    if (shared === undefined) {
      shared = { key: canonical, spec, epoch: crypto.randomBytes(4).toString('hex'), seq: 0, rows: new Map(), history: [], last: undefined, lastRunAt: 0, fingerprint: undefined, range: '', subscribers: new Set(), idleSince: undefined, running: undefined };
      this.#shared.set(canonical, shared);
    }
    const entry = shared;
    entry.idleSince = undefined;
    this.#perKey.set(keyId, held + 1);
    try {
      if (entry.last === undefined) await this.#refresh(entry, true);
    } catch (error) {
      this.#release(entry, keyId);
      throw error;
    }
    let gone = false;
    let subscriber: Subscriber | undefined;
    const connection = open(() => {
      if (gone) return;
      gone = true;
      if (subscriber !== undefined) entry.subscribers.delete(subscriber);
      this.#release(entry, keyId);
    });
    const missed = this.#missed(entry, lastEventId);
    if (missed === undefined) connection.send(this.#snapshot(entry));
    else for (const event of missed) connection.send(event);
    if (gone) return;
    subscriber = { connection, keyId };
    entry.subscribers.add(subscriber);
  }

  #release(shared: Shared, keyId: string): void {
    const held = (this.#perKey.get(keyId) ?? 1) - 1;
    if (held <= 0) this.#perKey.delete(keyId);
    else this.#perKey.set(keyId, held);
    if (shared.subscribers.size === 0) shared.idleSince = this.#now();
  }

  #snapshot(shared: Shared): SseEvent {
    return { id: `${shared.epoch}.${shared.seq}`, event: 'snapshot', data: queryResponse(shared.last!) };
  }

  /** The updates after `lastEventId`, or undefined when they cannot be told (then: a snapshot). */
  #missed(shared: Shared, lastEventId: string | undefined): SseEvent[] | undefined {
    if (lastEventId === undefined) return undefined;
    const [epoch, seqText] = lastEventId.split('.');
    const seq = Number(seqText);
    if (epoch !== shared.epoch || !Number.isSafeInteger(seq) || seq > shared.seq) return undefined;
    const oldest = shared.history[0]?.seq ?? shared.seq + 1;
    if (seq < oldest - 1 && seq !== shared.seq) return undefined;
    return shared.history.filter((h) => h.seq > seq).map((h) => h.event);
  }

  async #refresh(shared: Shared, initial: boolean): Promise<void> {
    const run = async () => {
      const outcome = await this.#options.runner.run(shared.spec);
      shared.lastRunAt = this.#now();
      const keys = outcome.rows.map(rowKey);
      const next = new Map(outcome.rows.map((r, i) => [keys[i]!, JSON.stringify(r)]));
      const previous = shared.rows;
      shared.rows = next;
      shared.last = outcome;
      if (initial) {
        shared.seq = 1;
        return;
      }
      const response = queryResponse(outcome);
      const changed = response.rows.filter((_, i) => previous.get(keys[i]!) !== next.get(keys[i]!));
      const removed = [...previous.keys()].filter((k) => !next.has(k)).map((k) => {
        const row = JSON.parse(previous.get(k)!) as ResultRow;
        return { start: formatInZone(row.start, shared.spec.timeZone), dimensions: row.dimensions };
      });
      if (changed.length === 0 && removed.length === 0) return;
      shared.seq += 1;
      const event: SseEvent = { id: `${shared.epoch}.${shared.seq}`, event: 'update', data: { rows: changed, removed, meta: response.meta } };
      shared.history.push({ seq: shared.seq, event });
      if (shared.history.length > HISTORY) shared.history.shift();
      for (const s of shared.subscribers) {
        s.connection.send(event);
        this.#options.onUpdate?.();
      }
    };
    shared.running ??= run().finally(() => (shared.running = undefined));
    await shared.running;
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const t = this.#now();
      for (const [key, shared] of this.#shared) {
        if (shared.idleSince !== undefined && t - shared.idleSince >= LINGER_MS) this.#shared.delete(key);
      }
      const byType = new Map<string, Shared[]>();
      for (const s of this.#shared.values()) {
        if (s.subscribers.size === 0 || s.last === undefined) continue;
        byType.set(s.spec.type.type, [...(byType.get(s.spec.type.type) ?? []), s]);
      }
      for (const [type, list] of byType) {
        let fingerprint: string;
        try {
          fingerprint = await this.#options.fingerprint(type);
        } catch (error) {
          this.#options.logger.warn({ err: error, type }, 'stream: could not look for new data; trying again at the next interval');
          continue;
        }
        for (const shared of list) {
          const plan = planBuckets(shared.spec, t, this.#options.maxBuckets);
          const range = `${plan.fromMs}/${plan.toMs}`;
          if (fingerprint === shared.fingerprint && range === shared.range && t - shared.lastRunAt < REFRESH_MS) continue;
          try {
            await this.#refresh(shared, false);
            shared.fingerprint = fingerprint;
            shared.range = range;
          } catch (error) {
            const e = error instanceof QueryError ? error : new QueryError('INTERNAL', 'the query failed');
            this.#options.logger.warn({ err: error, type }, 'stream: a query failed; trying again at the next interval');
            for (const s of shared.subscribers) s.connection.send({ event: 'unavailable', data: e.toBody() });
          }
        }
      }
    } finally {
      this.#ticking = false;
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const shared of this.#shared.values()) for (const s of shared.subscribers) s.connection.close();
    this.#shared.clear();
    this.#perKey.clear();
  }
}
