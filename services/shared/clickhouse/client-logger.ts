import type { Logger as ClientLogger, ErrorLogParams, LogParams, WarnLogParams } from '@clickhouse/client';
import type { Logger } from '../logger.ts';

/** Routes @clickhouse/client's own log lines into weir's pino logger instead of the console. */
export function clientLogger(logger: Logger): new () => ClientLogger {
  const log = logger.child({ component: 'clickhouse-client' });
  return class PinoClickHouseLogger implements ClientLogger {
    trace({ module, message, args }: LogParams): void {
      log.trace({ module, ...args }, message);
    }
    debug({ module, message, args }: LogParams): void {
      log.debug({ module, ...args }, message);
    }
    info({ module, message, args }: LogParams): void {
      log.info({ module, ...args }, message);
    }
    warn({ module, message, args, err }: WarnLogParams): void {
      log.warn({ module, ...args, err }, message);
    }
    error({ module, message, args, err }: ErrorLogParams): void {
      // Statement failures are thrown to the caller as WeirErrors and logged there, with context.
      log.debug({ module, ...args, err }, message);
    }
  };
}
