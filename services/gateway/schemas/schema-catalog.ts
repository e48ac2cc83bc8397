/**
 * The schema of each event type, as the registry has it now: the latest version of subject
 * `weir.raw.<type>-value`, compiled once into a validator and an Avro encoder. Entries are cached
 * for `ttlMs` and refreshed in the background while the old one keeps serving; unknown types are
 * remembered for `negativeTtlMs`, so a flood of bad types does not become a flood of registry
 * calls. Concurrent misses of one type share one fetch. When the registry cannot be reached, a
 * cached entry keeps serving; without one, the request gets 503.
 */
import avro from 'avsc';
import type { Logger } from '../../shared/logger.ts';
import { ERROR_CODES, type RegistryClient } from '../../shared/registry/registry-client.ts';
import { isRefusal } from '../../shared/registry/registry-client-error.ts';
import { GatewayError } from '../http/gateway-error.ts';
import { rawTopic } from '../publish/raw-topics.ts';
import { compileEventValidator, type EventValidator } from '../validation/compile.ts';

export interface EventSchema {
  readonly type: string;
  readonly subject: string;
  readonly topic: string;
  readonly schemaId: number;
  readonly version: number;
  readonly validate: EventValidator;
  readonly avroType: avro.Type;
  /** Record fields, for choosing the message key. */
  readonly fieldNames: ReadonlySet<string>;
}

export interface SchemaCatalogOptions {
  registry: RegistryClient;
  logger: Logger;
  ttlMs: number;
  negativeTtlMs: number;
  now?: () => number;
}

interface Cached {
  readonly schema: EventSchema | undefined;
  readonly at: number;
  refreshing?: Promise<unknown>;
}

export function subjectOf(type: string): string {
  return `${rawTopic(type)}-value`;
}

export class SchemaCatalog {
  readonly #options: SchemaCatalogOptions;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();
  readonly #loading = new Map<string, Promise<EventSchema | undefined>>();

  constructor(options: SchemaCatalogOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The type's current schema, or undefined when the registry has no such type. */
  async get(type: string): Promise<EventSchema | undefined> {
    const cached = this.#cache.get(type);
    if (cached !== undefined) {
      const age = this.#now() - cached.at;
      const ttl = cached.schema === undefined ? this.#options.negativeTtlMs : this.#options.ttlMs;
      if (age < ttl) return cached.schema;
      if (cached.schema !== undefined) {
        cached.refreshing ??= this.#load(type).catch((error: unknown) => {
          cached.refreshing = undefined;
          this.#options.logger.warn({ err: error, type }, 'schema refresh failed; serving the cached one');
        });
        return cached.schema;
      }
    }
    return this.#load(type);
  }

  #load(type: string): Promise<EventSchema | undefined> {
    let loading = this.#loading.get(type);
    if (loading === undefined) {
      loading = this.#fetch(type).finally(() => this.#loading.delete(type));
      this.#loading.set(type, loading);
    }
    return loading;
  }

  async #fetch(type: string): Promise<EventSchema | undefined> {
    const subject = subjectOf(type);
    let latest;
    try {
      latest = await this.#options.registry.latest(subject);
    } catch (error) {
      if (isRefusal(error, ERROR_CODES.SUBJECT_NOT_FOUND)) {
        this.#cache.set(type, { schema: undefined, at: this.#now() });
        return undefined;
      }
      throw new GatewayError('UNAVAILABLE', `the schema registry could not be asked for ${subject}: ${(error as Error).message}`, {
        headers: { 'Retry-After': '5' },
        cause: error,
      });
    }
    const current = this.#cache.get(type)?.schema;
    if (current?.schemaId === latest.id) {
      this.#cache.set(type, { schema: current, at: this.#now() });
      return current;
    }
    const parsed = JSON.parse(latest.schema) as { fields?: { name: string }[] };
    // One avsc type for both: the validator shapes unions exactly as the encoder expects them.
    const avroType = avro.Type.forSchema(parsed as avro.Schema);
    const schema: EventSchema = {
      type,
      subject,
      topic: rawTopic(type),
      schemaId: latest.id,
      version: latest.version,
      validate: compileEventValidator(parsed, { avroType }),
      avroType,
      fieldNames: new Set((parsed.fields ?? []).map((f) => f.name)),
    };
    this.#cache.set(type, { schema, at: this.#now() });
    this.#options.logger.info({ type, subject, schemaId: schema.schemaId, version: schema.version }, 'loaded event schema');
    return schema;
  }
}
