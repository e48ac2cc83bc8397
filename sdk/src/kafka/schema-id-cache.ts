/**
 * The id of the latest schema registered under a subject, asked of the registry at most once per
 * `ttlMs` per subject (the registry client does not cache it). Concurrent misses share one
 * request. When a refresh fails, the id known before is used: a registry that is briefly away
 * must not stop a producer that already knows what to write.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export type LatestSchemaIdSource = Pick<SchemaRegistry, 'getLatestSchemaId'>;

export interface SchemaIdCache {
  latest(subject: string): Promise<number>;
}

export function createSchemaIdCache(registry: LatestSchemaIdSource, ttlMs: number, now: () => number): SchemaIdCache {
  const known = new Map<string, { readonly id: number; readonly at: number }>();
  const pending = new Map<string, Promise<number>>();
  return {
    latest(subject) {
      const entry = known.get(subject);
      if (entry !== undefined && now() - entry.at < ttlMs) return Promise.resolve(entry.id);
      let request = pending.get(subject);
      if (request === undefined) {
        request = registry
          .getLatestSchemaId(subject)
          .then(
            (id) => {
              known.set(subject, { id, at: now() });
              return id;
            },
            (error: unknown) => {
              if (entry === undefined) throw error;
              // Ask again after another ttlMs, not on every send while the registry is away.
              known.set(subject, { id: entry.id, at: now() });
              return entry.id;
            },
          )
          .finally(() => pending.delete(subject));
        pending.set(subject, request);
      }
      return request;
    },
  };
}
