/**
 * Ingest throughput: the gateway (its own process) under wrk with batches of 100 page_view
 * events of about 300 B, beside Kafka's own ProducerPerformance at the same message size on the
 * same broker, in the same run.
 *   npm run bench:ingest -- [--seconds 20] [--connections 32] [--events 100]
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { Registry } from 'prom-client';
import { freePort } from '../../deploy/local/free-port.ts';
import { ensureKafkaDistribution } from '../../deploy/local/kafka/distribution.ts';
import { startLocalKafka } from '../../deploy/local/kafka/local-kafka.ts';
import { registrySpec } from '../../services/registry/config.ts';
import { createRegistryComponent } from '../../services/registry/registry-component.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { silentLogger } from '../../services/shared/logger.ts';
import { cpuSeconds, machineBusySeconds } from './cpu.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function event(i: number): Record<string, unknown> {
  return {
    type: 'page_view',
    url: `https://shop.example.com/products/${i % 500}/details?ref=campaign-${i % 17}`,
    referrer: 'https://www.search.example/?q=weir+ingestion',
    title: 'Product details',
    user_id: `user-${i % 10_000}`,
    anonymous_id: `anon-${(i * 7919) % 100_000}`,
    session_id: `session-${i % 3_000}`,
    device_type: 'DESKTOP',
    properties: { plan: 'pro', experiment: 'b' },
  };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { seconds: { type: 'string', default: '20' }, connections: { type: 'string', default: '32' }, events: { type: 'string', default: '100' }, profile: { type: 'string' } } });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const perRequest = Number(values.events);
  if (spawnSync('wrk', ['--version']).error) throw new Error('this benchmark drives load with wrk: apt-get install wrk');

  const kafka = await startLocalKafka({ nodes: 1 });
  const defaults = defaultsOf(registrySpec);
  const registry = createRegistryComponent({
    config: { ...defaults, port: await freePort(), host: '127.0.0.1' },
    kafka: createKafka({ brokers: kafka.brokers, clientId: 'bench' }),
    logger: silentLogger(),
    metrics: new Registry(),
  });
  let gateway: ReturnType<typeof spawn> | undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-bench-'));
  try {
    await registry.start();
    const schemaText = fs.readFileSync(path.join(ROOT, 'schemas/events/page_view.avsc'), 'utf8');
    await fetch(`${registry.url()}/subjects/weir.raw.page_view-value/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ schema: schemaText }) });

    const port = await freePort();
    const key = 'bench_key_0123456789';
    const profile = values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`];
    gateway = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', ...profile, path.join(ROOT, 'services/gateway/main.ts')], {
      env: { ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), WEIR_REGISTRY_URL: registry.url(), WEIR_DEV_KEY: key, WEIR_GATEWAY_PORT: String(port), WEIR_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('the gateway did not become ready');
      if ((await fetch(`${url}/readyz`).catch(() => undefined))?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const events = Array.from({ length: perRequest }, (_, i) => event(i));
    const body = JSON.stringify(events);
    fs.writeFileSync(path.join(work, 'body.json'), body);
    fs.writeFileSync(
      path.join(work, 'post.lua'),
      `wrk.method = "POST"\nwrk.body = io.open("${path.join(work, 'body.json')}"):read("*a")\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer ${key}"\n`,
    );
    const warm = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
    if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}: ${await warm.text()}`);

    // The Kafka message the gateway writes for one event: Confluent framing + the Avro record.
    const type = avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema);
    const messageBytes = 5 + type.toBuffer({ ...events[0], event_id: '0192e3a4-5b6c-7d8e-9f01-23456789abcd', event_time: Date.now(), user_agent: null }).length;
    const jsonBytes = Math.round(body.length / perRequest);
    process.stdout.write(`Kafka ${kafka.version}; ${perRequest} events per request, ${jsonBytes} B of JSON each, ${messageBytes} B per Kafka message; ${connections} connections, ${seconds} s\n`);

    const pid = gateway.pid!;
    const brokerPid = kafka.nodes[0]!.pid!;
    const cpuBefore = cpuSeconds(pid);
    const brokerBefore = cpuSeconds(brokerPid);
    const machineBefore = machineBusySeconds();
    const wrk = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', path.join(work, 'post.lua'), `${url}/v1/events`], { encoding: 'utf8' });
    const cpu = cpuSeconds(pid) - cpuBefore;
    const brokerCpu = cpuSeconds(brokerPid) - brokerBefore;
    const machineCpu = machineBusySeconds() - machineBefore;
    const out = wrk.stdout;
    const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const latency = (p: string) => new RegExp(`\\s${p}%\\s+([\\d.]+\\w+)`).exec(out)?.[1] ?? '?';
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    const eventsPerSecond = requestsPerSecond * perRequest;
    process.stdout.write(
      `gateway: ${Math.round(requestsPerSecond)} requests/s = ${Math.round(eventsPerSecond)} events/s, latency p50 ${latency('50')} p90 ${latency('90')} p99 ${latency('99')}, ` +
        `non-2xx ${non2xx}; CPU: gateway ${((cpu / seconds) * 100).toFixed(0)}%, broker ${((brokerCpu / seconds) * 100).toFixed(0)}%, ` +
        `whole machine ${((machineCpu / seconds) * 100).toFixed(0)}% of ${os.cpus().length * 100}%\n`,
    );

    const admin = createKafka({ brokers: kafka.brokers, clientId: 'bench' }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('weir.raw.page_view');
    process.stdout.write(`messages in weir.raw.page_view: ${offsets.reduce((sum, o) => sum + Number(o.high), 0)}\n`);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'bench-tool', numPartitions: 3 }] });
    await admin.disconnect();

    const dist = ensureKafkaDistribution();
    // Long enough for the JVM to warm up, so this is the broker's real ceiling.
    const records = Math.max(1_000_000, Math.round(eventsPerSecond * 10));
    const tool = spawnSync(
      dist.java,
      ['-Xmx512m', '-cp', dist.classpath, 'org.apache.kafka.tools.ProducerPerformance', '--topic', 'bench-tool', '--num-records', String(records), '--record-size', String(messageBytes), '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${kafka.brokers.join(',')}`, 'acks=all', 'enable.idempotence=true', 'linger.ms=5', 'batch.size=65536', 'compression.type=none'],
      { encoding: 'utf8' },
    );
    const summary = tool.stdout.trim().split('\n').at(-1) ?? tool.stderr;
    const toolRate = Number(/([\d.]+) records\/sec/.exec(summary)?.[1]);
    process.stdout.write(`ProducerPerformance (${messageBytes} B, acks=all): ${summary}\n`);
    process.stdout.write(`gateway / ProducerPerformance = ${(eventsPerSecond / toolRate).toFixed(2)} (target: at least 0.50)\n`);
  } finally {
    gateway?.kill('SIGTERM');
    if (gateway && gateway.exitCode === null) await new Promise((resolve) => gateway!.once('exit', resolve));
    await registry.stop();
    await kafka.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
