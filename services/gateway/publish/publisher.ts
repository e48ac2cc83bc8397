/**
 * Publishes encoded events to Kafka and resolves each caller only when Kafka has its messages
 * (acks=all). Messages from concurrent requests are gathered into one batch while the previous
 * batch is in flight (or for `lingerMs`), and one batch is in flight at a time, so per-partition
 * order is the order of acceptance.
 *
 * Memory is bounded: when the bytes waiting or in flight would pass `maxBufferedBytes`, publish
 * fails at once with 503, before anything is accepted. A caller whose batch is not acknowledged
 * within `publishTimeoutMs` gets 503 too; the batch may still land later (the producer retries),
 * which is why events carry ids and the processor drops duplicates.
 */
import type { Logger } from '../../shared/logger.ts';
import { GatewayError } from '../http/gateway-error.ts';
import type { KafkaSender } from './kafka-sender.ts';

export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Record timestamp (CreateTime), epoch ms. */
  readonly timestamp: bigint;
}

export interface PublisherOptions {
  sender: KafkaSender;
  logger: Logger;
  /** Wait this long for more messages before sending a batch when nothing is in flight, ms. */
  lingerMs: number;
  maxBufferedBytes: number;
  publishTimeoutMs: number;
  onBatch?: (messages: number, bytes: number, seconds: number, ok: boolean) => void;
}

interface Pending {
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
  readonly bytes: number;
  settle(error?: Error): void;
}

const RETRY_AFTER = { 'Retry-After': '1' };

export class Publisher {
  readonly #options: PublisherOptions;
  #queue: Pending[] = [];
  #bufferedBytes = 0;
  #inFlight = false;
  #timer: NodeJS.Timeout | undefined;
  #lastError: Error | undefined;
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(options: PublisherOptions) {
    this.#options = options;
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** The last send failed, and none succeeded since. */
  get failing(): boolean {
    return this.#lastError !== undefined;
  }

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(new GatewayError('UNAVAILABLE', 'the gateway is shutting down: retry', { headers: RETRY_AFTER }));
    const bytes = messages.reduce((sum, m) => sum + m.value.length + m.key.length + 64, 0);
    if (this.#bufferedBytes + bytes > this.#options.maxBufferedBytes) {
      return Promise.reject(
        new GatewayError('UNAVAILABLE', `the gateway's publish buffer is full (${this.#bufferedBytes} of ${this.#options.maxBufferedBytes} bytes waiting for Kafka): retry later`, {
          headers: RETRY_AFTER,
        }),
      );
    }
    this.#bufferedBytes += bytes;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(
          new GatewayError('UNAVAILABLE', `Kafka did not acknowledge within ${this.#options.publishTimeoutMs} ms${this.#lastError ? ` (${this.#lastError.message})` : ''}: retry`, {
            headers: RETRY_AFTER,
          }),
        );
      }, this.#options.publishTimeoutMs);
      this.#queue.push({
        topic,
        messages,
        bytes,
        settle: (error) => {
          this.#bufferedBytes -= bytes;
          clearTimeout(timer);
          if (done) return;
          done = true;
          if (error) reject(new GatewayError('UNAVAILABLE', `Kafka did not take the events: ${error.message}: retry`, { headers: RETRY_AFTER, cause: error }));
          else resolve();
        },
      });
      this.#schedule();
    });
  }

  /** Resolves when nothing is queued or in flight. */
  flush(): Promise<void> {
    if (this.#queue.length === 0 && !this.#inFlight) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Refuses new messages, then waits for what was accepted to be sent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(): void {
    if (this.#inFlight || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#send();
    }, this.#options.lingerMs);
  }

  async #send(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    this.#inFlight = true;
    const byTopic = new Map<string, OutgoingMessage[]>();
    let count = 0;
    let bytes = 0;
    for (const pending of batch) {
      const list = byTopic.get(pending.topic) ?? [];
      list.push(...pending.messages);
      byTopic.set(pending.topic, list);
      count += pending.messages.length;
      bytes += pending.bytes;
    }
    const started = performance.now();
    let error: Error | undefined;
    try {
      await this.#options.sender.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      if (this.#lastError) this.#options.logger.info('Kafka takes events again');
      this.#lastError = undefined;
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
      if (!this.#lastError) this.#options.logger.error({ err: error, messages: count }, 'publishing to Kafka failed');
      this.#lastError = error;
    }
    this.#options.onBatch?.(count, bytes, (performance.now() - started) / 1_000, error === undefined);
    for (const pending of batch) pending.settle(error);
    this.#inFlight = false;
    // What arrived meanwhile goes at once: it has already waited for a whole round trip.
    if (this.#queue.length > 0) void this.#send();
    else for (const resolve of this.#idle.splice(0)) resolve();
  }
}
