/** The aggregator as its own OS process (`node services/aggregator/main.ts`), for crash tests, on the run's ClickHouse server. */
import { inject } from 'vitest';
import { startServiceProcess, type ServiceProcess } from './service-process.ts';

export interface AggregatorProcessOptions {
  readonly registryUrl: string;
  readonly aggregatesDir: string;
  readonly database: string;
  readonly groupId: string;
  readonly name: string;
  readonly env?: Readonly<Record<string, string>>;
}

export function startAggregatorProcess(options: AggregatorProcessOptions): Promise<ServiceProcess> {
  return startServiceProcess({
    main: 'services/aggregator/main.ts',
    httpPrefix: 'WEIR_AGGREGATOR',
    name: options.name,
    env: {
      WEIR_REGISTRY_URL: options.registryUrl,
      WEIR_AGGREGATES_DIR: options.aggregatesDir,
      WEIR_AGGREGATOR_GROUP_ID: options.groupId,
      WEIR_CLICKHOUSE_DATABASE: options.database,
      CLICKHOUSE_URL: inject('clickhouseUrl'),
      ...options.env,
    },
  });
}
