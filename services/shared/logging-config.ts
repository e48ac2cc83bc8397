/** Logging and shutdown settings every weir process shares. */
import { enumSetting, intSetting, type ConfigOf } from './config/settings.ts';
import { createLogger, type Logger } from './logger.ts';

/** `defaultFormat`: pretty for the local stack a person watches, json for services. */
export function loggingSpec(defaultFormat: 'pretty' | 'json') {
  return {
    logLevel: enumSetting('WEIR_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info', {
      doc: 'log level',
    }),
    logFormat: enumSetting('WEIR_LOG_FORMAT', ['pretty', 'json'] as const, defaultFormat, {
      doc: 'log format: pretty for a terminal, json for log shippers',
    }),
    shutdownTimeoutMs: intSetting('WEIR_SHUTDOWN_TIMEOUT_MS', 12_000, {
      doc: 'after a stop signal, exit anyway after this long',
      min: 1_000,
      unit: 'ms',
    }),
  };
}

export function createLoggerFromConfig(config: ConfigOf<ReturnType<typeof loggingSpec>>, name: string): Logger {
  return createLogger({ level: config.logLevel, format: config.logFormat, name });
}
