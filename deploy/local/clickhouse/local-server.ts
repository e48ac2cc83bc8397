/**
 * A real ClickHouse server (Debian's `clickhouse-server` package, 18.16 on bookworm) as a child
 * process with its own config, data directory and ports, for tests of weir's HTTP path.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WeirError } from '../../../services/shared/errors.ts';
import type { Logger } from '../../../services/shared/logger.ts';
import { startChild } from '../child-process.ts';
import { freePort } from '../free-port.ts';
import { serverConfigXml, usersXml } from './server-config.ts';

export interface LocalClickHouseServerOptions {
  /** Data, logs and config. Default: a fresh temp dir, removed on stop. */
  dir?: string;
  /** HTTP port (default: a free port). */
  httpPort?: number;
  /** ms to wait for /ping (default 30 s). */
  startupTimeoutMs?: number;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface LocalClickHouseServer {
  readonly url: URL;
  readonly pid: number;
  readonly dir: string;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];

/** The server binary: CLICKHOUSE_SERVER_BIN, Debian's path, or `clickhouse-server` on PATH. */
export function findClickHouseServer(env: NodeJS.ProcessEnv = process.env): string {
  const tried = env.CLICKHOUSE_SERVER_BIN ? [env.CLICKHOUSE_SERVER_BIN] : [...CANDIDATES, 'clickhouse-server'];
  for (const bin of tried) {
    if (path.isAbsolute(bin) ? fs.existsSync(bin) : spawnSync('which', [bin]).status === 0) return bin;
  }
  throw new WeirError(
    'DEPENDENCY_MISSING',
    `no ClickHouse server binary found (tried ${tried.join(', ')}). Install one (Debian/Ubuntu: apt-get install clickhouse-server), ` +
      'point CLICKHOUSE_SERVER_BIN at it, or set CLICKHOUSE_URL=http://host:8123 to use a server you already run',
    { details: { dependency: 'clickhouse-server', tried } },
  );
}

async function ping(url: URL): Promise<boolean> {
  try {
    const response = await fetch(new URL('/ping', url), { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startLocalClickHouseServer(options: LocalClickHouseServerOptions = {}): Promise<LocalClickHouseServer> {
  const bin = findClickHouseServer(options.env);
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'weir-clickhouse-'));
  for (const sub of ['data', 'tmp', 'log', 'user_files', 'format_schemas']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const input = { dir, httpPort: options.httpPort ?? (await freePort()), tcpPort: await freePort() };
  fs.writeFileSync(path.join(dir, 'config.xml'), serverConfigXml(input));
  fs.writeFileSync(path.join(dir, 'users.xml'), usersXml(input));

  const child = startChild({
    name: 'clickhouse-server',
    command: bin,
    args: [`--config-file=${path.join(dir, 'config.xml')}`],
    cwd: dir,
    logFile: path.join(dir, 'log', 'stdout.log'),
  });
  const url = new URL(`http://127.0.0.1:${input.httpPort}`);
  const stop = async (): Promise<void> => {
    await child.stop(10_000);
    if (ownsDir) fs.rmSync(dir, { recursive: true, force: true });
  };

  const timeoutMs = options.startupTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(url))) {
    if (!child.running || Date.now() > deadline) {
      const errLog = path.join(dir, 'log', 'server.err.log');
      const tail = fs.existsSync(errLog) ? fs.readFileSync(errLog, 'utf8').trim().split('\n').slice(-15).join('\n') : child.logTail();
      await stop();
      throw new WeirError(
        child.running ? 'STARTUP_TIMEOUT' : 'PROCESS_EXITED',
        `clickhouse-server (${bin}) did not answer ${url.href}ping within ${timeoutMs} ms:\n${tail}`,
        { details: { dir, bin } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  options.logger?.child({ component: 'local-clickhouse' }).info({ url: url.href, pid: child.pid, dir }, 'clickhouse-server ready');

  let stopping: Promise<void> | undefined;
  return { url, pid: child.pid, dir, stop: () => (stopping ??= stop()) };
}
