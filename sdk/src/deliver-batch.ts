/**
 * Delivers one batch: sends it, retries what may be retried (429, 503, other 5xx, network errors,
 * timeouts) with backoff, and settles every event of the batch exactly once: accepted, rejected
 * (never resent) or dropped. The body is built once, so every retry resends the same bytes and
 * the same event ids. Never rejects.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { backoffDelay, MAX_RETRY_AFTER_MS } from './backoff.ts';
import { sleep, type Clock } from './clock.ts';
import { WeirError, WeirRequestError } from './errors.ts';
import { bodyBytes, type BufferedEvent } from './event-buffer.ts';
import { readGatewayAnswer, type GatewayAnswer } from './gateway-answer.ts';
import type { ClientParams } from './options.ts';
import type { DropReason, FieldError } from './types.ts';

const gzip = promisify(zlib.gzip);

export type Outcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'rejected'; readonly errors: readonly FieldError[] }
  | { readonly kind: 'dropped'; readonly reason: DropReason };

type DeliveryParams = Pick<
  ClientParams<never>,
  'url' | 'authorization' | 'gzipThresholdBytes' | 'maxRetries' | 'minBackoffMs' | 'maxBackoffMs' | 'requestTimeoutMs' | 'fetch' | 'log'
>;

export interface DeliveryContext<E> {
  readonly params: DeliveryParams;
  readonly clock: Clock;
  readonly random: () => number;
  /** Aborted when close() runs out of time: stop waiting, abort the request, drop the batch. */
  readonly shutdown: AbortSignal;
  /** What one batch learns for all: after a Retry-After none is sent before pausedUntil (ms); maxEvents from a 429's RateLimit-Limit. */
  readonly shared: { pausedUntil: number; maxEvents: number };
  countRequest(isRetry: boolean): void;
  settle(items: readonly BufferedEvent<E>[], outcome: Outcome): void;
  reportError(error: WeirRequestError): void;
}

export async function deliverBatch<E extends { readonly type: string }>(batch: readonly BufferedEvent<E>[], ctx: DeliveryContext<E>): Promise<void> {
  const body = await encodeBody(batch, ctx.params.gzipThresholdBytes);
  for (let attempt = 1; ; attempt++) {
    await sleep(ctx.clock, ctx.shared.pausedUntil - ctx.clock.now(), ctx.shutdown);
    if (ctx.shutdown.aborted) return ctx.settle(batch, { kind: 'dropped', reason: 'shutdown_timeout' });
    ctx.countRequest(attempt > 1);
    const answer = await send(body, batch.length, ctx);
    if (answer.kind === 'results') return settleResults(batch, answer.rejected, ctx);
    if (ctx.shutdown.aborted) return ctx.settle(batch, { kind: 'dropped', reason: 'shutdown_timeout' });

    const { error } = answer;
    if (answer.retryAfterMs !== undefined) {
      // The gateway's wait holds for every batch, not only this one (without this one's jitter).
      const until = ctx.clock.now() + Math.min(answer.retryAfterMs, MAX_RETRY_AFTER_MS);
      ctx.shared.pausedUntil = Math.max(ctx.shared.pausedUntil, until);
    }
    if (answer.rateLimit !== undefined) ctx.shared.maxEvents = Math.min(ctx.shared.maxEvents, answer.rateLimit);
    const parts = partsOf(batch, error, answer.rateLimit);
    if (parts.length > 1) {
      ctx.params.log('warn', 'weir: the gateway refused a batch as a whole; sending it in parts', { code: error.code, events: batch.length, parts: parts.length });
      for (const part of parts) await deliverBatch(part, ctx);
      return;
    }
    if (!error.retriable || attempt > ctx.params.maxRetries) {
      ctx.reportError(new WeirRequestError(error, attempt, batch.length));
      return ctx.settle(batch, { kind: 'dropped', reason: error.retriable ? 'retries_exhausted' : 'request_failed' });
    }
    const delayMs = backoffDelay(attempt, ctx.params, ctx.random, answer.retryAfterMs);
    ctx.params.log('warn', 'weir: request failed; retrying', { code: error.code, status: error.status, attempt, delayMs, events: batch.length });
    await sleep(ctx.clock, delayMs, ctx.shutdown);
  }
}

interface Body {
  readonly data: string | Uint8Array;
  readonly gzipped: boolean;
}

async function encodeBody(batch: readonly BufferedEvent<unknown>[], gzipThresholdBytes: number): Promise<Body> {
  const json = `[${batch.map((item) => item.json).join(',')}]`;
  const size = bodyBytes(batch.length, batch.reduce((sum, item) => sum + item.bytes, 0));
  if (size <= gzipThresholdBytes) return { data: json, gzipped: false };
  return { data: new Uint8Array(await gzip(json)), gzipped: true };
}

/** One attempt; every failure, network and timeout included, comes back as a `failed` answer. */
async function send<E>(body: Body, batchSize: number, ctx: DeliveryContext<E>): Promise<GatewayAnswer> {
  const { params, clock } = ctx;
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, params.requestTimeoutMs);
  const onShutdown = () => controller.abort();
  ctx.shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: params.authorization };
    if (body.gzipped) headers['content-encoding'] = 'gzip';
    const response = await params.fetch(params.url, { method: 'POST', headers, body: body.data, signal: controller.signal });
    const text = await response.text();
    // Without Retry-After, a 429's RateLimit-Reset (seconds until the window resets) is the next best bound.
    const retryAfter = response.headers.get('retry-after') ?? (response.status === 429 ? response.headers.get('ratelimit-reset') : null);
    const answer = { status: response.status, retryAfter, rateLimit: response.headers.get('ratelimit-limit'), body: text };
    return readGatewayAnswer(answer, batchSize, clock.now());
  } catch (cause) {
    const error = timedOut
      ? new WeirError('TIMEOUT', `no answer within ${params.requestTimeoutMs} ms from ${params.url}`, { cause })
      : new WeirError('NETWORK_ERROR', `${params.url}: ${describeNetworkError(cause)}`, { cause });
    return { kind: 'failed', error, retryAfterMs: undefined };
  } finally {
    clock.clearTimeout(timer);
    ctx.shutdown.removeEventListener('abort', onShutdown);
  }
}

function settleResults<E>(batch: readonly BufferedEvent<E>[], rejected: ReadonlyMap<number, readonly FieldError[]>, ctx: DeliveryContext<E>): void {
  const accepted = rejected.size === 0 ? batch : batch.filter((_, index) => !rejected.has(index));
  if (accepted.length > 0) ctx.settle(accepted, { kind: 'accepted' });
  for (const [index, errors] of rejected) {
    const item = batch[index];
    if (item !== undefined) ctx.settle([item], { kind: 'rejected', errors });
  }
}

/**
 * Refusals of a whole request for a part of it, answered by sending the parts on their own: a 403
 * for one type the key may not write, a 413 for a body too large, a 429 for a batch larger than
 * the key's burst (RateLimit-Limit), which no wait would ever let through.
 */
function partsOf<E extends { readonly type: string }>(batch: readonly BufferedEvent<E>[], error: WeirError, rateLimit: number | undefined): BufferedEvent<E>[][] {
  if (error.code === 'FORBIDDEN') return byType(batch);
  if (error.code === 'PAYLOAD_TOO_LARGE') return halves(batch);
  if (error.code === 'RATE_LIMITED' && rateLimit !== undefined && rateLimit < batch.length) return chunks(batch, rateLimit);
  return [];
}

function chunks<E>(batch: readonly BufferedEvent<E>[], size: number): BufferedEvent<E>[][] {
  const out: BufferedEvent<E>[][] = [];
  for (let i = 0; i < batch.length; i += size) out.push(batch.slice(i, i + size));
  return out;
}

function byType<E extends { readonly type: string }>(batch: readonly BufferedEvent<E>[]): BufferedEvent<E>[][] {
  const groups = new Map<string, BufferedEvent<E>[]>();
  for (const item of batch) {
    const group = groups.get(item.event.type);
    if (group === undefined) groups.set(item.event.type, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

function halves<E>(batch: readonly BufferedEvent<E>[]): BufferedEvent<E>[][] {
  if (batch.length < 2) return [];
  const middle = Math.ceil(batch.length / 2);
  return [batch.slice(0, middle), batch.slice(middle)];
}

function describeNetworkError(error: unknown): string {
  // fetch says "fetch failed"; what happened (ECONNREFUSED, ECONNRESET, ...) is in its cause.
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined ? message : `${message} (${code})`;
}
