/**
 * Produce throughput on the local broker: Kafka's own ProducerPerformance (the ceiling a client
 * can be measured against) and a kafkajs idempotent producer, acks=all, same record size.
 *   npm run bench kafka -- [--records 200000] [--size 300] [--batch 100] [--concurrency 8]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { CompressionTypes } from 'kafkajs';
import { startLocalKafka } from '../../deploy/local/kafka/local-kafka.ts';
import { ensureKafkaDistribution } from '../../deploy/local/kafka/distribution.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string', default: '200000' },
      size: { type: 'string', default: '300' },
      batch: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const records = Number(values.records);
  const size = Number(values.size);
  const batch = Number(values.batch);
  const concurrency = Number(values.concurrency);
  for (const [flag, v] of Object.entries({ records, size, batch, concurrency })) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`--${flag} must be a positive integer, got ${String(values[flag as keyof typeof values])}`);
  }

  const kafka = await startLocalKafka({ nodes: 1 });
  try {
    const dist = ensureKafkaDistribution();
    const admin = createKafka({ brokers: kafka.brokers, clientId: 'bench' }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'bench-tool', numPartitions: 3 }, { topic: 'bench-kafkajs', numPartitions: 3 }] });
    await admin.disconnect();
    process.stdout.write(`Kafka ${kafka.version} at ${kafka.brokers.join(',')}; ${records} records of ${size} B, acks=all\n`);

    // 1. The broker's ceiling, measured by Kafka's own tool.
    const tool = spawnSync(
      dist.java,
      ['-Xmx512m', '-cp', dist.classpath, 'org.apache.kafka.tools.ProducerPerformance',
        '--topic', 'bench-tool', '--num-records', String(records), '--record-size', String(size), '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${kafka.brokers.join(',')}`, 'acks=all', 'enable.idempotence=true', 'linger.ms=5', 'batch.size=65536', 'compression.type=lz4'],
      { encoding: 'utf8' },
    );
    const summary = tool.stdout.trim().split('\n').at(-1) ?? '';
    const toolRate = Number(/([\d.]+) records\/sec/.exec(summary)?.[1] ?? NaN);
    process.stdout.write(`ProducerPerformance: ${summary}\n`);

    // 2. kafkajs: idempotent producer, batches of `batch` records, `concurrency` sends in flight.
    const producer = createKafka({ brokers: kafka.brokers, clientId: 'bench' }).producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    const value = Buffer.alloc(size, 'x');
    const batches = Math.ceil(records / batch);
    let next = 0;
    const latencies: number[] = [];
    const started = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batches) {
          const b = next++;
          const t0 = performance.now();
          await producer.send({
            topic: 'bench-kafkajs',
            acks: -1,
            compression: CompressionTypes.None,
            messages: Array.from({ length: Math.min(batch, records - b * batch) }, (_, i) => ({ key: `k${(b * batch + i) % 1000}`, value })),
          });
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    await producer.disconnect();
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
    const rate = records / seconds;
    process.stdout.write(
      `kafkajs: ${records} records in ${seconds.toFixed(2)} s = ${Math.round(rate)} records/s, ` +
        `batch latency p50 ${pct(50)} ms p99 ${pct(99)} ms, client CPU ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)}%\n`,
    );
    if (Number.isFinite(toolRate)) process.stdout.write(`kafkajs / ProducerPerformance = ${(rate / toolRate).toFixed(2)}\n`);
  } finally {
    await kafka.stop();
  }
}
