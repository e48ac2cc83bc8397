/**
 * `npm start`: the whole of weir on one machine, in the foreground. Embedded defaults: a local
 * Kafka broker (started as a child process) and ClickHouse embedded in this process (chDB), unless
 * KAFKA_BROKERS / CLICKHOUSE_URL point elsewhere. SIGINT/SIGTERM stop everything in reverse order.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertPortFree } from '../../deploy/local/free-port.ts';
import { startLocalKafka } from '../../deploy/local/kafka/local-kafka.ts';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { generateKeySecret } from '../gateway/auth/write-keys.ts';
import { resolveWriteKeys } from '../gateway/config.ts';
import { createGatewayComponent } from '../gateway/gateway-component.ts';
import { createAggregatorComponent } from '../aggregator/aggregator-component.ts';
import { createDemoComponent } from '../demo/demo-component.ts';
import { createLagExporterComponent } from '../lag-exporter/lag-exporter-component.ts';
import { createProcessorComponent } from '../processor/processor-component.ts';
import { resolveReadKeys } from '../query/http/read-keys.ts';
import { createQueryComponent } from '../query/query-component.ts';
import { createRegistryComponent } from '../registry/registry-component.ts';
import { createRegistryClient } from '../shared/registry/registry-client.ts';
import { devKeyFile, localSecret, registerStarterSchemas } from './local-setup.ts';
import { clickHouseTarget, createClickHouseStore } from '../shared/clickhouse/store.ts';
import { createKafka } from '../shared/kafka/client.ts';
import { isWeirError } from '../shared/errors.ts';
import { StopInOrder } from '../shared/lifecycle/stop-in-order.ts';
import { stopOnSignals } from '../shared/lifecycle/stop-on-signals.ts';
import { createLoggerFromConfig } from '../shared/logging-config.ts';
import { banner, type BannerEntry } from './banner.ts';
import { loadStackConfig } from './config.ts';

// 1. Configuration, validated once.
const config = (() => {
  try {
    return loadStackConfig(process.env);
  } catch (error) {
    process.stderr.write(`weir: ${isWeirError(error) ? error.message : String(error)}\n`);
    return process.exit(2);
  }
})();

// 2. One root logger; an ordered list of what to stop.
const logger = createLoggerFromConfig(config.stack, 'weir');
const stopper = new StopInOrder(logger);
stopOnSignals({ logger, stop: () => stopper.stopAll(), hardTimeoutMs: config.stack.shutdownTimeoutMs, exitWithParent: true });
const dataDir = path.resolve(config.stack.dataDir);
const shown: BannerEntry[] = [];

try {
  // 3. Kafka: the given brokers, or a local KRaft broker from Apache Kafka's own jars.
  let brokers: readonly string[];
  if (config.stack.kafkaBrokers) {
    brokers = config.stack.kafkaBrokers;
    shown.push({ name: 'Kafka', where: brokers.join(','), note: 'KAFKA_BROKERS' });
  } else {
    await assertPortFree(config.stack.kafkaPort, 'WEIR_KAFKA_PORT');
    const kafka = await startLocalKafka({
      dir: path.join(dataDir, 'kafka'),
      port: config.stack.kafkaPort,
      heapMb: config.stack.kafkaHeapMb,
      logger,
    });
    stopper.add('kafka', kafka.stop);
    brokers = kafka.brokers;
    shown.push({ name: 'Kafka', where: brokers.join(','), note: `local Apache Kafka ${kafka.version}, data in ${kafka.dir}` });
  }

  // 4. ClickHouse: the given server, or the embedded engine.
  const target = clickHouseTarget(config.stack, path.join(dataDir, 'clickhouse'));
  const clickhouse = await createClickHouseStore(target, { logger });
  stopper.add('clickhouse', () => clickhouse.close());
  const clickhouseVersion = await clickhouse.version();
  shown.push({ name: 'ClickHouse', where: clickhouse.location, note: `version ${clickhouseVersion}` });

  // 5. weir's services, each on its own port with /metrics, /healthz and /readyz.
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const kafkaClient = createKafka({ brokers, clientId: 'weir', logger });
  const registry = createRegistryComponent({ config: config.registry, kafka: kafkaClient, logger, metrics });
  stopper.add('registry', () => registry.stop());
  await registry.start();
  shown.push({ name: 'Schema registry', where: registry.url(), note: 'Confluent-compatible REST API' });

  // The dev key: WEIR_DEV_KEY, else one made once and kept in the data directory (stable between runs).
  const devKey = config.gateway.devKey ?? localSecret(devKeyFile(dataDir), () => generateKeySecret('weir_dev'));
  const gateway = createGatewayComponent({
    config: { ...config.gateway, registryUrl: registry.url(), devKey },
    keys: resolveWriteKeys({ ...config.gateway, devKey }),
    brokers,
    kafka: kafkaClient,
    logger,
    metrics,
  });
  stopper.add('gateway', () => gateway.stop());
  await gateway.start();
  shown.push({ name: 'Ingest gateway', where: `${gateway.url()}/v1/events`, note: 'OpenAPI at /openapi.json' });
  // Starter schemas first, so events can be sent and processed at once.
  const types = await registerStarterSchemas(createRegistryClient({ baseUrl: registry.url() }), fileURLToPath(new URL('../../schemas/events', import.meta.url)), logger);

  const piiSecret = process.env.WEIR_PII_SECRET ?? localSecret(path.join(dataDir, 'pii-secret'));
  const processor = createProcessorComponent({
    config: { ...config.processor, registryUrl: registry.url(), rawTopicPartitions: config.gateway.rawTopicPartitions },
    kafka: kafkaClient,
    secrets: (name) => (name === 'WEIR_PII_SECRET' ? piiSecret : process.env[name]),
    logger,
    metrics,
  });
  stopper.add('processor', () => processor.stop());
  await processor.start();
  shown.push({ name: 'Stream processor', where: `${processor.url()}/metrics`, note: `pipelines: ${processor.types().join(', ')}; schemas registered: ${types.join(', ')}` });

  const aggregator = createAggregatorComponent({ config: config.aggregator, registryUrl: registry.url(), kafka: kafkaClient, store: clickhouse, logger, metrics });
  stopper.add('aggregator', () => aggregator.stop());
  await aggregator.start();
  shown.push({ name: 'Aggregator', where: `${aggregator.url()}/metrics`, note: `windows of ${aggregator.types().join(', ')} into ${clickhouse.location}, database ${config.aggregator.database}` });
  const lagExporter = createLagExporterComponent({ config: config.lagExporter, kafka: kafkaClient, logger, metrics });
  stopper.add('lag-exporter', () => lagExporter.stop());
  await lagExporter.start();
  shown.push({ name: 'Lag exporter', where: `${lagExporter.url()}/metrics`, note: 'lag of every consumer group, in offsets and seconds' });

  const query = createQueryComponent({
    config: config.query,
    keys: resolveReadKeys({ ...config.query, devKey }),
    store: clickhouse,
    database: config.aggregator.database,
    aggregatesDir: config.aggregator.aggregatesDir,
    registryUrl: registry.url(),
    logger,
    metrics,
  });
  stopper.add('query', () => query.stop());
  await query.start();
  shown.push({ name: 'Query API', where: `${query.url()}/v1/query`, note: `catalog at /v1/catalog, streams at /v1/stream, OpenAPI at /openapi.json` });
  shown.push({ name: 'Write key', where: devKey, note: `${config.gateway.devKey === undefined ? `kept in ${devKeyFile(dataDir)}; set WEIR_DEV_KEY to choose one` : 'WEIR_DEV_KEY'}; it may also read every type` });

  // Demo traffic (`npm start -- --demo`): realistic events into our own gateway, so live numbers move at once.
  if (process.argv.slice(2).includes('--demo')) {
    const demo = createDemoComponent({ gatewayUrl: gateway.url(), key: devKey, ratePerSecond: 50, logger });
    stopper.add('demo', () => demo.stop());
    await demo.start();
    shown.push({ name: 'Demo traffic', where: `${demo.params.ratePerSecond} events/s`, note: `${demo.params.types.join(', ')}; seed ${demo.params.seed}` });
  }

  // 6. Tell the user what runs where.
  process.stdout.write(`${banner(shown)}\n`);
  logger.info({ brokers, clickhouse: clickhouse.location }, 'weir started');
} catch (error) {
  logger.fatal({ err: error, code: isWeirError(error) ? error.code : undefined }, 'weir could not start');
  if (isWeirError(error)) process.stderr.write(`\nweir could not start: ${error.message}\n`);
  await stopper.stopAll().catch(() => undefined);
  process.exit(1);
}
