/**
 * Query API latency under load: ONE query API process (`node services/query/main.ts`, its own OS
 * process) answering 50 concurrent keep-alive clients for 30 s (after a 5 s warm-up), on a day of
 * 1-minute windows over 100 tenants (144,000 windows, each written by 3 source partitions) with
 * count, sum, max, a distinct count (HLL) and a quantile, made by the aggregator's own code. By
 * default ClickHouse is the local server (Debian's 18.16, over HTTP, its own process);
 * `--engine embedded` puts chDB in the query process instead. A broker and the schema registry run
 * only because the query API checks its catalog against the clean schema registered there.
 * Prints per query kind queries/s, client-side p50/p90/p99/max, the API's own time and rows read,
 * the CPU of each process, and the p99 beside the 50 ms target.
 * `--cache-ms` is the query API's WEIR_QUERY_CACHE_MS (default 1000: equal queries share answers up
 * to about two flush intervals old); `--cache-ms 0` makes every request run on ClickHouse.
 * The day is history: nothing is written to the table during the load, so answers over its fixed
 * ranges stay valid (cached-runner.ts). `--live` adds what a running aggregator writes meanwhile:
 * once a second, a flush of live events into today's windows (query-live.ts), with the change rows
 * that let the query API keep its answers over yesterday. `--time-first` leaves out `indexBy` (the table sorted by time first).
 * The clients run in `--threads` worker threads (default 2), so the load generator, which shares
 * the 2 cores, is not held to one event loop.
 *   npm run bench:query -- [--engine server|embedded] [--clients 50] [--seconds 30] [--warmup 5] [--values 100] [--partitions 3] [--cache-ms 1000] [--live] [--time-first] [--threads 2] [--profile DIR]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { startChild, type ManagedChild } from '../../deploy/local/child-process.ts';
import { startLocalClickHouseServer, type LocalClickHouseServer } from '../../deploy/local/clickhouse/local-server.ts';
import { freePort } from '../../deploy/local/free-port.ts';
import { startLocalKafka } from '../../deploy/local/kafka/local-kafka.ts';
import { loadAggregateTables } from '../../services/aggregator/aggregate-tables.ts';
import { migrate } from '../../services/aggregator/clickhouse/migrate.ts';
import { serverFeatures } from '../../services/aggregator/clickhouse/table-layout.ts';
import { generateKeySecret } from '../../services/gateway/auth/write-keys.ts';
import { buildCatalog } from '../../services/query/catalog.ts';
import { registrySpec } from '../../services/registry/config.ts';
import { createRegistryComponent } from '../../services/registry/registry-component.ts';
import { createClickHouseStore, type ClickHouseStore } from '../../services/shared/clickhouse/store.ts';
import { defaultsOf } from '../../services/shared/config/settings.ts';
import { createKafka } from '../../services/shared/kafka/client.ts';
import { silentLogger } from '../../services/shared/logger.ts';
import { waitFor } from '../harness/wait-for.ts';
import { cpuSeconds, machineBusySeconds } from './cpu.ts';
import { registerSchema } from './drain.ts';
import { profileOnExit } from './profile.ts';
import { fillDay, MINUTE_MS, MINUTES } from './query-fill.ts';
import { loadReport, mergeLoads, runLoad, type LoadResult } from './query-load.ts';
import type { LoadWorkerData, LoadWorkerResult } from './query-load-worker.ts';
import { startLiveWriter } from './query-live.ts';
import { clickHouseAlone, queryKinds, type MixData } from './query-mix.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET_P99_MS = 50;
const TYPE = 'bench_query';
const DATABASE = 'weir_bench_query';
const DAY_MS = 86_400_000;
const READY_TIMEOUT_MS = 60_000;

/** The clean schema the bench type's definition is checked against (as the processor would register it). */
const CLEAN_SCHEMA = {
  type: 'record',
  name: 'BenchQuery',
  namespace: 'weir.clean',
  fields: [
    { name: 'event_id', type: 'string' },
    { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'tenant', type: 'string' },
    { name: 'user_id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'latency_ms', type: 'double' },
  ],
};

/**
 * Only a 1-minute tumbling window: every query over hours or days rolls 1-minute windows up.
 * Indexed by tenant (the table sorted by tenant before time) unless `--time-first`.
 */
const DEFINITION = {
  source: TYPE,
  dimensions: ['tenant'],
  indexBy: ['tenant'],
  measures: [
    { kind: 'count', name: 'events' },
    { kind: 'sum', name: 'amount_sum', field: 'amount' },
    { kind: 'max', name: 'amount_max', field: 'amount' },
    { kind: 'distinct', name: 'users', field: 'user_id' },
    { kind: 'quantile', name: 'latency_p99', field: 'latency_ms', q: 0.99 },
  ],
  windows: [{ kind: 'tumbling', sizeMs: MINUTE_MS }],
  allowedOutOfOrdernessMs: 5_000,
  graceMs: 10_000,
};

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      engine: { type: 'string', default: 'server' },
      clients: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '5' },
      values: { type: 'string', default: '100' },
      partitions: { type: 'string', default: '3' },
      profile: { type: 'string' },
      'cache-ms': { type: 'string', default: '1000' },
      'time-first': { type: 'boolean', default: false },
      live: { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
    },
  });
  const engine = values.engine;
  if (engine !== 'server' && engine !== 'embedded') throw new Error(`--engine is server or embedded, got ${engine}`);
  if (values.live && engine !== 'server') throw new Error('--live writes to the table while the query API reads it: chDB allows one process per directory, so --live needs --engine server');
  const clients = Number(values.clients);
  const seconds = Number(values.seconds);
  const warmupSeconds = Number(values.warmup);
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > clients) throw new Error(`--threads is a whole number from 1 to --clients (${clients}), got ${values.threads}`);
  const partitions = Number(values.partitions);
  const tenants = Array.from({ length: Number(values.values) }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);
  const profileDir = values.profile === undefined ? undefined : path.resolve(values.profile);
  const cacheMs = Number(values['cache-ms']);
  if (!Number.isInteger(cacheMs) || cacheMs < 0) throw new Error(`--cache-ms is a whole number of ms (0: answers not shared), got ${values['cache-ms']}`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-bench-query-'));
  const kafka = await startLocalKafka({ nodes: 1 });
  let clickhouse: LocalClickHouseServer | undefined;
  let store: ClickHouseStore | undefined;
  let query: ManagedChild | undefined;
  const registry = createRegistryComponent({ config: { ...defaultsOf(registrySpec), port: await freePort(), host: '127.0.0.1' }, kafka: createKafka({ brokers: kafka.brokers, clientId: 'bench' }), logger: silentLogger(), metrics: new Registry() });
  let failed = false;
  try {
    await registry.start();
    await registerSchema(registry.url(), `weir.clean.${TYPE}-value`, JSON.stringify(CLEAN_SCHEMA));
    const aggregatesDir = path.join(work, 'aggregates');
    fs.mkdirSync(aggregatesDir);
    const definition = values['time-first'] ? { ...DEFINITION, indexBy: [] } : DEFINITION;
    fs.writeFileSync(path.join(aggregatesDir, `${TYPE}.json`), JSON.stringify(definition, null, 2));
    const chdbPath = path.join(work, 'chdb');
    if (engine === 'server') clickhouse = await startLocalClickHouseServer();
    store = await createClickHouseStore(clickhouse === undefined ? { kind: 'embedded', path: chdbPath } : { kind: 'server', url: clickhouse.url }, { requestTimeoutMs: 120_000 });
    const version = await store.version();
    const features = serverFeatures(version);

    // The table and a day of windows, through the aggregator's code.
    const loaded = await loadAggregateTables(aggregatesDir, registry.url(), version);
    const table = loaded.tables.get(TYPE)!;
    await migrate(store, [table.layout], { database: DATABASE, features });
    const dayStartMs = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS; // yesterday, UTC: every window closed
    const filled = await fillDay({ store, database: DATABASE, table, values: tenants, partitions, dayStartMs });
    const fq = `${DATABASE}.${table.layout.table}`;
    const [stored] = await store.query<{ rows: string; events: string; windows: string }>(
      `SELECT count() AS rows, sum(window_count) AS events, uniqExact(window_start, tenant) AS windows FROM ${fq} WHERE window = 'tumbling_1m'`,
    );
    const [parts] = await store.query<{ n: string }>(`SELECT count() AS n FROM system.parts WHERE database = '${DATABASE}' AND table = '${table.layout.table}' AND active`);
    process.stdout.write(
      `Kafka ${kafka.version} (registry only); ClickHouse ${engine === 'server' ? `server ${version} over HTTP, its own process` : `chDB ${version} embedded in the query process`}; ` +
        `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} before the fill\n` +
        `definition: ${TYPE} by tenant (${tenants.length} values${values['time-first'] ? '; sorted by time first' : '; indexBy tenant'}); count, sum, max, distinct (HLL), quantile (p99); tumbling 1 min only\n` +
        `fill: ${filled.events} events folded into ${MINUTES} x ${tenants.length} windows x ${partitions} partitions = ${filled.rows} rows (+${partitions} progress and ${partitions} change rows) ` +
        `of ${new Date(dayStartMs).toISOString().slice(0, 10)} in ${filled.seconds.toFixed(1)} s; ClickHouse holds ${stored?.rows} rows, ${stored?.windows} windows, ${stored?.events} events, in ${parts?.n} active parts\n`,
    );

    // Each kind's query alone, one at a time, straight to ClickHouse: the engine's share of a request.
    const catalog = buildCatalog(loaded.tables);
    const mix = { type: TYPE, tenants, dayStartMs, counts: filled.counts };
    const kinds = queryKinds(mix);
    const alone = await clickHouseAlone(store, catalog, DATABASE, features, kinds, 10);
    process.stdout.write(`ClickHouse alone (the compiled SQL run one at a time from the bench, 10 runs; median of its own statistics.elapsed / of the round trip):\n${alone.join('\n')}\n`);
    if (!values.live) {
      await store.close(); // chDB: one process per directory, and the query process is next
      store = undefined;
    }

    // The query API as its own process.
    const port = await freePort();
    const key = generateKeySecret('weir_bench');
    if (profileDir !== undefined) fs.mkdirSync(profileDir, { recursive: true });
    const profilesBefore = new Set(profileDir === undefined ? [] : fs.readdirSync(profileDir));
    query = startChild({
      name: 'query',
      command: process.execPath,
      args: ['--disable-warning=TimeoutNegativeWarning', ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]), 'services/query/main.ts'],
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        WEIR_QUERY_PORT: String(port),
        WEIR_QUERY_HOST: '127.0.0.1',
        WEIR_REGISTRY_URL: registry.url(),
        WEIR_AGGREGATES_DIR: aggregatesDir,
        WEIR_CLICKHOUSE_DATABASE: DATABASE,
        WEIR_DEV_KEY: key,
        WEIR_LOG_LEVEL: 'warn',
        WEIR_QUERY_CACHE_MS: String(cacheMs),
        ...(clickhouse === undefined ? { WEIR_CLICKHOUSE_PATH: chdbPath } : { CLICKHOUSE_URL: clickhouse.url.href }),
      },
      logFile: path.join(work, 'query.log'),
    });
    const url = `http://127.0.0.1:${port}`;
    const startedAt = performance.now();
    const child = query;
    await waitFor('the query API ready', async () => !child.running || (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: READY_TIMEOUT_MS, intervalMs: 100 });
    if (!child.running) throw new Error(`the query API exited before it was ready:\n${child.logTail()}`);
    const readySeconds = (performance.now() - startedAt) / 1000;

    // The load; CPU counted over the measured window only.
    const pids = { query: query.pid, ...(clickhouse === undefined ? {} : { clickhouse: clickhouse.pid }) };
    let cpuAt: { own: NodeJS.CpuUsage; pids: Record<string, number>; machine: number; t: number } | undefined;
    let cpu: { own: number; pids: Record<string, number>; machine: number; seconds: number } | undefined;
    const sample = () => ({ own: process.cpuUsage(), pids: Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, cpuSeconds(pid)])), machine: machineBusySeconds(), t: performance.now() });
    // --live: an aggregator's flushes of today's live events, once a second (query-live.ts).
    const live = values.live && store !== undefined ? startLiveWriter({ store, database: DATABASE, table, tenants, partitions, firstOffset: BigInt(filled.events) }) : undefined;
    const onWindow = (phase: 'start' | 'end') => {
      if (phase === 'start') cpuAt = sample();
      else if (cpuAt !== undefined) {
        const now = sample();
        const own = process.cpuUsage(cpuAt.own);
        cpu = { own: (own.user + own.system) / 1e6, pids: Object.fromEntries(Object.entries(now.pids).map(([n, s]) => [n, s - cpuAt!.pids[n]!])), machine: now.machine - cpuAt.machine, seconds: (now.t - cpuAt.t) / 1000 };
      }
    };
    const load = threads === 1 ? await runLoad({ url, key, kinds, clients, warmupSeconds, seconds, onWindow }) : await loadInThreads({ url, key, mix, clients, threads, warmupSeconds, seconds, onWindow });
    await live?.stop();
    const written = live?.stats();
    const report = loadReport(load, seconds);
    const percent = (s: number) => `${((s / (cpu?.seconds ?? seconds)) * 100).toFixed(0)}%`;
    process.stdout.write(
      `query API ready ${readySeconds.toFixed(1)} s after start${profileDir === undefined ? '' : ' [under --cpu-prof]'}, answers shared for ${cacheMs} ms; ${clients} clients in ${threads} load thread(s), keep-alive, ${warmupSeconds} s warm-up, then ${seconds} s measured (${load.seconds.toFixed(1)} s to the last answer); ` +
        `latency from sending to the body's last byte, client-side; "API" is the answer's meta.elapsedMs (plan, ClickHouse round trip, evaluate)\n` +
        (written !== undefined
          ? `live: ${written.flushes} flushes written during the load, one a second, ${written.windowRows} rows of today's windows (${tenants.length} tenants x ${partitions} partitions a flush)${written.failed > 0 ? `, ${written.failed} failed` : ''}; the queries read yesterday: the change rows say their answers hold\n`
          : cacheMs === 0
            ? `history, answers not shared (--cache-ms 0): every request runs on ClickHouse\n`
            : `history: nothing written during the load, so answers over the fixed ranges stay valid until the table changes\n`) +
        `${report.lines.join('\n')}\n` +
        (cpu === undefined
          ? ''
          : `CPU over the measured ${cpu.seconds.toFixed(1)} s: ${Object.entries(cpu.pids).map(([n, s]) => `${n} ${percent(s)} of a core (${s.toFixed(1)} s)`).join(', ')}, ` +
            `load generator (this process) ${percent(cpu.own)} (${cpu.own.toFixed(1)} s), whole machine ${percent(cpu.machine)} of ${os.cpus().length * 100}%; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`) +
        `p99 / target = ${report.p99.toFixed(1)} / ${TARGET_P99_MS} ms: ${report.p99 <= TARGET_P99_MS ? 'met' : 'NOT met'} (target: p99 within ${TARGET_P99_MS} ms at ${clients} clients)` +
        `${report.failures > 0 ? `; ${report.failures} answers failed or were wrong: the figures above leave them out` : '; every answer 200 with the expected count'}\n`,
    );
    if (profileDir !== undefined) {
      const child = query;
      process.stdout.write(await profileOnExit(() => child.stop(30_000), profileDir, profilesBefore, 20));
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    if (query?.running) await query.stop(30_000);
    await store?.close();
    await clickhouse?.stop();
    await registry.stop();
    await kafka.stop();
    if (!failed) fs.rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`query API log kept in ${work}\n`);
  }
}

/** The load split over `threads` worker threads (query-load-worker.ts), the measured window timed here. */
async function loadInThreads(options: { url: string; key: string; mix: MixData; clients: number; threads: number; warmupSeconds: number; seconds: number; onWindow: (phase: 'start' | 'end') => void }): Promise<LoadResult> {
  const { threads, clients } = options;
  const window = setTimeout(() => options.onWindow('start'), options.warmupSeconds * 1000);
  try {
    const results = await Promise.all(
      Array.from({ length: threads }, (_, w) => {
        const first = Math.floor((w * clients) / threads);
        const data: LoadWorkerData = { url: options.url, key: options.key, mix: options.mix, clients: Math.floor(((w + 1) * clients) / threads) - first, firstClient: first, warmupSeconds: options.warmupSeconds, seconds: options.seconds };
        const worker = new Worker(new URL('./query-load-worker.ts', import.meta.url), { workerData: data });
        return new Promise<LoadResult>((resolve, reject) => {
          worker.once('message', (r: LoadWorkerResult) => resolve({ byKind: new Map(r.byKind), seconds: r.seconds }));
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`load thread ${w} exited with code ${code} before its result`)));
        });
      }),
    );
    options.onWindow('end');
    return mergeLoads(results);
  } finally {
    clearTimeout(window);
  }
}
