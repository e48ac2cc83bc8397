/**
 * Vitest global setup of the `integration` project: one Kafka and one ClickHouse server for the
 * whole run, shared by every file. Tests isolate themselves with unique topic, group and database
 * names (test/harness/kafka.ts, clickhouse.ts), never by deleting what others made.
 */
import type { TestProject } from 'vitest/node';
import { startClickHouseForTests, startKafkaForTests, type SourceKind } from './service-sources.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    kafkaSource: SourceKind;
    clickhouseUrl: string;
    clickhouseSource: SourceKind;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [kafka, clickhouse] = await Promise.all([startKafkaForTests(), startClickHouseForTests()]);
  project.provide('kafkaBrokers', kafka.value);
  project.provide('kafkaSource', kafka.source);
  project.provide('clickhouseUrl', clickhouse.value);
  project.provide('clickhouseSource', clickhouse.source);
  process.stdout.write(`integration services: Kafka ${kafka.value.join(',')} (${kafka.source}), ClickHouse ${clickhouse.value} (${clickhouse.source})\n`);
  return async () => {
    await Promise.all([kafka.stop(), clickhouse.stop()]);
  };
}
