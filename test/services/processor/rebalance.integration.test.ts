/**
 * Exactly once across rebalances: while 60k purchases flow into a six-partition raw topic, a second
 * and a third processor process join the first one's group and then leave it (SIGTERM, a clean
 * stop). A read_committed reader of the clean and dead-letter topics then sees every input id
 * exactly once. The feed is held back in phases so that events are still flowing at each join and
 * each leave, whatever the machine's speed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTestEventType } from '../../harness/gateway.ts';
import { connectedAdmin, uniqueGroupId } from '../../harness/kafka.ts';
import { startProcessorProcess, type ProcessorProcess } from '../../harness/processor-process.ts';
import { writeTestPipelines } from '../../harness/processor.ts';
import { startTestRegistry } from '../../harness/registry.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { caughtUp, committedTotal, createPipelineTopics, duplicates, expectedOutcome, readToEnd, startRawFeed, sumMetric } from './fixtures/exactly-once.ts';

const TOTAL = 60_000;
const MAX_AHEAD = 5_000;

/** The raw partitions `p` says it was last assigned, from its log. */
function assignedPartitions(p: ProcessorProcess, raw: string): number[] | undefined {
  const lines = p.child.logTail(10_000).split('\n').filter((line) => line.includes('"partitions assigned"'));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  const { assigned } = JSON.parse(last) as { assigned: Record<string, number[]> };
  return assigned[raw] ?? [];
}

async function consumedBy(p: ProcessorProcess): Promise<number> {
  return sumMetric(await (await fetch(`${p.url}/metrics`)).text(), 'weir_processor_consumed_total');
}

describe('stream processors joining and leaving a group under load', () => {
  let registryUrl: string;

  beforeAll(async () => {
    registryUrl = (await startTestRegistry()).url;
  });

  it('publishes each of 60k events exactly once while a second and a third instance join and leave', { timeout: 180_000 }, async () => {
    const { type } = await registerTestEventType(registryUrl, 'purchase');
    const pipelinesDir = writeTestPipelines({ [type]: 'purchase' });
    const admin = await connectedAdmin();
    const raw = await createPipelineTopics(admin, type, 6);
    const groupId = uniqueGroupId('processor-rebalance');
    const progress = () => committedTotal(admin, groupId, raw);

    // The feed may run this far ahead of the current step: each step happens with events in flight.
    let feedLimit = 0.3 * TOTAL;
    const feed = await startRawFeed({
      registryUrl,
      type,
      total: TOTAL,
      batchSize: 1_000,
      gate: (produced) =>
        waitFor('the processors within reach of the feed', async () => produced < feedLimit && produced - (await progress()) < MAX_AHEAD, { timeoutMs: 120_000, intervalMs: 50 }),
    });
    const start = async (n: number): Promise<ProcessorProcess> => {
      const p = await startProcessorProcess({ registryUrl, pipelinesDir, groupId, name: `processor ${n}`, env: { WEIR_PROCESSOR_SESSION_TIMEOUT_MS: '6000' } });
      await p.ready();
      return p;
    };
    const steps: string[] = [];
    const step = async (at: number, what: string, action: () => Promise<void>) => {
      await waitFor(`${at * 100}% committed before: ${what}`, async () => (await progress()) >= at * TOTAL, { timeoutMs: 120_000, intervalMs: 50 });
      const began = Date.now();
      const committed = await progress();
      const produced = feed.produced();
      await action();
      feedLimit = Math.min(TOTAL, Math.max(feedLimit, (at + 0.35) * TOTAL));
      steps.push(`  ${what}: at ${committed} committed, ${produced} produced, took ${Date.now() - began} ms`);
    };
    const joined = async (p: ProcessorProcess, name: string) => {
      await waitFor(`${name} assigned raw partitions`, () => (assignedPartitions(p, raw)?.length ?? 0) > 0, { timeoutMs: 60_000, intervalMs: 100 });
    };
    const left = async (p: ProcessorProcess, name: string) => {
      await waitFor(`${name} processed some events before leaving`, async () => (await consumedBy(p)) > 0, { timeoutMs: 60_000, intervalMs: 100 });
      steps.push(`  ${name} consumed ${await consumedBy(p)} before leaving, partitions ${JSON.stringify(assignedPartitions(p, raw))}`);
      await p.child.stop();
      const { code, signal } = await p.child.exited;
      expect({ code, signal }, `${name} stopped cleanly:\n${p.child.logTail()}`).toEqual({ code: 0, signal: null });
    };

    const began = Date.now();
    const first = await start(1);
    let second: ProcessorProcess | undefined;
    let third: ProcessorProcess | undefined;
    await step(0.1, 'processor 2 joins', async () => {
      second = await start(2);
      await joined(second, 'processor 2');
    });
    await step(0.3, 'processor 3 joins', async () => {
      third = await start(3);
      await joined(third, 'processor 3');
    });
    await step(0.5, 'processor 2 leaves', () => left(second!, 'processor 2'));
    await step(0.7, 'processor 3 leaves', () => left(third!, 'processor 3'));
    feedLimit = TOTAL;
    await feed.done;
    await waitFor('the group caught up with the raw topic', () => caughtUp(admin, groupId, [raw]), { timeoutMs: 120_000, intervalMs: 250 });
    const seconds = (Date.now() - began) / 1000;
    const consumedByFirst = await consumedBy(first);
    await first.child.stop();

    const records = await readToEnd(admin, [`weir.clean.${type}`, `weir.dlq.${type}`], 60_000);
    const clean = records.filter((r) => r.topic === `weir.clean.${type}`);
    const dlq = records.filter((r) => r.topic === `weir.dlq.${type}`);
    const want = expectedOutcome(TOTAL);
    process.stdout.write(
      `rebalance test: ${TOTAL} events in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)} events/s with 4 rebalances); processor 1 consumed ${consumedByFirst}\n${steps.join('\n')}\n` +
        `  read_committed: ${clean.length} clean + ${dlq.length} dead letters = ${records.length} (input ${TOTAL}, ${want.dead.size} should fail the rule)\n`,
    );
    expect(duplicates(records), 'ids seen more than once').toEqual([]);
    expect(records.length).toBe(TOTAL);
    expect(new Set(clean.map((r) => r.id))).toEqual(want.clean);
    expect(new Set(dlq.map((r) => r.id))).toEqual(want.dead);
  });
});
