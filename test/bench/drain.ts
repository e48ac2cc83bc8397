/**
 * A pre-produced backlog, and one service process (`node services/<name>/main.ts`) started against
 * it and timed from its start until its consumer group's committed offsets reach the end of the
 * topic, with its CPU, other processes' (the broker's, ClickHouse's) and the whole machine's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Admin, Message, Producer } from 'kafkajs';
import { startChild, type ManagedChild } from '../../deploy/local/child-process.ts';
import { freePort } from '../../deploy/local/free-port.ts';
import { cpuSeconds, machineBusySeconds } from './cpu.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const POLL_MS = 100;
const TIMEOUT_MS = 15 * 60_000; // 15 min

export interface DrainOptions {
  /** "processor": for the log file and messages. */
  readonly name: string;
  /** "services/processor/main.ts", relative to the repository. */
  readonly main: string;
  /** "WEIR_PROCESSOR": its HTTP port and host variables are <prefix>_PORT and <prefix>_HOST. */
  readonly httpPrefix: string;
  /** Its settings (PATH, port and host are added). */
  readonly env: Readonly<Record<string, string>>;
  readonly admin: Admin;
  readonly groupId: string;
  readonly topic: string;
  readonly backlog: number;
  /** Other processes whose CPU to report over the same time, by name. */
  readonly otherPids: Readonly<Record<string, number>>;
  /** Run under --cpu-prof, the profile written in this folder on exit. */
  readonly profileDir?: string;
  readonly workDir: string;
}

export interface Drained {
  readonly child: ManagedChild;
  readonly url: string;
  /** .cpuprofile files in profileDir before the start: the new one is the service's. */
  readonly profilesBefore: ReadonlySet<string>;
  /** From process start to every offset committed. */
  readonly seconds: number;
  readonly readyAfterSeconds: number | undefined;
  readonly firstCommitAfterSeconds: number | undefined;
  /** CPU seconds over `seconds`: the service's, each of otherPids', and the machine's (all cores). */
  readonly cpu: { readonly service: number; readonly others: Readonly<Record<string, number>>; readonly machine: number };
}

/** Registers `schema` (Avro JSON text) under `subject` in the schema registry at `registryUrl`; resolves with its id. */
export async function registerSchema(registryUrl: string, subject: string, schema: string): Promise<number> {
  const response = await fetch(`${registryUrl}/subjects/${subject}/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ schema }) });
  if (!response.ok) throw new Error(`registering ${subject}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: number }).id;
}

/** Produces message(0) .. message(total - 1) to `topic`, batches of 5,000, four in flight, all replicas acknowledging; resolves with the seconds taken. */
export async function produceBacklog(producer: Producer, topic: string, total: number, message: (i: number) => Message): Promise<number> {
  const start = performance.now();
  const batch = 5_000;
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < total) {
        const from = next;
        const n = Math.min(batch, total - from);
        next += n;
        await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, j) => message(from + j)) });
      }
    }),
  );
  return (performance.now() - start) / 1000;
}

/** The sum of the group's committed offsets on `topic` (a partition without one counts 0). */
export async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [answer] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (answer?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** Starts the service and resolves once its group has committed the whole backlog; the caller stops it. */
export async function drainBacklog(options: DrainOptions): Promise<Drained> {
  const port = await freePort();
  const { profileDir } = options;
  if (profileDir !== undefined) fs.mkdirSync(profileDir, { recursive: true });
  const profilesBefore = new Set(profileDir === undefined ? [] : fs.readdirSync(profileDir));
  const othersBefore = Object.fromEntries(Object.entries(options.otherPids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const machineBefore = machineBusySeconds();
  const start = performance.now();
  const child = startChild({
    name: options.name,
    command: process.execPath,
    args: ['--disable-warning=TimeoutNegativeWarning', ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]), options.main],
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', [`${options.httpPrefix}_PORT`]: String(port), [`${options.httpPrefix}_HOST`]: '127.0.0.1', ...options.env },
    logFile: path.join(options.workDir, `${options.name}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  let readyAt: number | undefined;
  let firstAt: number | undefined;
  let serviceCpu = 0;
  try {
    for (;;) {
      if (!child.running) throw new Error(`the ${options.name} exited before it caught up:\n${child.logTail()}`);
      if (performance.now() - start > TIMEOUT_MS) throw new Error(`the ${options.name} did not catch up in ${TIMEOUT_MS / 60_000} minutes:\n${child.logTail()}`);
      serviceCpu = cpuSeconds(child.pid);
      if (readyAt === undefined && (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200) readyAt = performance.now();
      const committed = await committedTotal(options.admin, options.groupId, options.topic);
      if (firstAt === undefined && committed > 0) firstAt = performance.now();
      if (committed >= options.backlog) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    await child.stop(30_000);
    throw error;
  }
  const end = performance.now();
  const after = (at: number | undefined) => (at === undefined ? undefined : (at - start) / 1000);
  return {
    child,
    url,
    profilesBefore,
    seconds: (end - start) / 1000,
    readyAfterSeconds: after(readyAt),
    firstCommitAfterSeconds: after(firstAt),
    cpu: {
      service: serviceCpu,
      others: Object.fromEntries(Object.entries(options.otherPids).map(([name, pid]) => [name, cpuSeconds(pid) - othersBefore[name]!])),
      machine: machineBusySeconds() - machineBefore,
    },
  };
}

/** Two lines: the rate from process start (and from /readyz), then the CPU of each process and the machine. */
export function drainReport(name: string, backlog: number, drained: Drained, profiled: boolean): string {
  const { seconds, readyAfterSeconds: ready, firstCommitAfterSeconds: first, cpu } = drained;
  const percent = (cpuSeconds: number) => `${((cpuSeconds / seconds) * 100).toFixed(0)}%`;
  return (
    `${name}: ${backlog} events in ${seconds.toFixed(1)} s from process start = ${Math.round(backlog / seconds)} events/s` +
    (ready === undefined ? '' : `; ${Math.round(backlog / (seconds - ready))} events/s from /readyz 200 (${ready.toFixed(1)} s after start)`) +
    (first === undefined ? '' : `; first commit seen ${first.toFixed(1)} s after start`) +
    `${profiled ? ' [under --cpu-prof]' : ''}\n` +
    `CPU over those ${seconds.toFixed(1)} s: ${name} ${percent(cpu.service)} of a core (${cpu.service.toFixed(1)} s), ` +
    Object.entries(cpu.others).map(([other, s]) => `${other} ${percent(s)}, `).join('') +
    `whole machine ${percent(cpu.machine)} of ${os.cpus().length * 100}%\n`
  );
}
