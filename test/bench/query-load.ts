/**
 * Closed-loop HTTP load for the query API: `clients` concurrent clients on keep-alive connections,
 * each sending its next query as soon as the last one is answered, cycling through a mix of query
 * kinds. Every answer is checked (HTTP 200, the expected total count); latencies are client-side,
 * from sending the request to the last byte of the body, counted for requests sent inside the
 * measured window (after the warm-up).
 */
import http from 'node:http';
import { quantile } from '../harness/freshness-markers.ts';

export interface QueryKind {
  readonly name: string;
  readonly about: string;
  /** The i-th request of this kind: a POST body, or a GET path with its query string. */
  request(i: number): { readonly path: string; readonly body?: unknown; readonly expectedTotal: number; readonly expectedRows: number };
}

export interface KindStats {
  readonly latenciesMs: number[];
  /** The query API's own meta.elapsedMs (planning, ClickHouse round trip, evaluation). */
  readonly apiMs: number[];
  rowsRead: number;
  errors: number;
  mismatches: number;
  /** The first few failures, for the report. */
  readonly samples: string[];
}

export interface LoadOptions {
  readonly url: string;
  readonly key: string;
  readonly kinds: readonly QueryKind[];
  readonly clients: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Called once when the measured window opens, and once when it closes. */
  readonly onWindow?: (phase: 'start' | 'end') => void;
  /** The number of the first client (clients of other threads come before), so threads start on different kinds. */
  readonly firstClient?: number;
}

export interface LoadResult {
  readonly byKind: ReadonlyMap<string, KindStats>;
  readonly seconds: number;
}

interface Answer {
  readonly status: number;
  readonly body: Buffer;
  /** performance.now() at the body's last byte. */
  readonly at: number;
}

function send(agent: http.Agent, url: URL, key: string, path: string, body: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path, method: payload === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${key}`, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, at: performance.now(), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * What the checks need from an answer, read by scanning its text rather than parsing it: the
 * load generator shares the machine with the query API, and parsing 2,400-row answers hundreds
 * of times a second would make it the bottleneck. Each row has one "start" and one "events".
 * `verified` holds, per request, the rows of the last answer that passed: rows equal to them byte
 * for byte pass without a scan.
 */
function summarize(body: Buffer, request: string, verified: ReadonlyMap<string, Verified>): { rows: number; total: number; rowsRead: number; elapsedMs: number; rowsBytes?: Buffer } {
  const metaAt = body.lastIndexOf('"meta":');
  const rowsBytes = body.subarray(0, metaAt);
  const meta = JSON.parse(body.subarray(metaAt + 7, body.length - 1).toString('utf8')) as { rowsRead: number; elapsedMs: number };
  const known = verified.get(request);
  if (known !== undefined && known.rowsBytes.equals(rowsBytes)) return { rows: known.rows, total: known.total, ...meta };
  let rows = 0;
  let total = 0;
  for (const match of rowsBytes.toString('utf8').matchAll(/"start":|"events":(\d+|null)/g)) {
    if (match[1] === undefined) rows++;
    else if (match[1] !== 'null') total += Number(match[1]);
  }
  return { rows, total, rowsBytes, ...meta };
}

interface Verified {
  readonly rowsBytes: Buffer;
  readonly rows: number;
  readonly total: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  const byKind = new Map(options.kinds.map((k): [string, KindStats] => [k.name, emptyStats()]));
  const counters = new Map(options.kinds.map((k) => [k.name, 0]));
  const verified = new Map<string, Verified>();
  const begin = performance.now();
  const measureFrom = begin + options.warmupSeconds * 1000;
  const measureTo = measureFrom + options.seconds * 1000;
  const windowTimer = setTimeout(() => options.onWindow?.('start'), options.warmupSeconds * 1000);
  const client = async (c: number) => {
    for (let turn = 0; performance.now() < measureTo; turn++) {
      const kind = options.kinds[(c + turn) % options.kinds.length]!;
      const i = counters.get(kind.name)!;
      counters.set(kind.name, i + 1);
      const request = kind.request(i);
      const sentAt = performance.now();
      let failure: string | undefined;
      let mismatch: string | undefined;
      let summary: ReturnType<typeof summarize> | undefined;
      let doneAt = NaN;
      try {
        const answer = await send(agent, url, options.key, request.path, request.body);
        doneAt = answer.at;
        if (answer.status !== 200) failure = `HTTP ${answer.status}: ${answer.body.toString('utf8', 0, 300)}`;
        else {
          const id = `${request.path} ${JSON.stringify(request.body)}`;
          summary = summarize(answer.body, id, verified);
          const { rows, total } = summary;
          if (total !== request.expectedTotal || rows !== request.expectedRows) mismatch = `${rows} rows with ${total} events, expected ${request.expectedRows} rows with ${request.expectedTotal}`;
          else if (summary.rowsBytes !== undefined) verified.set(id, { rowsBytes: summary.rowsBytes, rows, total });
        }
      } catch (error) {
        failure = (error as Error).message;
      }
      if (sentAt < measureFrom) continue;
      const stats = byKind.get(kind.name)!;
      if (failure !== undefined || mismatch !== undefined) {
        if (failure !== undefined) stats.errors++;
        else stats.mismatches++;
        if (stats.samples.length < 3) stats.samples.push(failure ?? mismatch!);
        continue;
      }
      stats.latenciesMs.push(doneAt - sentAt);
      stats.apiMs.push(summary?.elapsedMs ?? 0);
      stats.rowsRead += summary?.rowsRead ?? 0;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.clients }, (_, c) => client((options.firstClient ?? 0) + c)));
  } finally {
    clearTimeout(windowTimer);
    agent.destroy();
  }
  options.onWindow?.('end');
  return { byKind, seconds: (performance.now() - measureFrom) / 1000 };
}

const emptyStats = (): KindStats => ({ latenciesMs: [], apiMs: [], rowsRead: 0, errors: 0, mismatches: 0, samples: [] });

/** Adds `from`'s answers to `into` (keeping at most 3 failure samples). */
function addStats(into: KindStats, from: KindStats): void {
  into.latenciesMs.push(...from.latenciesMs);
  into.apiMs.push(...from.apiMs);
  into.rowsRead += from.rowsRead;
  into.errors += from.errors;
  into.mismatches += from.mismatches;
  into.samples.push(...from.samples.slice(0, Math.max(0, 3 - into.samples.length)));
}

/** The results of several load threads as one. */
export function mergeLoads(results: readonly LoadResult[]): LoadResult {
  const byKind = new Map<string, KindStats>();
  for (const result of results) {
    for (const [name, s] of result.byKind) {
      const into = byKind.get(name) ?? emptyStats();
      addStats(into, s);
      byKind.set(name, into);
    }
  }
  return { byKind, seconds: Math.max(...results.map((r) => r.seconds)) };
}

/** One line per kind and one overall: queries/s, latency quantiles, the API's own time, rows read, failures. */
export function loadReport(result: LoadResult, measuredSeconds: number): { lines: string[]; p99: number; failures: number } {
  const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  const line = (name: string, s: Pick<KindStats, 'latenciesMs' | 'apiMs' | 'rowsRead' | 'errors' | 'mismatches'>) => {
    const n = s.latenciesMs.length;
    const q = (values: number[], p: number) => (values.length === 0 ? NaN : quantile(values, p));
    return (
      `${name.padEnd(30)} ${(n / measuredSeconds).toFixed(1).padStart(7)} q/s  p50 ${fmt(q(s.latenciesMs, 0.5)).padStart(6)}  p90 ${fmt(q(s.latenciesMs, 0.9)).padStart(6)}  ` +
      `p99 ${fmt(q(s.latenciesMs, 0.99)).padStart(6)}  max ${fmt(n === 0 ? NaN : s.latenciesMs.reduce((a, b) => Math.max(a, b), 0)).padStart(6)} ms; API p50 ${fmt(q(s.apiMs, 0.5)).padStart(6)} ms; ` +
      `rows read ${n === 0 ? 0 : Math.round(s.rowsRead / n)} a query; ${s.errors} errors, ${s.mismatches} mismatches`
    );
  };
  const all = emptyStats();
  const lines: string[] = [];
  for (const [name, s] of result.byKind) {
    lines.push(line(name, s));
    addStats(all, { ...s, samples: [] });
    for (const sample of s.samples) lines.push(`  ${name} failed: ${sample}`);
  }
  lines.push(line('all', all));
  return { lines, p99: all.latenciesMs.length === 0 ? NaN : quantile(all.latenciesMs, 0.99), failures: all.errors + all.mismatches };
}
