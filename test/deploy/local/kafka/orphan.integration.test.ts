/**
 * A broker JVM never outlives the process that started it, even when that process is killed with
 * SIGKILL and so gets no chance to stop it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createKafka } from '../../../../services/shared/kafka/client.ts';
import { registerCleanup } from '../../../harness/cleanup.ts';
import { waitFor } from '../../../harness/wait-for.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/broker-parent.ts', import.meta.url));

/** Alive means it exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('local broker lifetime', () => {
  it('leaves no broker JVM behind when its parent is killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'] });
    registerCleanup(() => {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    });
    const lines = readline.createInterface({ input: parent.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${code} before printing its broker`)));
    });
    const started = JSON.parse(first) as { brokers: string[]; pids: number[]; dir: string };
    registerCleanup(() => fs.rmSync(started.dir, { recursive: true, force: true }));
    const [jvm] = started.pids;
    expect(jvm).toBeTypeOf('number');
    registerCleanup(() => {
      if (alive(jvm!)) process.kill(jvm!, 'SIGKILL');
    });

    const admin = createKafka({ brokers: started.brokers, clientId: 'orphan-test' }).admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers).toHaveLength(1);
    await admin.disconnect();
    expect(alive(jvm!)).toBe(true);

    parent.kill('SIGKILL');
    await waitFor('the broker JVM to die with its parent', () => !alive(jvm!), { timeoutMs: 15_000 });
  });
});
