/**
 * The CLI's error vocabulary. Each code carries the process exit code it ends with, so that
 * main.ts maps errors to exit codes in one place: 1 when the schemas or the registry said no,
 * 2 when the command line is wrong. Registry failures (RegistryClientError) map in main.ts.
 */
export const CLI_ERRORS = {
  /** An unknown command or option, a missing value, a bad URL or folder. */
  USAGE: { exitCode: 2, retriable: false },
  /** Local schema files that do not parse or are misnamed. */
  SCHEMA_FILES_INVALID: { exitCode: 1, retriable: false },
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

export function isCliError(error: unknown, code?: CliErrorCode): error is CliError {
  return error instanceof CliError && (code === undefined || error.code === code);
}
