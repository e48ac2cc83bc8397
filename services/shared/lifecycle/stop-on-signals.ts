import type { Logger } from '../logger.ts';

export interface StopOnSignalsOptions {
  logger: Logger;
  /** Stops everything in order; resolves when the process may exit. */
  stop: () => Promise<void>;
  /** After this long the process exits with code 1 whatever is still running. */
  hardTimeoutMs: number;
  process?: NodeJS.Process;
  /**
   * Also stop when the parent process dies (this process is re-parented), checked every second.
   * For `npm start`, whose npm may be killed without forwarding anything.
   */
  exitWithParent?: boolean;
}

/**
 * SIGINT/SIGTERM stop the process in order: `stop()`, then exit 0 (1 if stopping failed). A second
 * signal, or the hard timeout, exits at once with a non-zero code. An uncaught error is logged and
 * stops the process the same way, with exit code 1.
 */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const proc = options.process ?? process;
  const { logger } = options;
  let stopping = false;

  const shutdown = (reason: string, exitCode: number): void => {
    if (stopping) {
      logger.warn({ reason }, 'second shutdown request: exiting now');
      proc.exit(130);
    }
    stopping = true;
    logger.info({ reason, hardTimeoutMs: options.hardTimeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ hardTimeoutMs: options.hardTimeoutMs }, 'shutdown took too long: exiting');
      proc.exit(1);
    }, options.hardTimeoutMs);
    options
      .stop()
      .then(
        () => {
          logger.info('stopped');
          return exitCode;
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          return 1;
        },
      )
      .then((code) => {
        clearTimeout(timer);
        proc.exit(code);
      });
  };

  if (options.exitWithParent) {
    const parent = proc.ppid;
    const timer = setInterval(() => {
      if (proc.ppid !== parent) shutdown('parent process exited', 0);
    }, 1_000);
    timer.unref();
  }
  proc.on('SIGINT', () => shutdown('SIGINT', 0));
  proc.on('SIGTERM', () => shutdown('SIGTERM', 0));
  proc.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    shutdown('uncaughtException', 1);
  });
  proc.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    shutdown('unhandledRejection', 1);
  });
}
