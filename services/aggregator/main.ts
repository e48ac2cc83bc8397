/**
 * The aggregator on its own: `node services/aggregator/main.ts` (docker-compose, clusters and the
 * crash tests run it like this). Aggregators scale with partitions: run more with the same
 * WEIR_AGGREGATOR_GROUP_ID against the same ClickHouse server and they share the clean topics.
 */
import { clickHouseTarget, createClickHouseStore, type ClickHouseStore } from '../shared/clickhouse/store.ts';
import { DEFAULT_BROKERS } from '../shared/kafka/brokers-setting.ts';
import { createKafka } from '../shared/kafka/client.ts';
import { runService } from '../shared/lifecycle/run-service.ts';
import { createAggregatorComponent, type AggregatorComponent } from './aggregator-component.ts';
import { loadAggregatorConfig } from './config.ts';

await runService({
  name: 'weir-aggregator',
  loadConfig: loadAggregatorConfig,
  build: ({ config, logger, metrics }) => {
    // 1. ClickHouse is opened at start, 2. the aggregator runs on it, 3. stop in reverse.
    let store: ClickHouseStore | undefined;
    let aggregator: AggregatorComponent | undefined;
    return {
      name: 'aggregator',
      health: () => aggregator?.health() ?? { live: true, ready: false, detail: { aggregator: 'starting' } },
      async start() {
        store = await createClickHouseStore(clickHouseTarget(config, config.clickhousePath), { logger });
        aggregator = createAggregatorComponent({
          config,
          registryUrl: config.registryUrl,
          kafka: createKafka({ brokers: config.kafkaBrokers ?? DEFAULT_BROKERS, clientId: 'weir-aggregator', logger }),
          store,
          logger,
          metrics,
        });
        await aggregator.start();
      },
      async stop() {
        await aggregator?.stop();
        await store?.close();
      },
    };
  },
});
