/**
 * The SDK's error vocabulary. Every failure the client reports carries a `code` and a `retriable`
 * flag, so that applications branch on properties, never on message text.
 */

export const WEIR_ERROR_CODES = {
  /** 401: no write key, or one the gateway does not know. */
  UNAUTHORIZED: { retriable: false },
  /** 403: the key may not write (one of) the batch's event types. */
  FORBIDDEN: { retriable: false },
  /** 413: the body or an event is over the gateway's limit. */
  PAYLOAD_TOO_LARGE: { retriable: false },
  /** 400 without per-event results, or 415: the request itself is malformed, a bug in the SDK. */
  MALFORMED_REQUEST: { retriable: false },
  /** 429: over the key's rate; retried after Retry-After. */
  RATE_LIMITED: { retriable: true },
  /** 503: the broker is unreachable or the gateway is overloaded; retried after Retry-After. */
  UNAVAILABLE: { retriable: true },
  /** Another 5xx (or 408). */
  SERVER_ERROR: { retriable: true },
  /** No answer: connection refused or reset, DNS failure. */
  NETWORK_ERROR: { retriable: true },
  /** No answer within requestTimeoutMs. */
  TIMEOUT: { retriable: true },
  /** Any other status (404 from a wrong endpoint, a redirect, ...). */
  UNEXPECTED_STATUS: { retriable: false },
  /** A 200/207/400 whose body is not the documented per-event answer. */
  BAD_RESPONSE: { retriable: false },
  /** Options that cannot work, rejected by createWeirClient or createKafkaEventProducer. */
  INVALID_OPTIONS: { retriable: false },
  /** Kafka helper: the event has no usable id or timestamp, or is not an object. */
  INVALID_EVENT: { retriable: false },
  /** Kafka helper: the registry could not say which schema is the latest (unreachable, or no such subject). */
  SCHEMA_LOOKUP_FAILED: { retriable: true },
  /** Kafka helper: the event does not fit the registered schema. */
  ENCODE_FAILED: { retriable: false },
  /** Kafka helper: the producer could not write the messages; `retriable` follows kafkajs's own flag. */
  PRODUCE_FAILED: { retriable: true },
} as const satisfies Record<string, { retriable: boolean }>;

export type WeirErrorCode = keyof typeof WEIR_ERROR_CODES;

export interface WeirErrorDetails {
  readonly cause?: unknown;
  /** The HTTP status, when the gateway answered. */
  readonly status?: number;
  /** The gateway's own `error.code`, when its body had one. */
  readonly gatewayCode?: string;
  /** Overrides the code's default when the gateway's body said whether to retry. */
  readonly retriable?: boolean;
}

export class WeirError extends Error {
  readonly code: WeirErrorCode;
  readonly retriable: boolean;
  readonly status: number | undefined;
  readonly gatewayCode: string | undefined;

  constructor(code: WeirErrorCode, message: string, details: WeirErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'WeirError';
    this.code = code;
    this.retriable = details.retriable ?? WEIR_ERROR_CODES[code].retriable;
    this.status = details.status;
    this.gatewayCode = details.gatewayCode;
  }
}

/** A request that failed for good: after its last retry, or at once when not retriable. */
export class WeirRequestError extends WeirError {
  /** Attempts made, the first included. */
  readonly attempts: number;
  /** Events in the failed request; each also goes to onDropped. */
  readonly eventCount: number;

  constructor(last: WeirError, attempts: number, eventCount: number) {
    const retried = attempts > 1 ? ` after ${attempts} attempts` : '';
    super(last.code, `sending ${eventCount} event(s) to weir failed${retried}: ${last.message}`, {
      cause: last,
      ...(last.status === undefined ? {} : { status: last.status }),
      ...(last.gatewayCode === undefined ? {} : { gatewayCode: last.gatewayCode }),
      retriable: last.retriable,
    });
    this.name = 'WeirRequestError';
    this.attempts = attempts;
    this.eventCount = eventCount;
  }
}

export function isWeirError(error: unknown, code?: WeirErrorCode): error is WeirError {
  return error instanceof WeirError && (code === undefined || error.code === code);
}
