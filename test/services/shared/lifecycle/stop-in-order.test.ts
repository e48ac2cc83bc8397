import { describe, expect, it } from 'vitest';
import { StopInOrder } from '../../../../services/shared/lifecycle/stop-in-order.ts';
import { sharedPromise } from '../../../../services/shared/lifecycle/shared-promise.ts';
import { silentLogger } from '../../../../services/shared/logger.ts';

describe('StopInOrder', () => {
  it('stops in reverse start order, runs every stop despite failures, and reports them together', async () => {
    const stopped: string[] = [];
    const stopper = new StopInOrder(silentLogger());
    stopper.add('kafka', async () => void stopped.push('kafka'));
    stopper.add('clickhouse', async () => {
      stopped.push('clickhouse');
      throw new Error('disk gone');
    });
    stopper.add('gateway', async () => void stopped.push('gateway'));
    const error = await stopper.stopAll().catch((e: unknown) => e);
    expect(stopped).toEqual(['gateway', 'clickhouse', 'kafka']);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['disk gone']);
  });

  it('returns the same promise to concurrent callers and stops each thing once', async () => {
    let calls = 0;
    const stopper = new StopInOrder(silentLogger());
    stopper.add('x', async () => void calls++);
    const a = stopper.stopAll();
    const b = stopper.stopAll();
    expect(a).toBe(b);
    await Promise.all([a, b]);
    expect(calls).toBe(1);
  });
});

describe('sharedPromise', () => {
  it('shares one in-flight call, then allows a new one', async () => {
    let calls = 0;
    let release!: () => void;
    const fn = sharedPromise(() => {
      calls++;
      return new Promise<number>((resolve) => (release = () => resolve(calls)));
    });
    const first = fn();
    const second = fn();
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(1);
    const third = fn();
    release();
    expect(await third).toBe(2);
  });
});
