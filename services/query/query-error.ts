/**
 * Request-level failures of the query API, each with its HTTP status. An invalid query lists
 * every problem with where it is in the query (`measures[2]`, `filters[0].values[3]`).
 */
export const QUERY_ERRORS = {
  QUERY_INVALID: { status: 400, retriable: false },
  QUERY_TOO_LARGE: { status: 400, retriable: false },
  UNAUTHENTICATED: { status: 401, retriable: false },
  FORBIDDEN: { status: 403, retriable: false },
  NOT_FOUND: { status: 404, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  TOO_MANY_STREAMS: { status: 429, retriable: true },
  UNAVAILABLE: { status: 503, retriable: true },
  QUERY_TIMEOUT: { status: 504, retriable: true },
  INTERNAL: { status: 500, retriable: true },
} as const satisfies Record<string, { status: number; retriable: boolean }>;

export type QueryErrorCode = keyof typeof QUERY_ERRORS;

export interface Problem {
  /** Where in the query: a path such as `filters[0].value`, or `query` for the whole. */
  readonly at: string;
  readonly message: string;
}

export class QueryError extends Error {
  readonly code: QueryErrorCode;
  readonly status: number;
  readonly problems: readonly Problem[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: QueryErrorCode, message: string, options: { problems?: readonly Problem[]; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueryError';
    this.code = code;
    this.status = QUERY_ERRORS[code].status;
    this.problems = options.problems ?? [];
    this.headers = Object.freeze({ ...options.headers });
  }

  toBody() {
    return {
      error: {
        code: this.code,
        message: this.message,
        retriable: QUERY_ERRORS[this.code].retriable,
        ...(this.problems.length > 0 ? { problems: this.problems } : {}),
      },
    };
  }
}

/** One error for every problem found; the message names the first ones. */
export function invalidQuery(problems: readonly Problem[]): QueryError {
  const shown = problems.slice(0, 3).map((p) => `${p.at}: ${p.message}`).join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return new QueryError('QUERY_INVALID', `invalid query: ${shown}${more}`, { problems });
}
