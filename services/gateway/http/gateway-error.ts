/**
 * Request-level failures of the gateway, each with the HTTP status and whether retrying the same
 * request can succeed. Per-event problems are not errors: they are results (see handle-batch.ts).
 */
export const GATEWAY_ERRORS = {
  UNAUTHENTICATED: { status: 401, retriable: false },
  FORBIDDEN: { status: 403, retriable: false },
  NOT_FOUND: { status: 404, retriable: false },
  BODY_MALFORMED: { status: 400, retriable: false },
  BATCH_TOO_LARGE: { status: 413, retriable: false },
  BODY_TOO_LARGE: { status: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  RATE_LIMITED: { status: 429, retriable: true },
  UNAVAILABLE: { status: 503, retriable: true },
  INTERNAL: { status: 500, retriable: true },
} as const satisfies Record<string, { status: number; retriable: boolean }>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: GatewayErrorCode, message: string, options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = GATEWAY_ERRORS[code].status;
    this.retriable = GATEWAY_ERRORS[code].retriable;
    this.headers = Object.freeze({ ...options.headers });
  }

  toBody(): { error: { code: GatewayErrorCode; message: string; retriable: boolean } } {
    return { error: { code: this.code, message: this.message, retriable: this.retriable } };
  }
}
