/**
 * `npm start` as a user runs it: it prints its endpoints, serves them, takes events in through the
 * gateway and gives them back from the query API with exact counts (the README's quick start), and
 * on SIGTERM stops everything in order and exits cleanly within 15 s, leaving no process behind.
 */
import { spawn } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../deploy/local/free-port.ts';
import { createKafka } from '../../../services/shared/kafka/client.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { waitFor } from '../../harness/wait-for.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('prints its endpoints, serves them, answers queries of the events sent to it, and exits cleanly on SIGTERM within 15 s', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-start-'));
    registerCleanup(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const kafkaPort = await freePort();
    const registryPort = await freePort();
    const gatewayPort = await freePort();
    const processorPort = await freePort();
    const aggregatorPort = await freePort();
    const queryPort = await freePort();
    const lagExporterPort = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        WEIR_DATA_DIR: dataDir,
        WEIR_KAFKA_PORT: String(kafkaPort),
        WEIR_REGISTRY_PORT: String(registryPort),
        WEIR_GATEWAY_PORT: String(gatewayPort),
        WEIR_PROCESSOR_PORT: String(processorPort),
        WEIR_AGGREGATOR_PORT: String(aggregatorPort),
        WEIR_QUERY_PORT: String(queryPort),
        WEIR_LAG_EXPORTER_PORT: String(lagExporterPort),
        WEIR_DEV_KEY: 'npm_start_test_key',
        WEIR_LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let descendants: number[] = [];
    registerCleanup(() => {
      for (const pid of [npm.pid!, ...descendants]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });

    await waitFor('the banner of npm start', () => output.includes('weir is running:') || npm.exitCode !== null, { timeoutMs: 120_000 });
    expect(output).toContain('weir is running:');
    expect(output).toMatch(new RegExp(`Kafka\\s+127\\.0\\.0\\.1:${kafkaPort}`));
    expect(output).toMatch(/ClickHouse\s+embedded chDB at .*clickhouse\s+\(version \d+\./);

    const admin = createKafka({ brokers: [`127.0.0.1:${kafkaPort}`], clientId: 'npm-start-test' }).admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers).toHaveLength(1);
    await admin.disconnect();

    expect(output).toMatch(new RegExp(`Schema registry\\s+http://127\\.0\\.0\\.1:${registryPort}`));
    for (const path of ['/healthz', '/readyz', '/metrics', '/subjects']) {
      const response = await fetch(`http://127.0.0.1:${registryPort}${path}`);
      expect(response.status, `GET ${path} on the registry`).toBe(200);
    }

    // Events in through the gateway come out of the processor: the whole stack is wired.
    const sent = await fetch(`http://127.0.0.1:${gatewayPort}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer npm_start_test_key' },
      body: JSON.stringify([{ type: 'page_view', url: 'https://start.example/', anonymous_id: 'a', session_id: 's', device_type: 'BOT' }]),
    });
    expect(sent.status, await sent.clone().text()).toBe(200);
    expect((await fetch(`http://127.0.0.1:${processorPort}/readyz`)).status).toBe(200);
    await waitFor('the processor to publish the event', async () =>
      /weir_processor_published_total\{type="page_view"\} 1/.test(await (await fetch(`http://127.0.0.1:${processorPort}/metrics`)).text()),
    );
    // ... and its windows reach the embedded ClickHouse.
    await waitFor('the aggregator to write the event', async () => {
      const page = await (await fetch(`http://127.0.0.1:${aggregatorPort}/metrics`)).text();
      return /weir_aggregator_events_total\{type="page_view"\} 1/.test(page) && /weir_aggregator_flush_rows_total\{type="page_view"\} [1-9]/.test(page);
    });

    // End to end: the README's quick start, events in through the gateway and back out of the
    // query API with exact counts, once the aggregator has flushed them to the embedded ClickHouse.
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const quickStart = readme.slice(readme.indexOf('## Query API'));
    const [events, query] = [...quickStart.matchAll(/-d '([^']+)'/g)].map((m) => m[1]!);
    const auth = { 'content-type': 'application/json', authorization: 'Bearer npm_start_test_key' };
    const pushed = await fetch(`http://127.0.0.1:${gatewayPort}/v1/events/purchase`, { method: 'POST', headers: auth, body: events });
    expect(pushed.status, await pushed.clone().text()).toBe(200);
    const more = Array.from({ length: 40 }, (_, i) => ({ order_id: `e2e-${i}`, amount_minor: 100 + i, currency: i % 4 === 0 ? 'JPY' : 'EUR', items_count: 1 }));
    const pushedMore = await fetch(`http://127.0.0.1:${gatewayPort}/v1/events/purchase`, { method: 'POST', headers: auth, body: JSON.stringify(more) });
    expect(pushedMore.status).toBe(200);
    const expected = { EUR: { orders: 31, revenue_minor: 1999 + more.filter((e) => e.currency === 'EUR').reduce((n, e) => n + e.amount_minor, 0) }, USD: { orders: 1, revenue_minor: 500 }, JPY: { orders: 10, revenue_minor: more.filter((e) => e.currency === 'JPY').reduce((n, e) => n + e.amount_minor, 0) } };
    type Answer = { rows?: Array<{ dimensions: { currency: string }; values: { orders: number; revenue_minor: number } }> };
    const totals = (answer: Answer) => {
      const out: Record<string, { orders: number; revenue_minor: number }> = {};
      for (const r of answer.rows ?? []) {
        const t = (out[r.dimensions.currency] ??= { orders: 0, revenue_minor: 0 });
        t.orders += r.values.orders;
        t.revenue_minor += r.values.revenue_minor;
      }
      return out;
    };
    let answer: Answer = {};
    await waitFor('the purchases back from the query API', async () => {
      const response = await fetch(`http://127.0.0.1:${queryPort}/v1/query`, { method: 'POST', headers: auth, body: query });
      answer = (await response.json()) as Answer;
      return isDeepStrictEqual(totals(answer), expected);
    }, { timeoutMs: 60_000, intervalMs: 250 }).catch((error: Error) => {
      throw new Error(`${error.message}; the last answer: ${JSON.stringify(answer).slice(0, 1_500)}`);
    });
    expect(totals(answer)).toEqual(expected);
    const catalog = (await (await fetch(`http://127.0.0.1:${queryPort}/v1/catalog`, { headers: auth })).json()) as { types: Array<{ type: string }> };
    expect(catalog.types.map((t) => t.type).sort()).toEqual(['api_request', 'page_view', 'purchase']);
    // The lag exporter sees the stack's consumer groups.
    await waitFor('the lag exporter to report weir-aggregator', async () =>
      /weir_consumer_group_lag_offsets\{group="weir-aggregator"/.test(await (await fetch(`http://127.0.0.1:${lagExporterPort}/metrics`)).text()),
    );

    descendants = descendantsOf(npm.pid!);
    expect(descendants.length).toBeGreaterThanOrEqual(2); // node, and the broker JVM under it

    npm.kill('SIGTERM');
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
    const result = await Promise.race([exited, deadline]);
    expect(result, `npm start did not exit within 15 s after SIGTERM:\n${output.slice(-2000)}`).not.toBe('timeout');
    expect(result).toEqual({ code: 0, signal: null });
    expect(output).toContain('"step":"registry"');
    expect(output).toContain('"step":"kafka"');
    expect(output.indexOf('"step":"registry"')).toBeLessThan(output.indexOf('"step":"kafka"'));
    await waitFor('every process of the stack to be gone', () => descendants.every((pid) => !alive(pid)), { timeoutMs: 5_000 });
  });
});
