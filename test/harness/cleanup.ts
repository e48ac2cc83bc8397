/**
 * Cleanup registered where a resource is made. Inside a test it runs when that test finishes;
 * in a beforeAll/describe body it runs after the file's tests. Failures of cleanups are collected
 * and rethrown together, so a leaked resource fails the run instead of passing unseen.
 */
import { afterAll, onTestFinished } from 'vitest';

type Cleanup = () => Promise<unknown> | unknown;

const fileCleanups: Cleanup[] = [];

async function runAll(cleanups: Cleanup[]): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups failed`);
}

afterAll(() => runAll(fileCleanups));

export function registerCleanup(cleanup: Cleanup): void {
  try {
    onTestFinished(async () => {
      await cleanup();
    });
  } catch {
    // Not inside a test (a beforeAll or describe body): clean up after the file.
    fileCleanups.push(cleanup);
  }
}
