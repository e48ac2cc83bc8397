/**
 * A real Prometheus (Debian's, /usr/bin/prometheus) as a child process of the test, scraping the
 * given targets every second under deploy/prometheus/prometheus.yml's job names and evaluating
 * deploy/prometheus/rules/ every second. Stopped by PID and its directory removed on cleanup.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChild } from '../../../deploy/local/child-process.ts';
import { freePort } from '../../../deploy/local/free-port.ts';
import { registerCleanup } from '../../harness/cleanup.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { rulesDir } from './rule-files.ts';

export const PROMETHEUS = '/usr/bin/prometheus'; // apt's prometheus package; .ci/run installs it

export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface QueryAnswer {
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: readonly Sample[] };
}

export interface TestPrometheus {
  readonly url: string;
  query(expr: string): Promise<QueryAnswer>;
  /** GET <path> of the HTTP API, its JSON `data`. */
  api<T>(apiPath: string): Promise<T>;
  logTail(): string;
}

/** `targets`: job name -> host:port of each scraped process. */
export async function startTestPrometheus(targets: Readonly<Record<string, readonly string[]>>): Promise<TestPrometheus> {
  if (!fs.existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install prometheus (.ci/run does)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
    rule_files: [path.join(rulesDir, '*.yml')],
    scrape_configs: Object.entries(targets).map(([job, hosts]) => ({ job_name: job, static_configs: [{ targets: hosts }] })),
  };
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2)); // JSON is YAML
  const port = await freePort();
  const child = startChild({
    name: 'prometheus',
    command: PROMETHEUS,
    args: [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    env: { PATH: process.env.PATH ?? '' },
    logFile: path.join(dir, 'prometheus.log'),
  });
  registerCleanup(async () => {
    await child.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('Prometheus ready', async () => child.running && (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, intervalMs: 100 }).catch((error: unknown) => {
    throw new Error(`${String(error)}\n--- prometheus log ---\n${child.logTail()}`, { cause: error });
  });
  const api = async <T>(apiPath: string): Promise<T> => {
    const answer = (await (await fetch(`${url}${apiPath}`)).json()) as { status: string; data: T; error?: string };
    if (answer.status !== 'success') throw new Error(`${apiPath}: ${answer.error ?? answer.status}`);
    return answer.data;
  };
  return {
    url,
    api,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
      return (await response.json()) as QueryAnswer;
    },
    logTail: () => child.logTail(),
  };
}
