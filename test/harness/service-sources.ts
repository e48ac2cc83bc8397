/**
 * Decides where integration tests get Kafka and ClickHouse, in this order:
 *   1. external services when KAFKA_BROKERS / CLICKHOUSE_URL are set;
 *   2. testcontainers when a container runtime answers;
 *   3. otherwise real local processes started by deploy/local (a KRaft broker from Maven Central's
 *      jars, Debian's clickhouse-server).
 * Each source is decided per service, so a developer can point at their own ClickHouse and still
 * get a local broker.
 */
import { startLocalKafka } from '../../deploy/local/kafka/local-kafka.ts';
import { startLocalClickHouseServer } from '../../deploy/local/clickhouse/local-server.ts';

export type SourceKind = 'external' | 'containers' | 'local';

export interface StartedService<T> {
  readonly source: SourceKind;
  readonly value: T;
  stop(): Promise<void>;
}

const KAFKA_IMAGE = process.env.WEIR_TEST_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:8.1.0';
const CLICKHOUSE_IMAGE = process.env.WEIR_TEST_CLICKHOUSE_IMAGE ?? 'clickhouse/clickhouse-server:25.8';

let runtimeAnswer: Promise<boolean> | undefined;

/** True when testcontainers finds a Docker-compatible engine. Without one it rejects in milliseconds. */
export function containerRuntimeAvailable(): Promise<boolean> {
  runtimeAnswer ??= import('testcontainers')
    .then(({ getContainerRuntimeClient }) => getContainerRuntimeClient())
    .then(
      () => true,
      () => false,
    );
  return runtimeAnswer;
}

const noop = async (): Promise<void> => undefined;

export async function startKafkaForTests(env: NodeJS.ProcessEnv = process.env): Promise<StartedService<string[]>> {
  if (env.KAFKA_BROKERS) {
    return { source: 'external', value: env.KAFKA_BROKERS.split(',').map((b) => b.trim()), stop: noop };
  }
  if (await containerRuntimeAvailable()) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
    return {
      source: 'containers',
      value: [`${container.getHost()}:${container.getMappedPort(9093)}`],
      stop: async () => void (await container.stop()),
    };
  }
  const kafka = await startLocalKafka({ nodes: 1 });
  return { source: 'local', value: [...kafka.brokers], stop: kafka.stop };
}

export async function startClickHouseForTests(env: NodeJS.ProcessEnv = process.env): Promise<StartedService<string>> {
  if (env.CLICKHOUSE_URL) return { source: 'external', value: env.CLICKHOUSE_URL, stop: noop };
  if (await containerRuntimeAvailable()) {
    const { ClickHouseContainer } = await import('@testcontainers/clickhouse');
    const container = await new ClickHouseContainer(CLICKHOUSE_IMAGE).start();
    return { source: 'containers', value: container.getConnectionUrl(), stop: async () => void (await container.stop()) };
  }
  const server = await startLocalClickHouseServer();
  return { source: 'local', value: server.url.toString(), stop: server.stop };
}
