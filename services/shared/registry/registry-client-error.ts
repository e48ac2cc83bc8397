/**
 * How a call to a schema registry failed. Callers branch on `code` (and, for refusals, on
 * Confluent's `errorCode`): REGISTRY_UNREACHABLE (no connection, no answer in time; retriable),
 * REGISTRY_REFUSED (an `{error_code, message}` answer), REGISTRY_BAD_ANSWER (something answered
 * that is not a schema registry).
 */
export const REGISTRY_CLIENT_ERRORS = {
  REGISTRY_UNREACHABLE: { retriable: true },
  REGISTRY_REFUSED: { retriable: false },
  REGISTRY_BAD_ANSWER: { retriable: false },
} as const satisfies Record<string, { retriable: boolean }>;

export type RegistryClientErrorCode = keyof typeof REGISTRY_CLIENT_ERRORS;

export class RegistryClientError extends Error {
  readonly code: RegistryClientErrorCode;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: RegistryClientErrorCode, message: string, options: { cause?: unknown; details?: Readonly<Record<string, unknown>> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryClientError';
    this.code = code;
    this.retriable = REGISTRY_CLIENT_ERRORS[code].retriable;
    this.details = Object.freeze({ ...options.details });
  }
}

/** A `{error_code, message}` answer: Confluent's `error_code` (40401, 409, 42201, ...) and the HTTP status. */
export class RegistryRefusedError extends RegistryClientError {
  readonly errorCode: number;
  readonly status: number;

  constructor(errorCode: number, status: number, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super('REGISTRY_REFUSED', message, { details: { ...details, errorCode, status } });
    this.name = 'RegistryRefusedError';
    this.errorCode = errorCode;
    this.status = status;
  }
}

export function isRegistryClientError(error: unknown, code?: RegistryClientErrorCode): error is RegistryClientError {
  return error instanceof RegistryClientError && (code === undefined || error.code === code);
}

/** True for a registry answer with this Confluent `error_code`. */
export function isRefusal(error: unknown, errorCode: number): error is RegistryRefusedError {
  return error instanceof RegistryRefusedError && error.errorCode === errorCode;
}
