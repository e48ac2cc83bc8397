/**
 * The CLI's error vocabulary. Each code carries the process exit code it ends with, so that
 * main.ts maps errors to exit codes in one place: 1 when the schemas or the registry said no,
 * 2 when the command line is wrong or the registry cannot be reached.
 */
export const CLI_ERRORS = {
  /** An unknown command or option, a missing value, a bad URL or folder. */
  USAGE: { exitCode: 2, retriable: false },
  /** Local schema files that do not parse or are misnamed. */
  SCHEMA_FILES_INVALID: { exitCode: 1, retriable: false },
  /** No answer: connection refused, DNS failure, timeout. */
  REGISTRY_UNREACHABLE: { exitCode: 2, retriable: true },
  /** The registry answered with `{error_code, message}`. */
  REGISTRY_REFUSED: { exitCode: 1, retriable: false },
  /** Something answered, but not as a schema registry does (HTML, a proxy error, an odd body). */
  REGISTRY_BAD_ANSWER: { exitCode: 2, retriable: false },
} as const satisfies Record<string, { exitCode: 1 | 2; retriable: boolean }>;

export type CliErrorCode = keyof typeof CLI_ERRORS;

export interface CliErrorOptions {
  cause?: unknown;
  /** Structured facts (a URL, a file, a subject). */
  details?: Readonly<Record<string, unknown>>;
}

export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: 1 | 2;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: CliErrorCode, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = CLI_ERRORS[code].exitCode;
    this.retriable = CLI_ERRORS[code].retriable;
    this.details = Object.freeze({ ...options.details });
  }
}

/** A `{error_code, message}` answer: Confluent's `error_code` (40401, 409, 42201, ...) and the HTTP status. */
export class RegistryRefusedError extends CliError {
  readonly errorCode: number;
  readonly status: number;

  constructor(errorCode: number, status: number, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super('REGISTRY_REFUSED', message, { details: { ...details, errorCode, status } });
    this.name = 'RegistryRefusedError';
    this.errorCode = errorCode;
    this.status = status;
  }
}

export function isCliError(error: unknown, code?: CliErrorCode): error is CliError {
  return error instanceof CliError && (code === undefined || error.code === code);
}

/** True for a registry answer with this Confluent `error_code`. */
export function isRefusal(error: unknown, errorCode: number): error is RegistryRefusedError {
  return error instanceof RegistryRefusedError && error.errorCode === errorCode;
}
