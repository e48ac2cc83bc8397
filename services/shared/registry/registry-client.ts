/**
 * The few Confluent Schema Registry endpoints weir's CLI and gateway need, over fetch. Works against weir's
 * registry and Confluent's. Every failure is a RegistryClientError: REGISTRY_REFUSED (RegistryRefusedError,
 * with the answer's `error_code` and HTTP status), REGISTRY_UNREACHABLE (no connection, no answer
 * in time) or REGISTRY_BAD_ANSWER (something answered that is not a schema registry).
 */
import { REGISTRY_ERRORS } from '../../registry/registry-errors.ts';
import { RegistryClientError, RegistryRefusedError } from './registry-client-error.ts';

export const REGISTRY_MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';
const ACCEPT = `${REGISTRY_MEDIA_TYPE}, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5`;
export const DEFAULT_REGISTRY_TIMEOUT_MS = 10_000; // 10 s per request, body included

/** Confluent's codes callers branch on. */
export const ERROR_CODES = {
  SUBJECT_NOT_FOUND: REGISTRY_ERRORS.SUBJECT_NOT_FOUND.errorCode,
  SCHEMA_NOT_FOUND: REGISTRY_ERRORS.SCHEMA_NOT_FOUND.errorCode,
  INCOMPATIBLE_SCHEMA: REGISTRY_ERRORS.INCOMPATIBLE_SCHEMA.errorCode,
} as const;

export interface RegistryClientOptions {
  /** e.g. http://localhost:8081; a path prefix is kept. */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
}

export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

export interface CompatibilityAnswer {
  readonly compatible: boolean;
  /** Why not, one line per problem (empty when compatible). */
  readonly messages: readonly string[];
}

export interface RegistryClient {
  readonly baseUrl: string;
  /** GET /subjects */
  subjects(): Promise<string[]>;
  /** GET /subjects/{subject}/versions/latest */
  latest(subject: string): Promise<SubjectVersion>;
  /** POST /subjects/{subject}: the version of the subject that holds this schema (40403 when none does). */
  lookup(subject: string, schema: string): Promise<SubjectVersion>;
  /** POST /subjects/{subject}/versions: the schema's id (the same id when it is registered already). */
  register(subject: string, schema: string): Promise<{ id: number }>;
  /** POST /compatibility/subjects/{subject}/versions/latest?verbose=true */
  checkCompatibility(subject: string, schema: string): Promise<CompatibilityAnswer>;
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) => request({ baseUrl, timeoutMs, method, path, body });
  const s = (subject: string) => `/subjects/${encodeURIComponent(subject)}`;

  return {
    baseUrl,
    async subjects() {
      const answer = await call('GET', '/subjects');
      if (!Array.isArray(answer) || !answer.every((x) => typeof x === 'string')) throw badShape(baseUrl, 'GET /subjects', answer);
      return answer as string[];
    },
    async latest(subject) {
      return subjectVersion(baseUrl, `GET ${s(subject)}/versions/latest`, await call('GET', `${s(subject)}/versions/latest`));
    },
    async lookup(subject, schema) {
      return subjectVersion(baseUrl, `POST ${s(subject)}`, await call('POST', s(subject), { schema }));
    },
    async register(subject, schema) {
      const answer = await call('POST', `${s(subject)}/versions`, { schema });
      const id = field(answer, 'id');
      if (!Number.isInteger(id)) throw badShape(baseUrl, `POST ${s(subject)}/versions`, answer);
      return { id: id as number };
    },
    async checkCompatibility(subject, schema) {
      const path = `/compatibility${s(subject)}/versions/latest?verbose=true`;
      const answer = await call('POST', path, { schema });
      const compatible = field(answer, 'is_compatible');
      const messages = field(answer, 'messages') ?? [];
      if (typeof compatible !== 'boolean' || !Array.isArray(messages)) throw badShape(baseUrl, `POST ${path}`, answer);
      return { compatible, messages: messages.map(String) };
    },
  };
}

interface Request {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
}

async function request(req: Request): Promise<unknown> {
  const url = `${req.baseUrl}${req.path}`;
  const what = `${req.method} ${req.path}`;
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      method: req.method,
      headers: {
        accept: ACCEPT,
        ...(req.body === undefined ? {} : { 'content-type': REGISTRY_MEDIA_TYPE }),
      },
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw new RegistryClientError(
      'REGISTRY_UNREACHABLE',
      `cannot reach the schema registry at ${req.baseUrl} (${networkProblem(error, req.timeoutMs)})`,
      { cause: error, details: { url: req.baseUrl, request: what } },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RegistryClientError(
      'REGISTRY_BAD_ANSWER',
      `${req.baseUrl} answered ${what} with HTTP ${status} and a body that is not JSON (${excerpt(text)}); is it a schema registry?`,
      { details: { url: req.baseUrl, request: what, status } },
    );
  }
  if (status >= 200 && status < 300) return json;
  const errorCode = field(json, 'error_code');
  const message = field(json, 'message');
  if (typeof errorCode !== 'number' || typeof message !== 'string') {
    throw new RegistryClientError('REGISTRY_BAD_ANSWER', `${req.baseUrl} answered ${what} with HTTP ${status}: ${excerpt(text)}`, {
      details: { url: req.baseUrl, request: what, status },
    });
  }
  throw new RegistryRefusedError(errorCode, status, message, { url: req.baseUrl, request: what });
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function subjectVersion(baseUrl: string, what: string, answer: unknown): SubjectVersion {
  const [subject, version, id, schema] = ['subject', 'version', 'id', 'schema'].map((key) => field(answer, key));
  if (typeof subject !== 'string' || !Number.isInteger(version) || !Number.isInteger(id) || typeof schema !== 'string') {
    throw badShape(baseUrl, what, answer);
  }
  return { subject, version: version as number, id: id as number, schema };
}

function badShape(baseUrl: string, what: string, answer: unknown): RegistryClientError {
  return new RegistryClientError('REGISTRY_BAD_ANSWER', `${baseUrl} answered ${what} with an unexpected body: ${excerpt(JSON.stringify(answer))}`, {
    details: { url: baseUrl, request: what },
  });
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return 'empty';
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat;
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is in its cause. */
function networkProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = error instanceof Error ? error.cause : undefined;
  const causes = cause instanceof AggregateError ? cause.errors : [cause];
  const reasons = causes
    .filter((c): c is Error => c instanceof Error)
    .map((c) => c.message || String((c as { code?: unknown }).code ?? c.name));
  if (reasons.length > 0) return [...new Set(reasons)].join('; ');
  return error instanceof Error ? error.message : String(error);
}
