/**
 * Processor throughput: ONE processor process (its own OS process) drains a pre-produced backlog
 * of page_view raw events (the heaviest starter pipeline: two URL derivations and two HMACs):
 * decode, validate, transform, encode and produce transactionally, offsets committed in the
 * transactions. Measured from the process's start until its group's committed offsets reach the
 * raw topic's end, with its CPU, the broker's and the machine's, beside the 100k events/s target.
 *   npm run bench:process -- [--events 500000] [--partitions 6] [--profile DIR]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { Registry } from 'prom-client';
import type { ManagedChild } from '../../deploy/local/child-process.ts';
import { freePort } from '../../deploy/local/free-port.ts';
import { startLocalKafka } from '../../deploy/local/kafka/local-kafka.ts';
import { registrySpec } from '../../services/registry/config.ts';
import { createRegistryComponent } from '../../services/registry/registry-component.ts';
import { encodeFrame } from '../../services/shared/avro/wire-format.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { silentLogger } from '../../services/shared/logger.ts';
import { drainBacklog, drainReport, produceBacklog, registerSchema } from './drain.ts';
import { profileOnExit, sumMetric } from './profile.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET = 100_000;
const GROUP = 'weir-bench-processor';
const PII_SECRET = 'bench-pii-secret-0123456789abcdef';

function pageView(i: number, now: number): Record<string, unknown> {
  return {
    event_id: `pv-${i}`,
    event_time: now - (i % 60_000),
    url: `https://shop.example.com/products/${i % 500}/details?ref=campaign-${i % 17}`,
    referrer: 'https://www.search.example/?q=weir+ingestion',
    title: '  Product details ',
    user_id: i % 3 === 0 ? null : `user-${i % 10_000}`,
    anonymous_id: `anon-${(i * 7919) % 100_000}`,
    session_id: `session-${i % 3_000}`,
    device_type: 'DESKTOP',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
    properties: { plan: 'pro', experiment: 'b' },
  };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { events: { type: 'string', default: '500000' }, partitions: { type: 'string', default: '6' }, profile: { type: 'string' } } });
  const total = Number(values.events);
  const partitions = Number(values.partitions);
  const profileDir = values.profile === undefined ? undefined : path.resolve(values.profile);

  const kafka = await startLocalKafka({ nodes: 1 });
  const client = createKafka({ brokers: kafka.brokers, clientId: 'bench' });
  const defaults = defaultsOf(registrySpec);
  const registry = createRegistryComponent({ config: { ...defaults, port: await freePort(), host: '127.0.0.1' }, kafka: client, logger: silentLogger(), metrics: new Registry() });
  const admin = client.admin();
  const producer = client.producer({ allowAutoTopicCreation: false });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-bench-process-'));
  let processor: ManagedChild | undefined;
  let failed = false;
  try {
    await registry.start();
    await admin.connect();
    await producer.connect();

    // The starter schemas, as `weir schemas push` would register them.
    const ids = new Map<string, number>();
    for (const file of fs.readdirSync(path.join(ROOT, 'schemas/events')).filter((f) => f.endsWith('.avsc'))) {
      const type = file.slice(0, -'.avsc'.length);
      ids.set(type, await registerSchema(registry.url(), `weir.raw.${type}-value`, fs.readFileSync(path.join(ROOT, 'schemas/events', file), 'utf8')));
    }
    // Every pipeline's topics made up front (a processor making its own can trip on metadata lag).
    const pipelineTypes = fs.readdirSync(path.join(ROOT, 'schemas/pipelines')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
    await admin.createTopics({
      waitForLeaders: true,
      topics: pipelineTypes.flatMap((type) => ['raw', 'clean', 'dlq'].map((kind) => ({ topic: `weir.${kind}.${type}`, numPartitions: type === 'page_view' ? partitions : 1, replicationFactor: 1 }))),
    });

    // The backlog: `total` page views, Confluent-framed Avro, keyed by visitor.
    const schemaId = ids.get('page_view')!;
    const avroType = avro.Type.forSchema(JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/events/page_view.avsc'), 'utf8')) as avro.Schema);
    const now = Date.now();
    const message = (i: number) => {
      const event = pageView(i, now);
      return { key: String(event.anonymous_id), value: encodeFrame(schemaId, avroType.toBuffer(event)), headers: { 'weir-event-id': String(event.event_id), 'weir-schema-id': String(schemaId) } };
    };
    const messageBytes = message(0).value.length;
    const produceSeconds = await produceBacklog(producer, 'weir.raw.page_view', total, message);
    const high = await admin.fetchTopicOffsets('weir.raw.page_view');
    const backlog = high.reduce((sum, o) => sum + Number(o.high), 0);
    process.stdout.write(
      `Kafka ${kafka.version}; ${backlog} page_view events of ${messageBytes} B in weir.raw.page_view (${partitions} partitions), pre-produced in ${produceSeconds.toFixed(1)} s; ` +
        `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()})\n`,
    );

    // One processor process, from its start until its committed offsets reach the end.
    const drained = await drainBacklog({
      name: 'processor',
      main: 'services/processor/main.ts',
      httpPrefix: 'WEIR_PROCESSOR',
      env: {
        KAFKA_BROKERS: kafka.brokers.join(','),
        WEIR_REGISTRY_URL: registry.url(),
        WEIR_PIPELINES_DIR: path.join(ROOT, 'schemas/pipelines'),
        WEIR_PROCESSOR_GROUP_ID: GROUP,
        WEIR_PII_SECRET: PII_SECRET,
        WEIR_LOG_LEVEL: 'warn',
      },
      admin,
      groupId: GROUP,
      topic: 'weir.raw.page_view',
      backlog,
      otherPids: { broker: kafka.nodes[0]!.pid! },
      ...(profileDir === undefined ? {} : { profileDir }),
      workDir: work,
    });
    processor = drained.child;
    const page = await (await fetch(`${drained.url}/metrics`)).text();
    const published = sumMetric(page, 'weir_processor_published_total');
    const deadLettered = sumMetric(page, 'weir_processor_dead_lettered_total');
    const dropped = sumMetric(page, 'weir_processor_dropped_total');
    const rate = backlog / drained.seconds;

    process.stdout.write(
      drainReport('processor', backlog, drained, profileDir !== undefined) +
        `metrics: published ${published}, dead-lettered ${deadLettered}, dropped ${dropped}; published + dead-lettered + dropped = ${published + deadLettered + dropped} of ${backlog}\n` +
        `processor / target = ${Math.round(rate)} / ${TARGET} events/s = ${(rate / TARGET).toFixed(2)} (target: at least 1.00)\n`,
    );

    if (profileDir !== undefined) process.stdout.write(await profileOnExit(() => drained.child.stop(30_000), profileDir, drained.profilesBefore));
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (processor?.running) await processor.stop(30_000);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await registry.stop();
    await kafka.stop();
    if (!failed) fs.rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`processor log kept in ${work}\n`);
  }
}
