/**
 * Writer schemas by registry id (`GET /schemas/ids/{id}`), for decoding raw records. One compiled
 * avsc Type per id, kept for the life of the process (ids never change meaning); concurrent misses
 * share one fetch. Transient failures (registry unreachable, 5xx, a bad answer) are retried with
 * backoff and then thrown: the caller's batch is aborted and redelivered, never dead-lettered. An
 * id the registry still does not know after its retries is `unknown` (the record goes to the DLQ),
 * remembered for `unknownTtlMs` so that a flood of garbage ids does not flood the registry.
 */
import avro from 'avsc';
import { messageOf } from '../shared/errors.ts';
import { compileDecodeGuard, type DecodeGuard } from './decode-guard.ts';
import { isRefusal, RegistryClientError, RegistryRefusedError } from '../shared/registry/registry-client-error.ts';
import { ERROR_CODES, REGISTRY_MEDIA_TYPE } from '../shared/registry/registry-client.ts';

/** `guard` checks bytes before avsc decodes them (undefined when the schema needs none). */
export type KnownWriterSchema = { readonly type: avro.Type; readonly guard: DecodeGuard | undefined };
export type WriterSchema = KnownWriterSchema | { readonly unknown: string };

/** Fetches the schema text of an id; throws RegistryClientError (RegistryRefusedError for 40403). */
export type FetchSchemaById = (id: number) => Promise<string>;

export interface WriterSchemasOptions {
  readonly fetchSchema: FetchSchemaById;
  /** Attempts for a transient failure before it is thrown (default 5). */
  readonly transientAttempts?: number;
  /** Attempts for a 40403 before the id is called unknown (default 3): another registry instance may not have caught up. */
  readonly notFoundAttempts?: number;
  readonly backoffMs?: number;
  readonly unknownTtlMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export class WriterSchemas {
  readonly #options: Required<WriterSchemasOptions>;
  readonly #known = new Map<number, KnownWriterSchema>();
  readonly #unknown = new Map<number, { reason: string; until: number }>();
  readonly #inFlight = new Map<number, Promise<WriterSchema>>();

  constructor(options: WriterSchemasOptions) {
    this.#options = {
      transientAttempts: 5,
      notFoundAttempts: 3,
      backoffMs: 200,
      unknownTtlMs: 60_000, // 1 min
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: Date.now,
      ...options,
    };
  }

  get(id: number): Promise<WriterSchema> | WriterSchema {
    const known = this.#known.get(id);
    if (known !== undefined) return known;
    const unknown = this.#unknown.get(id);
    if (unknown !== undefined && unknown.until > this.#options.now()) return { unknown: unknown.reason };
    let pending = this.#inFlight.get(id);
    if (pending === undefined) {
      pending = this.#fetch(id).finally(() => this.#inFlight.delete(id));
      this.#inFlight.set(id, pending);
    }
    return pending;
  }

  async #fetch(id: number): Promise<WriterSchema> {
    const { transientAttempts, notFoundAttempts, backoffMs, sleep } = this.#options;
    let failures = 0;
    let notFound = 0;
    for (;;) {
      try {
        const text = await this.#options.fetchSchema(id);
        let type: avro.Type;
        try {
          type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
        } catch (error) {
          return this.#remember(id, `schema ${id} from the registry cannot be compiled: ${messageOf(error)}`);
        }
        const known = { type, guard: compileDecodeGuard(type) };
        this.#known.set(id, known);
        return known;
      } catch (error) {
        if (isRefusal(error, ERROR_CODES.SCHEMA_NOT_FOUND)) {
          if (++notFound >= notFoundAttempts) return this.#remember(id, `the registry has no schema with id ${id}`);
        } else if (++failures >= transientAttempts) {
          throw error;
        }
        await sleep(backoffMs * 2 ** (failures + notFound - 1));
      }
    }
  }

  #remember(id: number, reason: string): WriterSchema {
    this.#unknown.set(id, { reason, until: this.#options.now() + this.#options.unknownTtlMs });
    return { unknown: reason };
  }
}

/**
 * `GET /schemas/ids/{id}` over fetch. Not part of the shared registry client yet; failures are
 * RegistryClientErrors like the client's: a 4xx `{error_code}` answer is a refusal, anything else
 * (no connection, 5xx, not JSON) is transient here.
 */
export function fetchSchemaByIdFrom(baseUrl: string, timeoutMs = 5_000): FetchSchemaById {
  const base = baseUrl.replace(/\/+$/, '');
  return async (id) => {
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${base}/schemas/ids/${id}`, { headers: { accept: REGISTRY_MEDIA_TYPE }, signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      text = await res.text();
    } catch (error) {
      throw new RegistryClientError('REGISTRY_UNREACHABLE', `cannot reach the schema registry at ${base}: ${messageOf(error)}`, { cause: error });
    }
    let json: { schema?: unknown; error_code?: unknown; message?: unknown } | undefined;
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = undefined;
    }
    if (status === 200 && typeof json?.schema === 'string') return json.schema;
    if (status >= 400 && status < 500 && typeof json?.error_code === 'number') {
      throw new RegistryRefusedError(json.error_code, status, String(json.message ?? ''), { url: base, request: `GET /schemas/ids/${id}` });
    }
    throw new RegistryClientError('REGISTRY_BAD_ANSWER', `${base} answered GET /schemas/ids/${id} with HTTP ${status}`, { details: { status } });
  };
}
