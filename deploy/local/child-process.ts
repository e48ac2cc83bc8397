/**
 * A long-running child process (a broker JVM, a ClickHouse server) that never outlives its parent.
 *
 * On Linux the child is started through util-linux `setpriv --pdeathsig KILL`, which sets
 * PR_SET_PDEATHSIG before exec: the kernel kills the child when the Node process dies, even by
 * SIGKILL. The child gets its own process group, so a terminal's Ctrl-C reaches only the parent,
 * which then stops children in order. Output goes straight to a log file (no pipe to drain).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { WeirError } from '../../services/shared/errors.ts';

export interface ChildOptions {
  /** For errors and logs: "kafka broker 1". */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
}

export interface ManagedChild {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) when the process ends, for any reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now (a crash, for failure tests); resolves when the process is gone. */
  kill(): Promise<void>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
}

let setprivAvailable: boolean | undefined;

function hasSetpriv(): boolean {
  if (setprivAvailable === undefined) {
    const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' });
    setprivAvailable = probe.status === 0;
  }
  return setprivAvailable;
}

export function startChild(options: ChildOptions): ManagedChild {
  const out = fs.openSync(options.logFile, 'a');
  const guarded = process.platform === 'linux' && hasSetpriv();
  const [command, args] = guarded
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', options.command, ...options.args]]
    : [options.command, [...options.args]];
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', out, out],
      detached: true,
    });
  } finally {
    fs.closeSync(out);
  }
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
    child.once('error', () => {
      running = false;
      resolve({ code: null, signal: null });
    });
  });
  if (child.pid === undefined) {
    throw new WeirError('PROCESS_EXITED', `${options.name} could not be started (${options.command})`, {
      details: { command: options.command },
    });
  }
  const pid = child.pid;

  const signal = (sig: NodeJS.Signals): void => {
    if (!running) return;
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone between the check and the signal.
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> => {
    stopping ??= (async () => {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    get running() {
      return running;
    },
    stop,
    async kill() {
      signal('SIGKILL');
      await exited;
    },
    logTail(lines = 30) {
      try {
        return fs.readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
}
