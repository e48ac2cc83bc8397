/**
 * What the processor and `weir dlq replay` both do before running pipelines: take each type's
 * reader schema from the registry (the latest raw schema) and read the secrets the pipelines hash
 * with, once, failing with every missing one named.
 */
import { WeirError } from '../shared/errors.ts';
import { isRefusal } from '../shared/registry/registry-client-error.ts';
import { ERROR_CODES, type RegistryClient } from '../shared/registry/registry-client.ts';
import type { ReaderSchemaSource } from './pipeline/load-pipelines.ts';
import type { Pipeline } from './pipeline/pipeline.ts';

/** The latest schema registered under weir.raw.<type>-value, or why there is none. */
export async function latestReaderSchema(registry: RegistryClient, type: string): Promise<ReaderSchemaSource> {
  const subject = `weir.raw.${type}-value`;
  try {
    const latest = await registry.latest(subject);
    return { text: latest.schema, origin: `${registry.baseUrl} ${subject} version ${latest.version}` };
  } catch (error) {
    if (isRefusal(error, ERROR_CODES.SUBJECT_NOT_FOUND)) {
      return { problem: `nothing is registered under ${subject}: register the event schema (weir schemas register), or name one with "readerSchema": {"file": ...}` };
    }
    throw error;
  }
}

/** The secrets the pipelines need, read once; CONFIG_INVALID naming every one unset. */
export function resolveSecrets(pipelines: Iterable<Pipeline>, secrets: (name: string) => string | undefined, dir: string): ReadonlyMap<string, string> {
  const resolved = new Map<string, string>();
  const missing = new Map<string, string[]>();
  for (const pipeline of pipelines) {
    for (const name of pipeline.requiredSecrets) {
      const value = secrets(name) ?? '';
      if (value !== '') {
        resolved.set(name, value);
        continue;
      }
      missing.set(name, [...(missing.get(name) ?? []), pipeline.type]);
    }
  }
  if (missing.size === 0) return resolved;
  const lines = [...missing].map(([name, types]) => `${name} is unset or empty; the pipelines ${types.join(', ')} hash fields with it: set it to a long random secret`);
  throw new WeirError('CONFIG_INVALID', `invalid configuration (pipelines in ${dir}):\n  ${lines.join('\n  ')}`, { details: { variables: [...missing.keys()] } });
}
