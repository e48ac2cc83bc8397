/**
 * The dashboards and alert rules against live data: every weir service runs as its own process,
 * a real Prometheus scrapes them under deploy/prometheus/prometheus.yml's job names and evaluates
 * deploy/prometheus/rules/, and events flow through the real pipeline: good ones, ones the gateway
 * rejects, ones the processor dead-letters, duplicates, late ones (dead-lettered and corrected),
 * enough windows to evict and read back, and a ClickHouse table dropped under the aggregator.
 * Then every PromQL expression of every panel, template variable and rule goes to Prometheus's
 * HTTP API: each must parse, each selector must select series (no misspelt metric or label),
 * each panel must return data with the labels its legend shows, and every rule must evaluate
 * without error. The ClickHouse panels' SQL runs against the aggregator's tables.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, serverStore } from '../../harness/clickhouse.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { labelValuesQuery, legendLabels, panelQueries, readDashboards, selectorsOf, substitute } from '../grafana/dashboard-files.ts';
import { startTestPrometheus, type TestPrometheus } from './prometheus-process.ts';
import { readRuleFiles, weirScrapeJobs } from './rule-files.ts';
import { optionalStages, stageExists, startWeirProcesses, type WeirProcesses } from './weir-processes.ts';

/**
 * Series no event of this test can make, with why. Their names are checked against the services'
 * metrics.ts instead, and they are reported as not verified against live data. None today: the
 * services start their per-type and per-code counters at 0, so every panel has a series.
 */
const NOT_PRODUCED: Readonly<Record<string, string>> = {};

async function post(url: string, key: string, events: readonly object[]): Promise<{ status: number; body: { accepted?: number; rejected?: number } }> {
  const response = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(events) });
  return { status: response.status, body: (await response.json()) as { accepted?: number; rejected?: number } };
}

/** The value of a PromQL expression as a number (sum over series), or undefined when it selects nothing. */
async function scalar(prometheus: TestPrometheus, expr: string): Promise<number | undefined> {
  const answer = await prometheus.query(`sum(${expr})`);
  const sample = answer.data?.result[0];
  return sample === undefined ? undefined : Number(sample.value[1]);
}

async function sendTraffic(weir: WeirProcesses, prometheus: TestPrometheus): Promise<void> {
  const gateway = (weir.jobs.get('gateway') as { url: string }).url;
  const { page_view: pv, purchase: pu, api_request: ar } = weir.types;
  const now = Date.now();
  const twoDaysAgo = now - 2 * 86_400_000;
  const view = (id: string, host: number, timestamp = now, url = `https://site${host}.example/p`) => ({ type: pv, id, timestamp, url, anonymous_id: `a${host}`, session_id: `s${host}`, user_id: 'u1', device_type: 'DESKTOP' });
  const purchase = (id: string, timestamp: number, currency: string) => ({ type: pu, id, timestamp, order_id: id, user_id: 'buyer', amount_minor: 1250, tax_minor: 200, currency, items_count: 2 });
  const call = (id: string, status: number) => ({ type: ar, id, timestamp: now, service: 'shop', method: 'GET', route: '/cart', status_code: status, latency_ms: 12.5, response_bytes: 512 });
  const aggregated = (type: string, n: number) => waitFor(`${n} ${type} events aggregated`, async () => ((await scalar(prometheus, `weir_aggregator_events_total{type="${type}"}`)) ?? 0) >= n, { timeoutMs: 60_000, intervalMs: 250 });

  // 1. Forty sites, twice: over the open-window cap, so windows are evicted, then read back.
  expect((await post(gateway, weir.devKey, Array.from({ length: 40 }, (_, i) => view(`pv-a-${i}`, i)))).status).toBe(200);
  await waitFor('windows evicted', async () => ((await scalar(prometheus, `weir_aggregator_evicted_windows_total{type="${pv}"}`)) ?? 0) > 0, { timeoutMs: 60_000, intervalMs: 250 });
  expect((await post(gateway, weir.devKey, Array.from({ length: 40 }, (_, i) => view(`pv-b-${i}`, i)))).status).toBe(200);
  await waitFor('evicted windows read back', async () => ((await scalar(prometheus, `weir_aggregator_read_back_windows_total{type="${pv}"}`)) ?? 0) > 0, { timeoutMs: 60_000, intervalMs: 250 });

  // 2. Good events of the other types, a duplicate, one the gateway rejects, one the processor
  //    dead-letters, and a request with a bad key.
  expect((await post(gateway, weir.devKey, [purchase('pu-1', now, 'EUR'), purchase('pu-2', now, 'USD'), call('ar-1', 200), call('ar-2', 503)])).status).toBe(200);
  expect((await post(gateway, weir.devKey, [view('pv-a-0', 0)])).status).toBe(200); // the same id again
  const mixed = await post(gateway, weir.devKey, [view('pv-bad-url', 1, now, 'not a url'), { type: pv, id: 'pv-no-anon', url: 'https://x.example/', session_id: 's', device_type: 'DESKTOP' }]);
  expect(mixed).toMatchObject({ status: 207, body: { accepted: 1, rejected: 1 } });
  expect((await post(gateway, 'wrong-key', [view('pv-x', 1)])).status).toBe(401);
  await aggregated(pu, 2);
  await aggregated(ar, 2);

  // 3. Windows closed by a later event (4 min ahead moves the watermark past the 10 s and 1 min
  //    windows' grace), then events two days old: late, dead-lettered (page_view) and corrected (purchase).
  expect((await post(gateway, weir.devKey, [view('pv-future', 0, now + 240_000)])).status).toBe(200);
  expect((await post(gateway, weir.devKey, [view('pv-late', 0, twoDaysAgo), purchase('pu-late', twoDaysAgo, 'EUR')])).status).toBe(200);
  for (const [type, action] of [[pv, 'dead_letter'], [pu, 'corrected']] as const) {
    await waitFor(`a late ${type} event, ${action}`, async () => ((await scalar(prometheus, `weir_aggregator_late_events_total{type="${type}", action="${action}"}`)) ?? 0) > 0, { timeoutMs: 60_000, intervalMs: 250 });
  }
  await waitFor('windows closed', async () => ((await scalar(prometheus, `weir_aggregator_windows_closed_total{type="${pv}"}`)) ?? 0) > 0, { timeoutMs: 60_000, intervalMs: 250 });
}

describe('Grafana dashboards and Prometheus rules against a live pipeline', () => {
  it('evaluates every panel, variable and rule on data scraped from every weir service', { timeout: 300_000 }, async () => {
    const store = await serverStore();
    const database = await createTestDatabase(store, 'dash');
    const weir = await startWeirProcesses(database, { maxOpenWindows: 100 });
    const jobs = weirScrapeJobs().filter((j) => weir.jobs.has(j.job));
    const missingStages = Object.keys(optionalStages).filter((job) => !stageExists(job as keyof typeof optionalStages));
    const prometheus = await startTestPrometheus(Object.fromEntries(jobs.map((j) => [j.job, [new URL((weir.jobs.get(j.job) as { url: string }).url).host]])));
    await waitFor('every target scraped at least twice', async () => {
      for (const { job } of jobs) if (((await scalar(prometheus, `count_over_time(up{job="${job}"}[5m])`)) ?? 0) < 2) return false;
      return true;
    }, { timeoutMs: 30_000, intervalMs: 250 });

    await sendTraffic(weir, prometheus);
    const { page_view: pv, purchase: pu, api_request: ar } = weir.types;

    // The query API, when it runs: a catalog read, a query, a refused request.
    let queryAnswered = false;
    const query = weir.jobs.get('query');
    if (query) {
      expect((await fetch(`${query.url}/v1/catalog`, { headers: { authorization: `Bearer ${weir.devKey}` } })).status).toBe(200);
      const answer = await fetch(`${query.url}/v1/query`, { method: 'POST', headers: { authorization: `Bearer ${weir.devKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: pv, measures: ['views'], last: '1h' }) });
      queryAnswered = answer.status === 200;
      expect((await fetch(`${query.url}/v1/catalog`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    }

    // The ClickHouse panels, on the test's tables, while they are all there.
    const from = Math.floor((Date.now() - 3 * 86_400_000) / 1000);
    const to = Math.floor((Date.now() + 3_600_000) / 1000);
    const sql = panelQueries().filter((q) => q.kind === 'clickhouse');
    expect(sql.length).toBeGreaterThan(5);
    for (const panel of sql) {
      const text = substitute(panel.query.replace(/\$__timeFilter\((\w+)\)/g, `$1 >= toDateTime(${from}) AND $1 <= toDateTime(${to})`), { database })
        .replace(/\bagg_page_view\b/g, `agg_${pv}`)
        .replace(/\bagg_purchase\b/g, `agg_${pu}`)
        .replace(/\bagg_api_request\b/g, `agg_${ar}`);
      const rows = await store.query<Record<string, unknown>>(text).catch((error: unknown) => {
        throw new Error(`${panel.where}: ClickHouse refused its SQL: ${String(error)}\n${text}`, { cause: error });
      });
      expect(rows.length, `${panel.where}: no rows`).toBeGreaterThan(0);
    }

    // A ClickHouse table gone under the aggregator: its next flush fails (weir_aggregator_insert_errors_total).
    await store.command(`DROP TABLE ${database}.agg_${ar}`);
    expect((await post((weir.jobs.get('gateway') as { url: string }).url, weir.devKey, [{ type: ar, id: 'ar-3', service: 'shop', method: 'GET', route: '/cart', status_code: 200, latency_ms: 3 }])).status).toBe(200);
    await waitFor('an insert error', async () => ((await scalar(prometheus, `weir_aggregator_insert_errors_total{type="${ar}"}`)) ?? 0) > 0, { timeoutMs: 60_000, intervalMs: 250 });

    // Every expression, once Prometheus has what the last events made (rates need two samples).
    const values = { type: `(${pv}|${pu}|${ar})`, instance: '.*', group: '.*', topic: '.*', datasource: 'weir-prometheus' };
    const promql = panelQueries().filter((q) => q.kind === 'prometheus').map((q) => ({ ...q, expr: substitute(q.query, values) }));
    const rules = readRuleFiles().flatMap((f) => f.rules.map((r) => ({ where: `${f.file.split('/').pop()} / ${r.alert ?? r.record}`, expr: r.expr })));
    const absentStage = (selector: string) => missingStages.some((job) => selector.includes(`"${job}"`)) || (missingStages.includes('query') && selector.startsWith('weir_query_')) || (missingStages.includes('lag-exporter') && selector.startsWith('weir_consumer_group_'));
    const expected = (selector: string) => !absentStage(selector) && !Object.keys(NOT_PRODUCED).some((n) => selector.startsWith(n)) && !(selector.startsWith('weir_query_rows_read_total') && !queryAnswered);
    const problems = async (): Promise<string[]> => {
      const found: string[] = [];
      for (const { where, expr } of [...promql.map((q) => ({ where: q.where, expr: q.expr })), ...rules]) {
        const answer = await prometheus.query(expr);
        if (answer.status !== 'success') found.push(`${where}: ${answer.error}\n  ${expr}`);
        for (const selector of selectorsOf(expr).filter(expected)) {
          if (((await prometheus.query(`count(${selector})`)).data?.result.length ?? 0) === 0) found.push(`${where}: ${selector} selects no series`);
        }
      }
      for (const q of promql) {
        if (!selectorsOf(q.expr).every(expected)) continue;
        const result = (await prometheus.query(q.expr)).data?.result ?? [];
        if (result.length === 0) found.push(`${q.where}: no data\n  ${q.expr}`);
        for (const label of legendLabels(q.legendFormat)) if (result.some((s) => s.metric[label] === undefined)) found.push(`${q.where}: a series without the legend's label ${label}`);
      }
      return found;
    };
    let last: string[] = [];
    await waitFor('every panel with data', async () => (last = await problems()).length === 0, { timeoutMs: 60_000, intervalMs: 1_000 }).catch(() => undefined);
    expect(last, last.join('\n')).toEqual([]);

    // Template variables: each label_values() query lists the test's values.
    for (const dashboard of readDashboards()) {
      for (const variable of dashboard.json.templating.list) {
        const query = labelValuesQuery(variable);
        if (variable.type !== 'query') continue;
        expect(query, `${dashboard.json.uid}: variable ${variable.name} is not label_values(...)`).toBeDefined();
        if (!query || absentStage(query.selector)) continue;
        const listed = await prometheus.api<string[]>(`/api/v1/label/${query.label}/values?match[]=${encodeURIComponent(substitute(query.selector, values))}`);
        expect(listed.length, `${dashboard.json.uid}: $${variable.name} lists nothing`).toBeGreaterThan(0);
        if (variable.name === 'type') expect(listed).toEqual(expect.arrayContaining([pv, pu, ar]));
      }
    }

    // Every rule evaluates without error (a runtime error such as duplicate label sets shows here, not in a parse).
    const groups = await prometheus.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
    const evaluated = groups.groups.flatMap((g) => g.rules);
    expect(evaluated.length).toBe(rules.length);
    expect(evaluated.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);

    const sources = ['gateway', 'processor', 'aggregator'].map((s) => fs.readFileSync(new URL(`../../../services/${s}/metrics.ts`, import.meta.url), 'utf8')).join('\n');
    for (const selector of Object.keys(NOT_PRODUCED)) expect(sources, `${selector} is not a metric the services define`).toContain(`'${selector.replace(/\{.*/, '')}'`);
    const notLive = [...Object.entries(NOT_PRODUCED).map(([s, why]) => `${s} (${why})`), ...missingStages.map((s) => `every ${s} panel and rule selector (services/${s}/main.ts does not exist)`), ...(query && !queryAnswered ? ['weir_query_rows_read_total (the test query was not answered 200)'] : [])];
    process.stdout.write(`dashboards: ${promql.length} PromQL targets, ${sql.length} SQL targets, ${rules.length} rules checked live; not verified against live data: ${notLive.length === 0 ? 'none' : notLive.join('; ')}\n`);
  });
});
