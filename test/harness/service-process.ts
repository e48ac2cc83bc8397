/**
 * A weir service as its own OS process (`node services/<name>/main.ts`), for tests that kill it
 * with SIGKILL: a crash must be a real one, not a stop() the component can clean up after. Its
 * output goes to a log file whose tail goes into failure messages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChild, type ManagedChild } from '../../deploy/local/child-process.ts';
import { freePort } from '../../deploy/local/free-port.ts';
import { registerCleanup } from './cleanup.ts';
import { testBrokers } from './kafka.ts';
import { waitFor } from './wait-for.ts';

export interface ServiceProcessOptions {
  /** The entry point, relative to the repository: "services/processor/main.ts". */
  readonly main: string;
  /** The variable of its HTTP port and host prefix: "WEIR_PROCESSOR" gives WEIR_PROCESSOR_PORT/_HOST. */
  readonly httpPrefix: string;
  /** For the log file's name and error messages: "processor 2". */
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface ServiceProcess {
  readonly child: ManagedChild;
  readonly url: string;
  /** Resolves once /readyz answers 200; rejects with the log tail when the process exits first. */
  ready(timeoutMs?: number): Promise<void>;
}

const root = new URL('../../', import.meta.url).pathname;

/** Starts a service process (SIGKILLed on cleanup if still running). */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-service-process-'));
  const child = startChild({
    name: options.name,
    command: process.execPath,
    args: ['--disable-warning=TimeoutNegativeWarning', options.main],
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: testBrokers().join(','),
      [`${options.httpPrefix}_PORT`]: String(port),
      [`${options.httpPrefix}_HOST`]: '127.0.0.1',
      WEIR_LOG_LEVEL: process.env.WEIR_TEST_LOG ? 'debug' : 'info',
      ...options.env,
    },
    logFile: path.join(logDir, `${options.name.replace(/\W+/g, '-')}.log`),
  });
  registerCleanup(async () => {
    await child.kill();
    if (!process.env.WEIR_TEST_KEEP_LOGS) fs.rmSync(logDir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  const ready = async (timeoutMs = 60_000): Promise<void> => {
    let exited = false;
    const exit = child.exited.then(({ code, signal }) => {
      exited = true;
      throw new Error(`${options.name} exited (code ${String(code)}, signal ${String(signal)}) before it was ready:\n${child.logTail()}`);
    });
    const up = waitFor(`${options.name} ready at ${url}/readyz`, async () => exited || (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs, intervalMs: 100 });
    try {
      await Promise.race([up, exit]);
    } catch (error) {
      throw new Error(`${String(error)}\n--- ${options.name} log ---\n${child.logTail()}`, { cause: error });
    }
    if (exited) await exit;
    exit.catch(() => undefined); // a later exit (a SIGKILL by the test) is expected
  };
  return { child, url, ready };
}
