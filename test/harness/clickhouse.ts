/** ClickHouse for integration tests: the run's server, an embedded chDB per file, unique databases. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createClickHouseStore, type ClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { registerCleanup } from './cleanup.ts';
import { uniqueName } from './unique.ts';

/** A store on the run's ClickHouse server (HTTP), closed on cleanup. */
export async function serverStore(): Promise<ClickHouseStore> {
  const url = new URL(inject('clickhouseUrl'));
  const username = decodeURIComponent(url.username) || undefined;
  const password = decodeURIComponent(url.password) || undefined;
  url.username = '';
  url.password = '';
  const store = await createClickHouseStore({
    kind: 'server',
    url,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  });
  registerCleanup(() => store.close());
  return store;
}

/**
 * An embedded chDB store in a fresh directory, closed and removed on cleanup. chDB allows one
 * data directory per process, so a test file opens one and shares it across its tests.
 */
export async function embeddedStore(): Promise<ClickHouseStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-chdb-test-'));
  const store = await createClickHouseStore({ kind: 'embedded', path: dir });
  registerCleanup(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

/** A uniquely named database on `store`, dropped on cleanup. */
export async function createTestDatabase(store: ClickHouseStore, prefix = 'db'): Promise<string> {
  const database = uniqueName(prefix);
  await store.command(`CREATE DATABASE ${database}`);
  registerCleanup(() => store.command(`DROP DATABASE IF EXISTS ${database}`));
  return database;
}
