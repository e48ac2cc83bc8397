import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, no services, parallel) and `integration` (real Kafka and
// ClickHouse from test/harness, one file at a time so two cores are not oversubscribed).
export default defineConfig({
  test: {
    reporters: ['default', './test/harness/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.integration.test.ts'],
          pool: 'threads',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.integration.test.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          // Local brokers are child processes of the runner; forks keep them tied to a process
          // (PR_SET_PDEATHSIG follows the thread that spawned them).
          pool: 'forks',
          // global.gc for the memory checks of the fuzz tests.
          execArgv: ['--expose-gc'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
