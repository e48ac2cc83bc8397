/**
 * The registry's error vocabulary, with Confluent Schema Registry's `error_code` and HTTP status for
 * each, so that Confluent clients branch on them unchanged. Callers branch on `code` (or
 * `errorCode` on the wire), never on message text; routes.ts turns any RegistryError into
 * `{ error_code, message }` with `status`.
 */
export const REGISTRY_ERRORS = {
  // 4xx from the HTTP layer, where Confluent answers with error_code = status.
  MALFORMED_REQUEST: { errorCode: 400, status: 400, retriable: false },
  ROUTE_NOT_FOUND: { errorCode: 404, status: 404, retriable: false },
  METHOD_NOT_ALLOWED: { errorCode: 405, status: 405, retriable: false },
  BODY_TOO_LARGE: { errorCode: 413, status: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { errorCode: 415, status: 415, retriable: false },
  UNPROCESSABLE_BODY: { errorCode: 422, status: 422, retriable: false },
  // Confluent's own codes.
  SUBJECT_NOT_FOUND: { errorCode: 40401, status: 404, retriable: false },
  VERSION_NOT_FOUND: { errorCode: 40402, status: 404, retriable: false },
  SCHEMA_NOT_FOUND: { errorCode: 40403, status: 404, retriable: false },
  SUBJECT_SOFT_DELETED: { errorCode: 40404, status: 404, retriable: false },
  SUBJECT_NOT_SOFT_DELETED: { errorCode: 40405, status: 404, retriable: false },
  VERSION_SOFT_DELETED: { errorCode: 40406, status: 404, retriable: false },
  VERSION_NOT_SOFT_DELETED: { errorCode: 40407, status: 404, retriable: false },
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: { errorCode: 40408, status: 404, retriable: false },
  INCOMPATIBLE_SCHEMA: { errorCode: 409, status: 409, retriable: false },
  INVALID_SCHEMA: { errorCode: 42201, status: 422, retriable: false },
  INVALID_VERSION: { errorCode: 42202, status: 422, retriable: false },
  INVALID_COMPATIBILITY_LEVEL: { errorCode: 42203, status: 422, retriable: false },
  OPERATION_NOT_PERMITTED: { errorCode: 42205, status: 422, retriable: false },
  INVALID_SUBJECT: { errorCode: 42208, status: 422, retriable: false },
  STORE_ERROR: { errorCode: 50001, status: 500, retriable: true },
  OPERATION_TIMEOUT: { errorCode: 50002, status: 500, retriable: true },
  /** Another writer took the id or version this write planned; re-plan against fresh state and retry. */
  WRITE_CONFLICT: { errorCode: 50001, status: 500, retriable: true },
  /** A schema already in the store does not parse (written by another tool); a person must look at it. */
  STORED_SCHEMA_UNREADABLE: { errorCode: 50001, status: 500, retriable: false },
  INTERNAL: { errorCode: 500, status: 500, retriable: false },
} as const satisfies Record<string, { errorCode: number; status: number; retriable: boolean }>;

export type RegistryErrorCode = keyof typeof REGISTRY_ERRORS;

export interface RegistryErrorOptions {
  cause?: unknown;
  /** Structured facts for logs (a subject, a version, an id). Never sent to clients. */
  details?: Readonly<Record<string, unknown>>;
}

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  /** Confluent's `error_code` for the response body. */
  readonly errorCode: number;
  readonly status: number;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: RegistryErrorCode, message: string, options: RegistryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.errorCode = REGISTRY_ERRORS[code].errorCode;
    this.status = REGISTRY_ERRORS[code].status;
    this.retriable = REGISTRY_ERRORS[code].retriable;
    this.details = Object.freeze({ ...options.details });
  }

  /** The response body Confluent clients expect. */
  toBody(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export function isRegistryError(error: unknown, code?: RegistryErrorCode): error is RegistryError {
  return error instanceof RegistryError && (code === undefined || error.code === code);
}

// Constructors for the errors raised in more than one place, worded as Confluent words them (clients
// and people grep for these), with the fix added where there is one.

export function subjectNotFound(subject: string): RegistryError {
  return new RegistryError('SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`, { details: { subject } });
}

export function versionNotFound(subject: string, version: number | string): RegistryError {
  return new RegistryError('VERSION_NOT_FOUND', `Version ${version} not found in subject '${subject}'.`, {
    details: { subject, version },
  });
}

export function schemaNotFound(id: number | string): RegistryError {
  return new RegistryError('SCHEMA_NOT_FOUND', `Schema ${id} not found`, { details: { id } });
}
