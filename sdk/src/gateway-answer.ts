/**
 * Reads one answer of `POST /v1/events`. Two shapes are final: the per-event result (200 all
 * accepted, 207 some rejected, 400 none accepted), whose rejected events must never be resent;
 * and everything else is a request-level failure, retriable or not:
 *
 *   200 | 207 | 400  {"accepted": n, "rejected": m, "errors": [{"index": i, "id": "...", "type": "...",
 *                     "errors": [{"path": "/device_type", "reason": "not_in_enum", "message": "..."}]}]}
 *   4xx | 5xx        {"error": {"code": "...", "message": "...", "retriable": bool}}, Retry-After on 429/503
 */
import { parseRetryAfter } from './backoff.ts';
import { WeirError, type WeirErrorCode } from './errors.ts';
import type { FieldError } from './types.ts';

export type GatewayAnswer =
  /** Index in the batch -> that event's errors; events not in the map were accepted. */
  | { readonly kind: 'results'; readonly rejected: ReadonlyMap<number, readonly FieldError[]> }
  | {
      readonly kind: 'failed';
      readonly error: WeirError;
      readonly retryAfterMs: number | undefined;
      /** A 429's RateLimit-Limit: the most events the key may ever send in one request (its burst). */
      readonly rateLimit?: number;
    };

export interface HttpAnswer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly rateLimit?: string | null;
  readonly body: string;
}

/** Never throws: an answer that fits no documented shape is a BAD_RESPONSE failure. */
export function readGatewayAnswer(answer: HttpAnswer, batchSize: number, nowMs: number): GatewayAnswer {
  const body = parseJson(answer.body);
  const { status } = answer;
  if ((status >= 200 && status < 300) || (status === 400 && !isRequestError(body))) {
    return readResults(status, body, batchSize);
  }
  const detail = isRequestError(body) ? body.error : undefined;
  const code = codeOf(status);
  const message = `${status} ${typeof detail?.message === 'string' ? detail.message : answer.body.slice(0, 200) || 'without a body'}`;
  const error = new WeirError(code, message, {
    status,
    ...(typeof detail?.code === 'string' ? { gatewayCode: detail.code } : {}),
    ...(typeof detail?.retriable === 'boolean' ? { retriable: detail.retriable } : {}),
  });
  const limit = status === 429 && answer.rateLimit != null && /^\d+$/.test(answer.rateLimit.trim()) ? Number(answer.rateLimit) : 0;
  return { kind: 'failed', error, retryAfterMs: parseRetryAfter(answer.retryAfter, nowMs), ...(limit > 0 ? { rateLimit: limit } : {}) };
}

function readResults(status: number, body: unknown, batchSize: number): GatewayAnswer {
  const rejected = new Map<number, FieldError[]>();
  const entries = isObject(body) ? body['errors'] : undefined;
  // A 200 may say no more than that; a 207 or 400 that names no event tells nothing usable.
  if (entries === undefined && status !== 207 && status !== 400) return { kind: 'results', rejected };
  if (!Array.isArray(entries)) return badResponse(status, 'it has no "errors" array');
  for (const entry of entries as unknown[]) {
    const index = isObject(entry) ? entry['index'] : undefined;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= batchSize) {
      return badResponse(status, `an error names index ${JSON.stringify(index)}, not one of the batch's ${batchSize} events`);
    }
    const errors = isObject(entry) && Array.isArray(entry['errors']) ? (entry['errors'] as unknown[]) : [];
    rejected.set(index, [...(rejected.get(index) ?? []), ...errors.map(fieldError)]);
  }
  if (status === 400) {
    // "None accepted": an event the answer does not name was refused all the same.
    for (let i = 0; i < batchSize; i++) {
      if (!rejected.has(i)) rejected.set(i, [{ path: '', reason: 'unspecified', message: 'the gateway refused the batch without naming this event' }]);
    }
  }
  return { kind: 'results', rejected };
}

function fieldError(raw: unknown): FieldError {
  const o = isObject(raw) ? raw : {};
  return {
    path: typeof o['path'] === 'string' ? o['path'] : '',
    reason: typeof o['reason'] === 'string' ? o['reason'] : 'unspecified',
    message: typeof o['message'] === 'string' ? o['message'] : '',
  };
}

function badResponse(status: number, why: string): GatewayAnswer {
  const error = new WeirError('BAD_RESPONSE', `${status} answer is not the documented per-event result: ${why}`, { status });
  return { kind: 'failed', error, retryAfterMs: undefined };
}

function codeOf(status: number): WeirErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 400:
    case 415:
      return 'MALFORMED_REQUEST';
    case 429:
      return 'RATE_LIMITED';
    case 503:
      return 'UNAVAILABLE';
    case 408:
      return 'SERVER_ERROR';
    default:
      return status >= 500 && status < 600 ? 'SERVER_ERROR' : 'UNEXPECTED_STATUS';
  }
}

type RequestErrorBody = { error: { code?: unknown; message?: unknown; retriable?: unknown } };

function isRequestError(body: unknown): body is RequestErrorBody {
  return isObject(body) && isObject(body['error']);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
