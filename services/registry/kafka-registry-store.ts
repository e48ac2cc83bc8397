/**
 * The registry's log in Kafka: a single-partition compacted topic (`_schemas` by default), in the
 * record format of Confluent's registry (registry-records.ts). Every instance reads the whole topic
 * into its state and keeps tailing it, so instances agree on every id; the service is stateless.
 *
 * Writes from several instances are kept apart by Kafka's transactional fencing. All instances
 * share one transactional id. Initialising a producer with it fences every earlier holder: their
 * open transaction is aborted and their next commit fails. So a writer:
 *   1. initialises its producer (fencing others) and commits a NOOP marker, then waits until it has
 *      read the marker back: its state now holds every transaction committed before it;
 *   2. checks the planned records against that state (findWriteConflict), and commits them in one
 *      transaction; the commit succeeds only if nobody fenced it since step 1, in which case nobody
 *      else committed anything in between, so the records take effect exactly as planned;
 *   3. waits until it has read its records back, then answers.
 * A fenced writer starts again at step 1. Readers use read_committed, so aborted writes never count.
 */
import crypto from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { Health } from '../shared/lifecycle/component.ts';
import type { Logger } from '../shared/logger.ts';
import { RegistryError } from './registry-errors.ts';
import type { RegistryRecord } from './registry-records.ts';
import { RegistryState } from './registry-state.ts';
import type { RegistryStore } from './registry-store.ts';
import { findWriteConflict } from './registry-writes.ts';
import { ensureTopics, partitionCount } from '../shared/kafka/topic-metadata.ts';

export interface KafkaRegistryStoreOptions {
  kafka: Kafka;
  /** The log topic (Confluent's default is `_schemas`). */
  topic: string;
  logger: Logger;
  /** How long a write may take, fencing retries included, ms (default 30 s). */
  writeTimeoutMs?: number;
  /** How long start() may take to read the log, ms (default 60 s). */
  startupTimeoutMs?: number;
  /** Called with each record that could not be applied, for metrics. */
  onIgnoredRecord?: (offset: string, reason: string) => void;
}

export interface KafkaRegistryStore extends RegistryStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Health;
  /** Offset of the last record applied, -1 before any. */
  appliedOffset(): bigint;
}

// Confluent's registry writes the same NOOP key to learn that it has caught up.
const NOOP_KEY = JSON.stringify({ keytype: 'NOOP', magic: 0 });
const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING', 'INVALID_TXN_STATE']);

const APPLIED = { applied: true } as const;

/** A NOOP marker (ours, or Confluent's): it only tells a writer that it has caught up. */
function isNoop(key: string): boolean {
  return key.includes('"keytype":"NOOP"');
}

function isFenced(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    const type = (e as Error & { type?: string }).type;
    if (type !== undefined && FENCED.has(type)) return true;
  }
  return false;
}

async function ensureTopic(admin: Admin, topic: string, logger: Logger): Promise<void> {
  const { created, replicationFactor } = await ensureTopics(admin, [{ topic, partitions: 1, compact: true }]);
  if (created.length > 0) logger.info({ topic, replicationFactor }, 'created the registry topic');
  const partitions = await partitionCount(admin, topic);
  if (partitions !== 1) {
    throw new RegistryError('STORE_ERROR', `registry topic ${topic} has ${partitions} partitions; it must have exactly 1, so that every instance reads one order`);
  }
}

export function createKafkaRegistryStore(options: KafkaRegistryStoreOptions): KafkaRegistryStore {
  const { kafka, topic } = options;
  const logger = options.logger.child({ component: 'registry-store', topic });
  const writeTimeoutMs = options.writeTimeoutMs ?? 30_000;
  const state = new RegistryState();
  const instance = crypto.randomUUID();
  let applied = -1n;
  const waiters = new Set<{ offset: bigint; resolve: () => void }>();
  const ignored = new Map<bigint, string>();
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let started = false;
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();

  const onApplied = (offset: bigint): void => {
    applied = offset;
    for (const waiter of waiters) {
      if (waiter.offset <= offset) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const waitApplied = (offset: bigint, deadline: number): Promise<void> => {
    if (applied >= offset) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = { offset, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new RegistryError('OPERATION_TIMEOUT', `the registry did not read back offset ${offset} of ${topic} in time`));
      }, Math.max(0, deadline - Date.now()));
      waiters.add(waiter);
    });
  };

  /** Commits `messages` in one transaction; returns the offset of the last one. */
  const commit = async (messages: { key: string; value: string | null }[]): Promise<bigint> => {
    producer ??= await (async () => {
      const p = kafka.producer({ transactionalId: `${topic}-writer`, idempotent: true, maxInFlightRequests: 1 });
      await p.connect(); // InitProducerId: fences every earlier holder of the transactional id
      return p;
    })();
    const transaction = await producer.transaction();
    try {
      const [meta] = await transaction.send({ topic, acks: -1, messages });
      await transaction.commit();
      if (!meta?.baseOffset) throw new Error('no offset in the produce response');
      return BigInt(meta.baseOffset) + BigInt(messages.length - 1);
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      const stale = producer;
      producer = undefined;
      await stale.disconnect().catch(() => undefined);
      throw error;
    }
  };

  const write = async (records: readonly RegistryRecord[]): Promise<void> => {
    const deadline = Date.now() + writeTimeoutMs;
    let lastError: unknown;
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      try {
        // 1. Catch up behind a marker committed under our (possibly fresh) epoch.
        const marker = await commit([{ key: NOOP_KEY, value: JSON.stringify({ instance, attempt }) }]);
        await waitApplied(marker, deadline);
        // 2. Plan still valid? Then commit; success means nobody wrote in between.
        const conflict = findWriteConflict(state, records);
        if (conflict !== undefined) throw new RegistryError('WRITE_CONFLICT', `Another write went first: ${conflict}; retry the request`);
        const last = await commit(records.map((r) => ({ key: r.key, value: r.value })));
        // 3. Read it back.
        await waitApplied(last, deadline);
        const first = last - BigInt(records.length - 1);
        for (let offset = first; offset <= last; offset++) {
          const reason = ignored.get(offset);
          if (reason !== undefined) throw new RegistryError('STORE_ERROR', `the registry log did not take a write at offset ${offset}: ${reason}`);
        }
        return;
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        lastError = error;
        logger.warn({ err: error, attempt, fenced: isFenced(error) }, 'registry write failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt) * (0.5 + Math.random())));
      }
    }
    throw new RegistryError('STORE_ERROR', `could not write to the registry topic ${topic}: ${String(lastError)}`);
  };

  return {
    state: () => state,
    appliedOffset: () => applied,

    append(records) {
      if (!started || stopped) return Promise.reject(new RegistryError('STORE_ERROR', 'the registry store is not running'));
      // One write at a time per instance; fencing keeps instances apart.
      const result = queue.then(() => write(records));
      queue = result.catch(() => undefined);
      return result;
    },

    async start() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopic(admin, topic, logger);
      } finally {
        await admin.disconnect();
      }
      consumer = kafka.consumer({ groupId: `weir-registry-reader-${instance}`, readUncommitted: false, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            const key = message.key?.toString() ?? '';
            const outcome = isNoop(key) ? APPLIED : state.apply({ key, value: message.value === null ? null : message.value.toString() });
            if (!outcome.applied) {
              ignored.set(offset, outcome.reason);
              logger.warn({ offset: message.offset, reason: outcome.reason }, 'registry record ignored');
              options.onIgnoredRecord?.(message.offset, outcome.reason);
            }
            onApplied(offset);
          }
        },
      });
      // Read the whole log: commit a marker and wait to see it.
      const deadline = Date.now() + (options.startupTimeoutMs ?? 60_000);
      started = true;
      const marker = await commit([{ key: NOOP_KEY, value: JSON.stringify({ instance, start: true }) }]);
      await waitApplied(marker, deadline);
      logger.info({ appliedOffset: String(applied), subjects: state.subjects().length }, 'registry log loaded');
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      await queue;
      await Promise.all([consumer?.disconnect(), producer?.disconnect()].map((p) => p?.catch(() => undefined)));
    },

    health() {
      return { live: true, ready: started && !stopped, detail: { appliedOffset: String(applied) } };
    },
  };
}
