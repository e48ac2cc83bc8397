/**
 * The query API on its own: `node services/query/main.ts` (docker-compose runs it like this).
 * Stateless: run as many as needed behind a load balancer, all reading the same ClickHouse.
 */
import { clickHouseTarget, createClickHouseStore, type ClickHouseStore } from '../shared/clickhouse/store.ts';
import { runService } from '../shared/lifecycle/run-service.ts';
import { loadQueryConfig } from './config.ts';
import { resolveReadKeys } from './http/read-keys.ts';
import { createQueryComponent, type QueryComponent } from './query-component.ts';

await runService({
  name: 'weir-query',
  loadConfig: (env) => {
    const config = loadQueryConfig(env);
    return { config, keys: resolveReadKeys(config) };
  },
  build: ({ config: { config, keys }, logger, metrics }) => {
    // 1. ClickHouse is opened at start, 2. the query API runs on it, 3. stop in reverse.
    let store: ClickHouseStore | undefined;
    let query: QueryComponent | undefined;
    return {
      name: 'query',
      health: () => query?.health() ?? { live: true, ready: false, detail: { query: 'starting' } },
      async start() {
        store = await createClickHouseStore(clickHouseTarget(config, config.clickhousePath), { logger, requestTimeoutMs: config.timeoutMs + 5_000 });
        query = createQueryComponent({ config, keys, store, database: config.database, aggregatesDir: config.aggregatesDir, registryUrl: config.registryUrl, logger, metrics });
        await query.start();
      },
      async stop() {
        await query?.stop();
        await store?.close();
      },
    };
  },
});
