/**
 * Aggregator throughput and freshness: ONE aggregator process (`node services/aggregator/main.ts`,
 * its own OS process) drains a pre-produced backlog of clean purchases (Confluent-framed Avro under
 * the clean schema the purchase pipeline derives) into the local ClickHouse server (Debian's 18.16,
 * over HTTP, its own process, so its CPU is counted apart). Measured from the process's start
 * until its group's committed offsets reach the end of weir.clean.purchase (the aggregator commits
 * only after ClickHouse has the rows), beside the 200k events/s target. Then live purchases at
 * half the measured rate, and the freshness of marker events among them, beside the 1 s p99 target.
 *   npm run bench:aggregate -- [--events 1000000] [--partitions 6] [--event-seconds 60] [--freshness-seconds 20] [--flush-ms 1000] [--profile DIR]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { Registry } from 'prom-client';
import { startLocalClickHouseServer } from '../../deploy/local/clickhouse/local-server.ts';
import { freePort } from '../../deploy/local/free-port.ts';
import { startLocalKafka } from '../../deploy/local/kafka/local-kafka.ts';
import { aggregatorSpec } from '../../services/aggregator/config.ts';
import { localReaderSchemas } from '../../services/processor/pipeline/check-pipelines.ts';
import { loadPipelines } from '../../services/processor/pipeline/load-pipelines.ts';
import { registrySpec } from '../../services/registry/config.ts';
import { createRegistryComponent } from '../../services/registry/registry-component.ts';
import { encodeFrame } from '../../services/shared/avro/wire-format.ts';
import { createClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { silentLogger } from '../../services/shared/logger.ts';
import { quantile } from '../harness/freshness-markers.ts';
import { seededRandom } from '../harness/seeded-random.ts';
import { freshnessReport, measureFreshness } from './aggregate-freshness.ts';
import { cpuSeconds } from './cpu.ts';
import { drainBacklog, drainReport, produceBacklog, registerSchema, type Drained } from './drain.ts';
import { profileOnExit, sumMetric } from './profile.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET_RATE = 200_000;
const TARGET_P99_MS = 1_000;
const GROUP = 'weir-bench-aggregator';
const DATABASE = 'weir_bench';
const TOPIC = 'weir.clean.purchase';

/** Two dimensions, 8 x 6 = 48 groups (the markers of the freshness phase are a 49th: CHF); every kind of measure; 7 windows per event. */
const DEFINITION = {
  source: 'purchase',
  dimensions: ['currency', 'payment_method'],
  measures: [
    { kind: 'count', name: 'orders' },
    { kind: 'sum', name: 'revenue_minor', field: 'amount_minor' },
    { kind: 'avg', name: 'order_value_avg_minor', field: 'amount_minor' },
    { kind: 'max', name: 'order_value_max_minor', field: 'amount_minor' },
    { kind: 'quantile', name: 'order_value_p50_minor', field: 'amount_minor', q: 0.5 },
    { kind: 'quantile', name: 'order_value_p99_minor', field: 'amount_minor', q: 0.99 },
    { kind: 'sum', name: 'items', field: 'items_count' },
    { kind: 'distinct', name: 'buyers', field: 'user_id' },
  ],
  windows: [
    { kind: 'tumbling', sizeMs: 10_000 },
    { kind: 'tumbling', sizeMs: 60_000 },
    { kind: 'hopping', sizeMs: 300_000, advanceMs: 60_000 },
  ],
  allowedOutOfOrdernessMs: 5_000,
  graceMs: 10_000,
  lateEvents: 'dlq',
};
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'SEK', 'INR'];
const EXPONENTS: Record<string, number> = { USD: 2, EUR: 2, GBP: 2, JPY: 0, CAD: 2, AUD: 2, SEK: 2, INR: 2, CHF: 2 };
const METHODS = ['CARD', 'WALLET', 'BANK_TRANSFER', 'GIFT_CARD', 'CASH_ON_DELIVERY', 'OTHER'];
const BUYERS = 20_000;
const DISORDER_MS = 2_000; // within allowedOutOfOrdernessMs: nothing is late

/** The clean schema of purchase, derived from its pipeline as the processor derives it. */
async function cleanPurchaseSchema(): Promise<string> {
  const pipelines = await loadPipelines(path.join(ROOT, 'schemas/pipelines'), { latestReaderSchema: localReaderSchemas(path.join(ROOT, 'schemas/events')) });
  return JSON.stringify(pipelines.get('purchase')!.outputSchema);
}

/** Clean purchases: buyers hashed as the pipeline hashes them, a fifth of them guests; amounts skewed. */
function purchases(seed: number): (i: number, eventTimeMs: number, currency?: string) => Record<string, unknown> {
  const random = seededRandom(seed);
  const buyers = Array.from({ length: BUYERS }, (_, u) => crypto.createHmac('sha256', 'bench').update(`user-${u}`).digest('hex'));
  return (i, eventTimeMs, currency = CURRENCIES[Math.floor(random() ** 2 * CURRENCIES.length)]!) => {
    const amount = 500 + Math.floor(random() ** 3 * 200_000);
    return {
      event_id: `p-${i}`,
      event_time: eventTimeMs,
      order_id: `o-${i}`,
      user_id: random() < 0.2 ? null : buyers[Math.floor(random() * BUYERS)],
      session_id: `s-${i % 50_000}`,
      amount_minor: amount,
      tax_minor: Math.floor(amount / 6),
      currency,
      items_count: 1 + Math.floor(random() * 5),
      payment_method: METHODS[i % METHODS.length],
      coupon_code: i % 10 === 0 ? 'spring10' : null,
      properties: { channel: i % 3 === 0 ? 'app' : 'web' },
      currency_exponent: EXPONENTS[currency],
    };
  };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { events: { type: 'string', default: '1000000' }, partitions: { type: 'string', default: '6' }, 'event-seconds': { type: 'string', default: '60' }, 'freshness-seconds': { type: 'string', default: '20' }, 'flush-ms': { type: 'string' }, profile: { type: 'string' } },
  });
  const total = Number(values.events);
  const partitions = Number(values.partitions);
  const eventSpanMs = Number(values['event-seconds']) * 1000;
  const freshnessSeconds = Number(values['freshness-seconds']);
  const flushMs = Number(values['flush-ms'] ?? defaultsOf(aggregatorSpec).flushIntervalMs);
  const profileDir = values.profile === undefined ? undefined : path.resolve(values.profile);

  const kafka = await startLocalKafka({ nodes: 1 });
  const clickhouse = await startLocalClickHouseServer().catch(async (error: unknown) => {
    await kafka.stop();
    throw error;
  });
  const store = await createClickHouseStore({ kind: 'server', url: clickhouse.url });
  const client = createKafka({ brokers: kafka.brokers, clientId: 'bench' });
  const registry = createRegistryComponent({ config: { ...defaultsOf(registrySpec), port: await freePort(), host: '127.0.0.1' }, kafka: client, logger: silentLogger(), metrics: new Registry() });
  const admin = client.admin();
  const producer = client.producer({ allowAutoTopicCreation: false });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-bench-aggregate-'));
  let drained: Drained | undefined;
  let failed = false;
  try {
    await registry.start();
    await admin.connect();
    await producer.connect();
    const schema = await cleanPurchaseSchema();
    const schemaId = await registerSchema(registry.url(), `${TOPIC}-value`, schema);
    const avroType = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: partitions, replicationFactor: 1 }] });
    const aggregatesDir = path.join(work, 'aggregates');
    fs.mkdirSync(aggregatesDir);
    fs.writeFileSync(path.join(aggregatesDir, 'purchase.json'), JSON.stringify(DEFINITION, null, 2));

    // The backlog: event times spread evenly over the `eventSpanMs` before now, up to 2 s out of order, round-robin over the partitions.
    const purchase = purchases(42);
    const random = seededRandom(7);
    const base = Date.now() - eventSpanMs;
    const frame = (record: Record<string, unknown>) => encodeFrame(schemaId, avroType.toBuffer(record));
    const message = (i: number) => ({ partition: i % partitions, key: `o-${i}`, value: frame(purchase(i, base + Math.floor((i * eventSpanMs) / total) - Math.floor(random() * DISORDER_MS))) });
    const messageBytes = message(0).value.length;
    const produceSeconds = await produceBacklog(producer, TOPIC, total, message);
    const backlog = (await admin.fetchTopicOffsets(TOPIC)).reduce((sum, o) => sum + Number(o.high), 0);
    process.stdout.write(
      `Kafka ${kafka.version}, ClickHouse server ${await store.version()} over HTTP; ${backlog} clean purchases of ${messageBytes} B in ${TOPIC} (${partitions} partitions), ` +
        `event times over ${eventSpanMs / 1000} s, pre-produced in ${produceSeconds.toFixed(1)} s; ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()})\n` +
        `definition: by ${DEFINITION.dimensions.join(' x ')} (${CURRENCIES.length} x ${METHODS.length} groups); count, sum, avg, max, 2 quantiles, distinct (HLL of ${BUYERS} hashed buyers); ` +
        `tumbling 10 s and 1 min, hopping 5 min every 1 min (7 windows per event); out-of-orderness 5 s, grace 10 s\n`,
    );

    // One aggregator process, from its start until its committed offsets reach the end.
    drained = await drainBacklog({
      name: 'aggregator',
      main: 'services/aggregator/main.ts',
      httpPrefix: 'WEIR_AGGREGATOR',
      env: {
        KAFKA_BROKERS: kafka.brokers.join(','),
        WEIR_REGISTRY_URL: registry.url(),
        CLICKHOUSE_URL: clickhouse.url.href,
        WEIR_CLICKHOUSE_DATABASE: DATABASE,
        WEIR_AGGREGATES_DIR: aggregatesDir,
        WEIR_AGGREGATOR_GROUP_ID: GROUP,
        WEIR_AGGREGATOR_FLUSH_INTERVAL_MS: String(flushMs),
        WEIR_LOG_LEVEL: 'warn',
      },
      admin,
      groupId: GROUP,
      topic: TOPIC,
      backlog,
      otherPids: { broker: kafka.nodes[0]!.pid!, clickhouse: clickhouse.pid },
      ...(profileDir === undefined ? {} : { profileDir }),
      workDir: work,
    });
    const metrics = async () => {
      const page = await (await fetch(`${drained!.url}/metrics`)).text();
      const flushes = sumMetric(page, 'weir_aggregator_flush_duration_seconds_count');
      return { page, folded: sumMetric(page, 'weir_aggregator_events_total'), rows: sumMetric(page, 'weir_aggregator_flush_rows_total'), flushes, flushSeconds: sumMetric(page, 'weir_aggregator_flush_duration_seconds_sum') };
    };
    const m = await metrics();
    const table = `${DATABASE}.agg_purchase`;
    const [stored] = await store.query<{ n: string }>(`SELECT sum(window_count) AS n FROM ${table} FINAL WHERE window = 'tumbling_10s' AND window_superseded = 0`);
    const [physical] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${table}`);
    const rate = backlog / drained.seconds;
    process.stdout.write(
      drainReport('aggregator', backlog, drained, profileDir !== undefined) +
        `metrics: folded ${m.folded}, late ${sumMetric(m.page, 'weir_aggregator_late_events_total')}, rows written ${m.rows} in ${m.flushes} flushes (mean ${((m.flushSeconds / Math.max(1, m.flushes)) * 1000).toFixed(0)} ms a flush), ` +
        `windows closed ${sumMetric(m.page, 'weir_aggregator_windows_closed_total')}, flush interval ${flushMs} ms; ClickHouse: ${physical?.n} rows in ${table} now (after merges), its 10 s windows count ${stored?.n} events of ${backlog}\n` +
        `aggregator / target = ${Math.round(rate)} / ${TARGET_RATE} events/s = ${(rate / TARGET_RATE).toFixed(2)} (target: at least 1.00)\n`,
    );

    // Live: half the measured rate, event time = now, markers of their own group (CHF) on partition 0.
    const liveRate = Math.round(rate / 2);
    const cpuBefore = cpuSeconds(drained.child.pid);
    const freshness = await measureFreshness({
      producer,
      topic: TOPIC,
      partitions,
      rate: liveRate,
      seconds: freshnessSeconds,
      message: (i, eventTimeMs, marker) => ({ key: `live-${i}`, value: frame(purchase(total + i, eventTimeMs, marker ? 'CHF' : undefined)) }),
      store,
      table,
      markerGroup: "currency = 'CHF'",
      windowSizeMs: 10_000,
      windowName: 'tumbling_10s',
    });
    const liveCpu = cpuSeconds(drained.child.pid) - cpuBefore;
    const after = await metrics();
    const p99 = quantile(freshness.markers.flatMap((mk) => (mk.visibleAtMs === undefined ? [] : [mk.visibleAtMs - mk.eventTimeMs])), 0.99);
    process.stdout.write(
      `live: ${freshness.produced} purchases at ${liveRate}/s asked (${Math.round(freshness.produced / freshness.produceSeconds)}/s produced) for ${freshness.produceSeconds.toFixed(1)} s, event time = now; ` +
        `aggregator CPU ${((liveCpu / freshness.produceSeconds) * 100).toFixed(0)}% of a core, ${after.flushes - m.flushes} flushes every ${flushMs} ms ` +
        `(mean ${(((after.flushSeconds - m.flushSeconds) / Math.max(1, after.flushes - m.flushes)) * 1000).toFixed(0)} ms, ${Math.round((after.rows - m.rows) / Math.max(1, after.flushes - m.flushes))} rows a flush), ` +
        `its own weir_aggregator_freshness_seconds ${sumMetric(after.page, 'weir_aggregator_freshness_seconds')}\n` +
        freshnessReport(freshness) +
        `freshness p99 / target = ${p99} / ${TARGET_P99_MS} ms (target: at most ${TARGET_P99_MS} ms; every marker seen: ${freshness.markers.every((mk) => mk.visibleAtMs !== undefined)})\n`,
    );

    if (profileDir !== undefined) process.stdout.write(await profileOnExit(() => drained!.child.stop(30_000), profileDir, drained.profilesBefore));
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (drained?.child.running) await drained.child.stop(30_000);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await registry.stop();
    await store.close();
    await clickhouse.stop();
    await kafka.stop();
    if (!failed) fs.rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`aggregator log kept in ${work}\n`);
  }
}
