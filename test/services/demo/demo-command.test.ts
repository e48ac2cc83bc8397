/** `weir demo`: argument checks, the gateway check, and whole runs against a stand-in gateway. */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDemoCommand, parseDuration, type StopSignals } from '../../../services/cli/commands/demo.ts';
import { useCliHarness, type CliRun } from '../cli/cli-harness.ts';
import { waitFor } from '../../harness/wait-for.ts';

const KEY = 'wk_demo_test_key';

describe('weir demo', () => {
  const cli = useCliHarness();

  /** A gateway stand-in: /healthz, and /v1/events accepting every event sent with KEY. */
  async function gateway(): Promise<{ url: string; events: Record<string, unknown>[] }> {
    const events: Record<string, unknown>[] = [];
    const url = await cli.serve((req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('ok');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers.authorization !== `Bearer ${KEY}`) {
          return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'the write key is not valid', retriable: false } }));
        }
        const body = Buffer.concat(chunks);
        const json = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body;
        const batch = JSON.parse(json.toString('utf8')) as Record<string, unknown>[];
        events.push(...batch);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: batch.length, rejected: 0, errors: [] }));
      });
    });
    return { url, events };
  }

  describe('rejects bad arguments with exit 2, naming the flag', () => {
    it.each([
      [['--rate', '0'], '--rate "0" is invalid: expected events per second, more than 0 and at most 10000'],
      [['--rate', 'fast'], '--rate "fast" is invalid'],
      [['--rate', '20000'], '--rate "20000" is invalid'],
      [['--duration', '0s'], '--duration "0s" is invalid: expected a time above 0 such as 90s, 5m, 1h, 500ms, or a number of seconds'],
      [['--duration', '5 minutes'], '--duration "5 minutes" is invalid'],
      [['--types', 'page_view,click'], '--types "page_view,click" is invalid: expected one or more of page_view, purchase, api_request, separated by commas (unknown: click)'],
      [['--types', ','], '--types "," is invalid'],
      [['--bad-fraction', '2'], '--bad-fraction "2" is invalid: expected a share from 0 to 1, such as 0.01'],
      [['--bad-fraction=-0.1'], '--bad-fraction "-0.1" is invalid'],
      [['--seed', '1.5'], '--seed "1.5" is invalid: expected a whole number from 0 to 4294967295'],
      [['--seed', '4294967296'], '--seed "4294967296" is invalid'],
      [['--gateway', 'ftp://gw'], `--gateway "ftp://gw" is invalid: expected the gateway's http(s) base URL, such as http://127.0.0.1:8080`],
      [['--gateway', 'http://gw:8080/?x=1'], '--gateway "http://gw:8080/?x=1" is invalid'],
      [['--key', ' '], '--key needs a write key'],
      [['--frob'], "Unknown option '--frob'"],
    ])('%j', async (args, message) => {
      const run = await cli.run(['demo', ...args], { env: { WEIR_DEV_KEY: KEY } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`weir demo: ${message}`);
      expect(run.stderr).toContain("Run 'weir demo --help' for usage.");
      expect(run.stdout).toBe('');
    });

    it('names WEIR_GATEWAY_URL when that is what is wrong', async () => {
      const run = await cli.run(['demo'], { env: { WEIR_DEV_KEY: KEY, WEIR_GATEWAY_URL: 'gw:8080' } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('weir demo: WEIR_GATEWAY_URL "gw:8080" is invalid');
    });

    it('exits 2 naming WEIR_DEV_KEY when there is no key', async () => {
      const run = await cli.run(['demo'], { env: { WEIR_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'weir-no-key-')) } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('weir demo: no write key: set WEIR_DEV_KEY to the key `npm start` printed');
      expect(run.stderr).toContain('--key <key>');
    });
  });

  it('parses durations', () => {
    expect([parseDuration('90s'), parseDuration('5m'), parseDuration('1h'), parseDuration('500ms'), parseDuration('2'), parseDuration('1.5s')]).toEqual([90_000, 300_000, 3_600_000, 500, 2_000, 1_500]);
    expect([parseDuration('0'), parseDuration('-1s'), parseDuration('1d'), parseDuration('')]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('prints its help', async () => {
    const run = await cli.run(['demo', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: weir demo');
    for (const flag of ['--gateway', '--key', '--rate', '--duration', '--types', '--bad-fraction', '--seed']) expect(run.stdout).toContain(flag);
  });

  it('uses the dev key `npm start` keeps in the data directory when WEIR_DEV_KEY is unset', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-kept-key-'));
    fs.writeFileSync(path.join(dataDir, 'dev-key'), `${KEY}\n`);
    const run = await cli.run(['demo', '--gateway', await cli.deadUrl()], { env: { WEIR_DATA_DIR: dataDir } });
    expect(run.stderr).not.toContain('no write key');
    expect(run.stderr).toMatch(/cannot reach the gateway/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 2 with a hint when no gateway answers', async () => {
    const run = await cli.run(['demo', '--gateway', await cli.deadUrl()], { env: { WEIR_DEV_KEY: KEY } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/weir demo: cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(run.stderr).toContain('Is weir running? Start it with `npm start`, or point at a gateway with --gateway <url> or WEIR_GATEWAY_URL.');
  });

  it('runs for --duration, every event accepted, and ends with a summary', async () => {
    const gw = await gateway();
    const run = await cli.run(['demo', '--duration', '1s', '--rate', '200', '--types', 'purchase,api_request', '--seed', '3'], { env: { WEIR_DEV_KEY: KEY, WEIR_GATEWAY_URL: gw.url } });
    expect(run.stderr).toContain(`Sending purchase, api_request to ${gw.url} at 200 events/s (seed 3) for 1s.`);
    expect(run.code, run.stderr).toBe(0);
    const sent = gw.events.length;
    expect(sent).toBeGreaterThan(100);
    expect(run.stdout).toMatch(new RegExp(`^Demo done after \\ds: sent ${sent.toLocaleString('en-US')}  accepted ${sent.toLocaleString('en-US')}  rejected 0  errors 0\\n$`));
    expect(new Set(gw.events.map((e) => e['type']))).toEqual(new Set(['purchase', 'api_request']));
  });

  it('ends at once with exit 2 and a hint when the gateway refuses the key', async () => {
    const gw = await gateway();
    const run = await cli.run(['demo', '--gateway', gw.url, '--key', 'wk_wrong', '--duration', '1h']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('weir demo: the gateway refused the write key');
    expect(run.stdout).toMatch(/accepted 0 {2}rejected 0 {2}errors [1-9]/);
  });

  it('stops on a signal, flushing what it holds, and says how many were deliberately bad', async () => {
    const gw = await gateway();
    let signal: (reason: string) => void = () => {};
    const signals: StopSignals = (stop) => {
      signal = stop;
      return () => (signal = () => {});
    };
    let stdout = '';
    let stderr = '';
    const running = createDemoCommand(signals).run(['--gateway', gw.url, '--bad-fraction', '0.2', '--rate', '500'], {
      env: { WEIR_DEV_KEY: KEY },
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      cwd: process.cwd(),
      path: 'weir demo',
    });
    await waitFor('some events at the gateway', () => gw.events.length >= 100, { timeoutMs: 5_000 });
    signal('SIGINT');
    const run: CliRun = { code: await running, stdout, stderr };
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`accepted ${gw.events.length.toLocaleString('en-US')}`);
    expect(run.stdout).toMatch(/\d+ of them deliberately bad \(--bad-fraction 0\.2\): see them with `npx weir dlq list --type <type>`/);
  });
});
