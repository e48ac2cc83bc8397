/**
 * weir's error vocabulary. Callers branch on `code` and `retriable`, never on message text.
 * HTTP status mapping lives in one place (services/shared/http/error-status.ts).
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { retriable: false },
  DEPENDENCY_MISSING: { retriable: false },
  PORT_IN_USE: { retriable: false },
  PROCESS_EXITED: { retriable: false },
  STARTUP_TIMEOUT: { retriable: true },
  SHUTDOWN_TIMEOUT: { retriable: false },
  KAFKA_UNAVAILABLE: { retriable: true },
  CLICKHOUSE_UNAVAILABLE: { retriable: true },
  CLICKHOUSE_QUERY_FAILED: { retriable: false },
  CLICKHOUSE_VERSION_UNSUPPORTED: { retriable: false },
} as const satisfies Record<string, { retriable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface WeirErrorOptions {
  cause?: unknown;
  /** Structured facts for logs and API bodies (a path, a port, a variable name). */
  details?: Readonly<Record<string, unknown>>;
}

export class WeirError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: WeirErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeirError';
    this.code = code;
    this.retriable = ERROR_CODES[code].retriable;
    this.details = Object.freeze({ ...options.details });
  }
}

export function isWeirError(error: unknown, code?: ErrorCode): error is WeirError {
  return error instanceof WeirError && (code === undefined || error.code === code);
}

/** A message for any thrown value, for logs and wrapping. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
