/** A real query API for integration tests, on the test's ClickHouse and aggregate definitions. */
import { Registry } from 'prom-client';
import { generateKeySecret, hashKey } from '../../services/gateway/auth/write-keys.ts';
import { querySpec, type QueryConfig } from '../../services/query/config.ts';
import { resolveReadKeys } from '../../services/query/http/read-keys.ts';
import { createQueryComponent, type QueryComponent } from '../../services/query/query-component.ts';
import type { ClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';
import { createLogger, silentLogger } from '../../services/shared/logger.ts';
import { registerCleanup } from './cleanup.ts';

export interface TestQuery {
  readonly component: QueryComponent;
  readonly url: string;
  /** Reads every type. */
  readonly key: string;
  readonly metrics: Registry;
  /** Calls the API with the key; a JSON body is sent as POST. */
  request(path: string, init?: { body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

export interface TestQueryOptions {
  readonly registryUrl: string;
  readonly store: ClickHouseStore;
  readonly database: string;
  readonly aggregatesDir: string;
  readonly config?: Partial<QueryConfig>;
  /** Extra read keys: id -> allowed types. Their secrets are `<id>-secret-key`. */
  readonly readKeys?: Readonly<Record<string, readonly string[]>>;
}

export async function startTestQuery(options: TestQueryOptions): Promise<TestQuery> {
  const key = generateKeySecret('weir_test');
  const readKeys = Object.entries(options.readKeys ?? {}).map(([id, types]) => ({ id, sha256: hashKey(`${id}-secret-key`).toString('hex'), types }));
  const config: QueryConfig = { ...defaultsOf(querySpec), port: 0, host: '127.0.0.1', streamIntervalMs: 200, ...options.config, ...(readKeys.length > 0 ? { readKeys: JSON.stringify(readKeys) } : {}) };
  const metrics = new Registry();
  const logger = process.env.WEIR_TEST_LOG ? createLogger({ level: 'debug', format: 'json' }) : silentLogger();
  const component = createQueryComponent({
    config,
    keys: resolveReadKeys({ ...config, devKey: key }),
    store: options.store,
    database: options.database,
    aggregatesDir: options.aggregatesDir,
    registryUrl: options.registryUrl,
    logger,
    metrics,
  });
  registerCleanup(() => component.stop());
  await component.start();
  const url = component.url();
  return {
    component,
    url,
    key,
    metrics,
    async request(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.key !== null) headers.authorization = `Bearer ${init.key ?? key}`;
      if (init.body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(`${url}${path}`, { method: init.body === undefined ? 'GET' : 'POST', headers, ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }) });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body, headers: response.headers };
    },
  };
}
