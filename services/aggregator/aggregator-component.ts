/**
 * The windowed aggregator as one component. Start: load the aggregate definitions against the
 * clean schemas in the registry, migrate the ClickHouse tables, then one consumer group over every
 * clean topic. Each record folds into its partition's windows (partition-aggregates.ts) in memory;
 * every flush interval, what changed is written to ClickHouse, one INSERT per table, and only then
 * are the Kafka offsets committed. A partition newly assigned reads its state back from ClickHouse
 * first (its open windows and its progress row) and skips what that state already holds, so a
 * crash, restart or rebalance neither loses nor double-counts.
 *
 * Idle rule: a partition with no record for the definition's idleTimeoutMs has its watermark
 * raised to the highest watermark of the type's partitions this instance owns, so its windows
 * close; an event it later delivers for a closed window is late.
 *
 * Events dead-lettered as late, and records that do not decode, go to weir.aggregator-dlq.<type>
 * (original bytes, weir-dlq-* headers), produced before the flush that passes their offset:
 * at least once, never lost.
 *
 * Stop order: stop the flush timer, leave the group (kafkajs finishes the batch in hand), flush
 * what is left, commit, disconnect, close HTTP.
 */
import express from 'express';
import type { Consumer, Kafka, Message, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { ClickHouseStore } from '../shared/clickhouse/store.ts';
import { messageOf } from '../shared/errors.ts';
import { startHttpServer, type RunningHttpServer } from '../shared/http/http-server.ts';
import { createOpsRouter } from '../shared/http/ops-routes.ts';
import type { Component, Health } from '../shared/lifecycle/component.ts';
import { ensureTopics } from '../shared/kafka/topic-metadata.ts';
import { HLL_REGISTERS } from './sketches/hll.ts';
import { SKETCH_BUCKETS } from './sketches/quantile-sketch.ts';
import { sharedPromise } from '../shared/lifecycle/shared-promise.ts';
import type { Logger } from '../shared/logger.ts';
import { deadLetterMessage } from '../processor/dead-letter.ts';
import { fetchSchemaByIdFrom, WriterSchemas } from '../processor/writer-schemas.ts';
import { readPartitionRows, readWindows, writeRows } from './clickhouse/aggregate-store.ts';
import { migrate } from './clickhouse/migrate.ts';
import { flushRows, storedWindow } from './clickhouse/state-rows.ts';
import { serverFeatures } from './clickhouse/table-layout.ts';
import { loadAggregateTables, type AggregateTable } from './aggregate-tables.ts';
import { createCleanDecoder, type DecodeClean } from './clean-decoder.ts';
import type { AggregatorConfig } from './config.ts';
import { createAggregatorMetrics } from './metrics.ts';
import { PartitionAggregates, type EvictedWindow, type Snapshot } from './partition-aggregates.ts';


export interface AggregatorComponentDeps {
  readonly config: AggregatorConfig;
  readonly registryUrl: string;
  readonly kafka: Kafka;
  readonly store: ClickHouseStore;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly now?: () => number;
}

export interface AggregatorComponent extends Component {
  url(): string;
  types(): readonly string[];
  /** Writes what changed now (tests and shutdown); resolves when ClickHouse has it. */
  flush(): Promise<void>;
}

interface TypeRuntime extends Omit<AggregateTable, 'reader'> {
  readonly decode: DecodeClean;
  readonly topic: string;
  readonly dlqTopic: string;
}

interface Owned {
  readonly runtime: TypeRuntime;
  readonly state: PartitionAggregates;
  lastRecordAt: number;
}

export function createAggregatorComponent(deps: AggregatorComponentDeps): AggregatorComponent {
  const { config, kafka, store } = deps;
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'aggregator', group: config.groupId });
  const metrics = createAggregatorMetrics(deps.metrics);
  const writerSchemas = new WriterSchemas({ fetchSchema: fetchSchemaByIdFrom(deps.registryUrl) });
  let runtimes = new Map<string, TypeRuntime>(); // by clean topic
  const owned = new Map<string, Owned>(); // by topic:partition
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let server: RunningHttpServer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopping = false;
  let flushing: Promise<void> | undefined;
  let lastFlushError: string | undefined;

  const health = (): Health => ({
    live: true,
    ready: running && !stopping,
    detail: { consumer: running ? 'running' : 'not running', types: [...runtimes.values()].map((r) => r.aggregate.source), partitions: owned.size, lastFlushError: lastFlushError ?? null },
  });

  async function ownedPartition(runtime: TypeRuntime, partition: number): Promise<Owned> {
    const key = `${runtime.topic}:${partition}`;
    const existing = owned.get(key);
    if (existing !== undefined) return existing;
    const state = new PartitionAggregates({ aggregate: runtime.aggregate, folding: runtime.folding, layout: runtime.layout, partition });
    const rows = await readPartitionRows(store, config.database, runtime.layout, partition);
    if (rows.progress !== undefined) {
      state.restore(rows.open.map((r) => storedWindow(runtime.layout, runtime.folding, runtime.aggregate.dimensionShapes, r)), rows.progress.version, rows.progress.watermarkMs);
    }
    logger.info({ topic: runtime.topic, partition, restoredWindows: rows.open.length, resumeAfter: rows.progress?.version.toString() ?? null }, 'partition state restored');
    const entry = { runtime, state, lastRecordAt: now() };
    owned.set(key, entry);
    return entry;
  }

  /** Reads evicted windows back into a partition's state (only the rows of those windows and dimension values). */
  async function readBack(entry: Owned, wanted: readonly EvictedWindow[]): Promise<void> {
    if (wanted.length === 0) return;
    const { runtime, state } = entry;
    const keys = new Set(wanted.map((w) => `${w.window}\u0000${w.bounds.start}\u0000${w.dimensionKey}`));
    const rows = await readWindows(store, config.database, runtime.layout, state.partition, wanted);
    const stored = rows
      .map((r) => storedWindow(runtime.layout, runtime.folding, runtime.aggregate.dimensionShapes, r))
      .filter((w) => keys.has(`${w.key.window}\u0000${w.key.bounds.start}\u0000${JSON.stringify(w.key.dimensions)}`));
    state.reinstate(stored);
    metrics.readBack(runtime.aggregate.source, stored.length);
  }

  async function flushOnce(): Promise<void> {
    const byType = new Map<TypeRuntime, Array<{ entry: Owned; snapshot: Snapshot }>>();
    const t = now();
    for (const entry of owned.values()) {
      const { runtime, state } = entry;
      const idle = t - entry.lastRecordAt >= runtime.aggregate.idleTimeoutMs;
      const external = idle ? Math.max(...[...owned.values()].filter((o) => o.runtime === runtime).map((o) => o.state.watermarkMs)) : -Infinity;
      await readBack(entry, state.closedEvicted(external)); // their final rows are written like any other's
      const closed = state.advance(external);
      if (closed > 0) metrics.windowsClosed(runtime.aggregate.source, closed);
      const snapshot = state.snapshot((flush) => flushRows(runtime.layout, state.partition, flush, t, runtime.aggregate.dimensionShapes));
      if (snapshot === undefined) continue;
      const list = byType.get(runtime) ?? [];
      list.push({ entry, snapshot });
      byType.set(runtime, list);
    }
    for (const [runtime, snapshots] of byType) {
      const type = runtime.aggregate.source;
      const rows = snapshots.flatMap((s) => s.snapshot.rows);
      const started = process.hrtime.bigint();
      try {
        await writeRows(store, config.database, runtime.layout, rows);
      } catch (error) {
        lastFlushError = messageOf(error);
        metrics.insertFailed(type);
        logger.warn({ err: error, type, rows: rows.length }, 'flush failed: retried at the next flush');
        for (const { entry, snapshot } of snapshots) entry.state.retry(snapshot);
        continue;
      }
      lastFlushError = undefined;
      for (const { snapshot } of snapshots) snapshot.commit();
      metrics.flushed(type, rows.length, Number(process.hrtime.bigint() - started) / 1e9);
      const newest = Math.max(...snapshots.map((s) => s.entry.state.maxEventTimeMs));
      if (Number.isFinite(newest)) metrics.freshness(type, Math.max(0, (now() - newest) / 1000));
      const offsets = snapshots
        .filter(({ entry }) => owned.get(`${runtime.topic}:${entry.state.partition}`) === entry)
        .map(({ entry, snapshot }) => ({ topic: runtime.topic, partition: entry.state.partition, offset: (snapshot.version + 1n).toString() }));
      if (offsets.length > 0) await consumer?.commitOffsets(offsets).catch((error: unknown) => logger.warn({ err: error }, 'committing offsets failed; ClickHouse has the rows, so nothing is lost'));
    }
    // Bounded memory: past the cap, drop what ClickHouse already has, down to 80% of it.
    let excess = openWindows() - Math.floor(config.maxOpenWindows * 0.8);
    if (openWindows() > config.maxOpenWindows) {
      for (const entry of owned.values()) {
        if (excess <= 0) break;
        const evicted = entry.state.evict(excess);
        excess -= evicted;
        metrics.evicted(entry.runtime.aggregate.source, evicted);
      }
    }
    for (const runtime of runtimes.values()) {
      const windows = [...owned.values()].filter((o) => o.runtime === runtime).reduce((n, o) => n + o.state.openWindows, 0);
      metrics.openWindows(runtime.aggregate.source, windows, windows * stateBytes(runtime.folding));
    }
  }

  /** One flush at a time; a call while one runs waits for it and then runs another. */
  async function flush(): Promise<void> {
    while (flushing !== undefined) await flushing;
    flushing = flushOnce().finally(() => (flushing = undefined));
    await flushing;
  }

  const openWindows = () => [...owned.values()].reduce((n, o) => n + o.state.openWindows, 0);

  const stop = sharedPromise(async () => {
    stopping = true;
    clearInterval(timer);
    await consumer?.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'leaving the group failed'));
    running = false;
    await flush().catch((error: unknown) => logger.warn({ err: error }, 'the last flush failed; a restart replays from the last one written'));
    await producer?.disconnect().catch(() => undefined);
    await server?.stop();
  });

  return {
    name: 'aggregator',
    health,
    url: () => server?.url ?? '',
    types: () => [...runtimes.values()].map((r) => r.aggregate.source),
    flush,
    async start() {
      const version = await store.version();
      const { tables } = await loadAggregateTables(config.aggregatesDir, deps.registryUrl, version);
      const next = new Map<string, TypeRuntime>();
      for (const { aggregate, folding, layout, reader } of tables.values()) {
        const topic = `weir.clean.${aggregate.source}`;
        next.set(topic, { aggregate, folding, layout, decode: createCleanDecoder(reader, writerSchemas), topic, dlqTopic: `weir.aggregator-dlq.${aggregate.source}` });
      }
      const features = serverFeatures(version);
      const migration = await migrate(store, [...next.values()].map((r) => r.layout), { database: config.database, features });
      logger.info({ applied: migration.applied.length, unchanged: migration.unchanged }, 'aggregate tables ready');
      runtimes = next;
      metrics.knownTypes([...next.values()].map((r) => r.aggregate.source));

      await ensureDeadLetterTopics(kafka, [...next.values()].map((r) => r.dlqTopic));
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const c = kafka.consumer({ groupId: config.groupId, sessionTimeout: config.sessionTimeoutMs, heartbeatInterval: Math.min(3_000, Math.floor(config.sessionTimeoutMs / 3)), readUncommitted: false });
      consumer = c;
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        const assigned = new Set(Object.entries(payload.memberAssignment).flatMap(([topic, parts]) => parts.map((p) => `${topic}:${p}`)));
        // Unflushed state of a partition now elsewhere is dropped: its new owner reads the last flush back and replays after it.
        for (const key of [...owned.keys()]) if (!assigned.has(key)) owned.delete(key);
        logger.info({ assigned: payload.memberAssignment }, 'partitions assigned');
      });
      await c.connect();
      await c.subscribe({ topics: [...runtimes.keys()], fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const runtime = runtimes.get(batch.topic);
          if (runtime === undefined) throw new Error(`no aggregate reads ${batch.topic}`);
          const type = runtime.aggregate.source;
          const entry = await ownedPartition(runtime, batch.partition);
          const after = entry.state.lastOffset;
          const dead: Message[] = [];
          let folded = 0;
          let seen = 0;
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) break;
            const offset = BigInt(message.offset);
            if (after !== undefined && offset <= after) continue;
            entry.lastRecordAt = now();
            const answer = runtime.decode(message.value);
            const decoded = answer instanceof Promise ? await answer : answer; // a cached writer schema needs no await
            const record = 'problem' in decoded ? decoded.problem : decoded.record;
            const source = { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp };
            if (typeof record === 'string') {
              metrics.undecodable(type);
              dead.push(deadLetterMessage(source, { reason: 'undecodable', message: record, fieldPath: '', stage: 'aggregate' }, now()));
              entry.state.skip(offset);
            } else {
              const t = Number(record[runtime.aggregate.timeField]);
              await readBack(entry, entry.state.wanted(record, t));
              const outcome = entry.state.fold(record, offset, t);
              if (outcome === 'late_dead_letter') {
                metrics.late(type, 'dead_letter');
                dead.push(deadLetterMessage(source, { reason: 'late', message: `event time ${new Date(t).toISOString()} is behind the partition's watermark ${new Date(entry.state.watermarkMs).toISOString()} by more than the grace of ${runtime.aggregate.graceMs} ms`, fieldPath: runtime.aggregate.timeField, stage: 'aggregate' }, now()));
              } else if (outcome === 'late_corrected') {
                metrics.late(type, 'corrected');
              } else {
                folded++;
              }
            }
            resolveOffset(message.offset);
            if (++seen % 1_000 === 0) await heartbeat();
          }
          // Counted with the records the state took in: a failed send below redelivers the batch, but the state skips them then.
          metrics.aggregated(type, folded);
          await heartbeat();
          if (dead.length > 0) await producer!.send({ topic: runtime.dlqTopic, messages: dead, acks: -1 });
          // Bounded memory: past the cap, consuming waits until a flush lets closed windows go.
          if (openWindows() > config.maxOpenWindows) await flush();
        },
      });
      running = true;
      timer = setInterval(() => {
        if (flushing === undefined) void flush().catch((error: unknown) => logger.warn({ err: error }, 'flush failed'));
      }, config.flushIntervalMs);
      timer.unref();

      const app = express();
      app.disable('x-powered-by');
      app.use(createOpsRouter({ metrics: deps.metrics, health }));
      server = await startHttpServer(app, { port: config.port, host: config.host, portVariable: 'WEIR_AGGREGATOR_PORT' });
      logger.info({ url: server.url, types: [...tables.keys()] }, 'aggregator running');
    },
    stop,
  };
}

/** The aggregator's dead-letter topics, made when missing (one partition each: they are rare). */
async function ensureDeadLetterTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topics.map((topic) => ({ topic, partitions: 1 })));
  } finally {
    await admin.disconnect();
  }
}

/** Bytes of one window's state, the typed arrays only: 32 per numeric field, a dense HLL and sketch per field that has one. */
function stateBytes(folding: { numericFields: readonly unknown[]; distinctFields: readonly unknown[]; quantileFields: readonly unknown[] }): number {
  return 64 + 32 * folding.numericFields.length + HLL_REGISTERS * folding.distinctFields.length + 8 * SKETCH_BUCKETS * folding.quantileFields.length;
}
