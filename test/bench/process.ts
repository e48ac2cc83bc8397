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
import { startChild, type ManagedChild } from '../../deploy/local/child-process.ts';
import { freePort } from '../../deploy/local/free-port.ts';
import { startLocalKafka } from '../../deploy/local/kafka/local-kafka.ts';
import { registrySpec } from '../../services/registry/config.ts';
import { createRegistryComponent } from '../../services/registry/registry-component.ts';
import { encodeFrame } from '../../services/shared/avro/wire-format.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { silentLogger } from '../../services/shared/logger.ts';
import { cpuSeconds, machineBusySeconds } from './cpu.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET = 100_000;
const GROUP = 'weir-bench-processor';
const PII_SECRET = 'bench-pii-secret-0123456789abcdef';

/** The sum of one metric's samples in a Prometheus text page. */
function sumMetric(page: string, name: string): number {
  return page
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

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

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The top `n` functions by self time in a V8 .cpuprofile (samples weighted by their time deltas). */
function topSelfTime(file: string, n: number): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the delta to the next one
    const frame = byNode.get(id)!.callFrame;
    const where = frame.url === '' ? '' : ` ${frame.url.replace(`file://${ROOT}/`, '').replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
    if (key !== '(idle)') total += us;
  });
  const idle = self.get('(idle)') ?? 0;
  self.delete('(idle)');
  return [
    `main thread busy ${(total / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s; % of busy time:`,
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`),
  ];
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
      const schema = fs.readFileSync(path.join(ROOT, 'schemas/events', file), 'utf8');
      const response = await fetch(`${registry.url()}/subjects/weir.raw.${type}-value/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ schema }) });
      if (!response.ok) throw new Error(`registering ${type}: HTTP ${response.status} ${await response.text()}`);
      ids.set(type, ((await response.json()) as { id: number }).id);
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
    const produceStart = performance.now();
    const batch = 5_000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < total) {
          const from = next;
          const n = Math.min(batch, total - from);
          next += n;
          await producer.send({ topic: 'weir.raw.page_view', acks: -1, messages: Array.from({ length: n }, (_, j) => message(from + j)) });
        }
      }),
    );
    const produceSeconds = (performance.now() - produceStart) / 1000;
    const high = await admin.fetchTopicOffsets('weir.raw.page_view');
    const backlog = high.reduce((sum, o) => sum + Number(o.high), 0);
    process.stdout.write(
      `Kafka ${kafka.version}; ${backlog} page_view events of ${messageBytes} B in weir.raw.page_view (${partitions} partitions), pre-produced in ${produceSeconds.toFixed(1)} s; ` +
        `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()})\n`,
    );

    // One processor process, from its start until its committed offsets reach the end.
    const port = await freePort();
    const profileArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
    if (profileDir !== undefined) fs.mkdirSync(profileDir, { recursive: true });
    const profilesBefore = new Set(profileDir === undefined ? [] : fs.readdirSync(profileDir));
    const brokerPid = kafka.nodes[0]!.pid!;
    const brokerBefore = cpuSeconds(brokerPid);
    const machineBefore = machineBusySeconds();
    const start = performance.now();
    processor = startChild({
      name: 'processor',
      command: process.execPath,
      args: ['--disable-warning=TimeoutNegativeWarning', ...profileArgs, 'services/processor/main.ts'],
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: kafka.brokers.join(','),
        WEIR_REGISTRY_URL: registry.url(),
        WEIR_PIPELINES_DIR: path.join(ROOT, 'schemas/pipelines'),
        WEIR_PROCESSOR_GROUP_ID: GROUP,
        WEIR_PROCESSOR_PORT: String(port),
        WEIR_PROCESSOR_HOST: '127.0.0.1',
        WEIR_PII_SECRET: PII_SECRET,
        WEIR_LOG_LEVEL: 'warn',
      },
      logFile: path.join(work, 'processor.log'),
    });
    const pid = processor.pid;
    const url = `http://127.0.0.1:${port}`;
    let readyAt: number | undefined;
    let firstAt: number | undefined;
    let processorCpu = 0;
    for (;;) {
      if (!processor.running) throw new Error(`the processor exited before it caught up:\n${processor.logTail()}`);
      if (performance.now() - start > 15 * 60_000) throw new Error(`the processor did not catch up in 15 minutes:\n${processor.logTail()}`);
      processorCpu = cpuSeconds(pid);
      if (readyAt === undefined && (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200) readyAt = performance.now();
      const [answer] = await admin.fetchOffsets({ groupId: GROUP, topics: ['weir.raw.page_view'] });
      const committed = (answer?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      if (firstAt === undefined && committed > 0) firstAt = performance.now();
      if (committed >= backlog) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const end = performance.now();
    const seconds = (end - start) / 1000;
    const brokerCpu = cpuSeconds(brokerPid) - brokerBefore;
    const machineCpu = machineBusySeconds() - machineBefore;
    const page = await (await fetch(`${url}/metrics`)).text();
    const published = sumMetric(page, 'weir_processor_published_total');
    const deadLettered = sumMetric(page, 'weir_processor_dead_lettered_total');
    const dropped = sumMetric(page, 'weir_processor_dropped_total');
    const rate = backlog / seconds;
    const fromReady = readyAt === undefined ? undefined : backlog / ((end - readyAt) / 1000);
    const fromFirst = firstAt === undefined ? undefined : backlog / ((end - firstAt) / 1000);

    process.stdout.write(
      `processor: ${backlog} events in ${seconds.toFixed(1)} s from process start = ${Math.round(rate)} events/s` +
        (fromReady === undefined ? '' : `; ${Math.round(fromReady)} events/s from /readyz 200 (${((readyAt! - start) / 1000).toFixed(1)} s after start)`) +
        (fromFirst === undefined ? '' : `; first commit seen ${((firstAt! - start) / 1000).toFixed(1)} s after start`) +
        `${profileDir === undefined ? '' : ' [under --cpu-prof]'}\n` +
        `CPU over those ${seconds.toFixed(1)} s: processor ${((processorCpu / seconds) * 100).toFixed(0)}% of a core (${processorCpu.toFixed(1)} s), broker ${((brokerCpu / seconds) * 100).toFixed(0)}%, ` +
        `whole machine ${((machineCpu / seconds) * 100).toFixed(0)}% of ${os.cpus().length * 100}%\n` +
        `metrics: published ${published}, dead-lettered ${deadLettered}, dropped ${dropped}; published + dead-lettered + dropped = ${published + deadLettered + dropped} of ${backlog}\n` +
        `processor / target = ${Math.round(rate)} / ${TARGET} events/s = ${(rate / TARGET).toFixed(2)} (target: at least 1.00)\n`,
    );

    if (profileDir !== undefined) {
      await processor.stop(30_000); // the profile is written when the process exits
      const written = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f));
      if (written.length === 0) {
        process.stdout.write(`no .cpuprofile written in ${profileDir}\n`);
      } else {
        const file = path.join(profileDir, written.sort().at(-1)!);
        process.stdout.write(`top 15 self time in ${file} (whole process life, start-up included):\n${topSelfTime(file, 15).join('\n')}\n`);
      }
    }
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
