/**
 * Exactly once across crashes: 200k purchases flow into a raw topic while a processor process is
 * killed with SIGKILL three times (at about 20%, 50% and 80% of the input committed) and started
 * again. A read_committed reader of the clean and dead-letter topics then sees every input id
 * exactly once, and the dead-letter topic holds exactly the events that fail the currency rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTestEventType } from '../../harness/gateway.ts';
import { connectedAdmin, uniqueGroupId } from '../../harness/kafka.ts';
import { startProcessorProcess, type ProcessorProcess } from '../../harness/processor-process.ts';
import { writeTestPipelines } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { caughtUp, committedTotal, createPipelineTopics, duplicates, expectedOutcome, readToEnd, startRawFeed } from './fixtures/exactly-once.ts';

const TOTAL = 200_000;
/** Raw events produced but not yet committed by the processor, at most: the feed keeps flowing. */
const MAX_AHEAD = 40_000;

describe('stream processor killed with SIGKILL', () => {
  let registryUrl: string;

  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
  });

  it('publishes each of 200k events exactly once to the clean or dead-letter topic across three crashes', { timeout: 240_000 }, async () => {
    const { type } = await registerTestEventType(registryUrl, 'purchase');
    const pipelinesDir = writeTestPipelines({ [type]: 'purchase' });
    const admin = await connectedAdmin();
    const raw = await createPipelineTopics(admin, type, 4);
    const groupId = uniqueGroupId('processor-crash');
    const progress = () => committedTotal(admin, groupId, raw);

    const feed = await startRawFeed({
      registryUrl,
      type,
      total: TOTAL,
      batchSize: 5_000,
      gate: (produced) => waitFor('the processor within reach of the feed', async () => produced - (await progress()) < MAX_AHEAD, { timeoutMs: 120_000, intervalMs: 100 }),
    });

    let run = 0;
    const start = async (): Promise<ProcessorProcess> => {
      run++;
      // The shortest session the processor allows: the killed member's partitions move sooner.
      const p = await startProcessorProcess({ registryUrl, pipelinesDir, groupId, name: `processor run ${run}`, env: { WEIR_PROCESSOR_SESSION_TIMEOUT_MS: '6000' } });
      await p.ready();
      return p;
    };

    const t0 = Date.now();
    let processor = await start();
    const firstReadyAt = Date.now();
    const restarts: Array<{ at: number; committedAtKill: number; producedAtKill: number; resumeMs: number; readyMs: number }> = [];
    for (const fraction of [0.2, 0.5, 0.8]) {
      await waitFor(`${fraction * 100}% of the input committed`, async () => (await progress()) >= fraction * TOTAL, { timeoutMs: 120_000, intervalMs: 100 });
      await processor.child.kill();
      const killedAt = Date.now();
      const committedAtKill = await progress();
      const producedAtKill = feed.produced();
      processor = await start();
      const readyMs = Date.now() - killedAt;
      await waitFor('the restarted processor committing again', async () => (await progress()) > committedAtKill, { timeoutMs: 120_000, intervalMs: 100 });
      restarts.push({ at: fraction, committedAtKill, producedAtKill, readyMs, resumeMs: Date.now() - killedAt });
    }
    await feed.done;
    await waitFor('the processor caught up with the raw topic', () => caughtUp(admin, groupId, [raw]), { timeoutMs: 120_000, intervalMs: 250 });
    const caughtUpAt = Date.now();
    await processor.child.stop();

    const records = await readToEnd(admin, [`weir.clean.${type}`, `weir.dlq.${type}`], 60_000);
    const seconds = (caughtUpAt - firstReadyAt) / 1000;
    process.stdout.write(
      `crash test: ${TOTAL} events in ${seconds.toFixed(1)} s from the first start to caught up (${Math.round(TOTAL / seconds)} events/s including 3 restarts; first start ${firstReadyAt - t0} ms)\n` +
        restarts.map((r) => `  SIGKILL at ${r.committedAtKill} committed (>= ${r.at * 100}%), ${r.producedAtKill} produced: new process ready after ${r.readyMs} ms, committing again after ${r.resumeMs} ms\n`).join(''),
    );

    const clean = records.filter((r) => r.topic === `weir.clean.${type}`);
    const dlq = records.filter((r) => r.topic === `weir.dlq.${type}`);
    const want = expectedOutcome(TOTAL);
    process.stdout.write(`  read_committed: ${clean.length} clean + ${dlq.length} dead letters = ${records.length} (input ${TOTAL}, ${want.dead.size} should fail the rule)\n`);
    expect(duplicates(records), 'ids seen more than once').toEqual([]);
    expect(records.length).toBe(TOTAL);
    expect(new Set(clean.map((r) => r.id))).toEqual(want.clean);
    expect(new Set(dlq.map((r) => r.id))).toEqual(want.dead);
    expect(new Set(dlq.map((r) => r.reason))).toEqual(new Set(['not_allowed']));
  });
});
