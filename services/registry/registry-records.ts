/**
 * The records of the registry's log, in the format of Confluent Schema Registry's `_schemas` topic,
 * so that a topic written by either can be read by weir. Keys and values are JSON strings; the key
 * is the compaction key, so a key's JSON must always be spelt the same way (fixed field order).
 *
 *   SCHEMA          {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 *                   -> {"subject":"s","version":1,"id":7,"schema":"...","deleted":false}
 *                      rewritten with "deleted":true on soft delete; null (tombstone) on permanent delete
 *   CONFIG          {"keytype":"CONFIG","subject":"s"|null,"magic":0} -> {"compatibilityLevel":"FULL"} | null
 *   DELETE_SUBJECT  {"keytype":"DELETE_SUBJECT","subject":"s","magic":0} -> {"subject":"s","version":3}
 *                   soft-deletes every version up to 3
 *   WEIR_MAX_ID     {"keytype":"WEIR_MAX_ID","magic":0} -> {"maxId":42}
 *                   weir's own: written before permanent deletes, so that once compaction has removed a
 *                   tombstoned schema the highest id ever given out is still known and never reused
 *
 * Other key types Confluent writes (NOOP, MODE, CONTEXT, ...) decode as `other` and are ignored.
 */
import { COMPATIBILITY_LEVELS, parseCompatibilityLevel, type CompatibilityLevel } from './compatibility-modes.ts';

export interface RegistryRecord {
  readonly key: string;
  /** `null` is a tombstone. */
  readonly value: string | null;
}

export interface SchemaValue {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
  readonly deleted: boolean;
  /** Absent means AVRO. */
  readonly schemaType?: string;
}

export type DecodedRecord =
  | { readonly keytype: 'SCHEMA'; readonly subject: string; readonly version: number; readonly value: SchemaValue | null }
  | { readonly keytype: 'CONFIG'; readonly subject: string | null; readonly level: CompatibilityLevel | null }
  | { readonly keytype: 'DELETE_SUBJECT'; readonly subject: string; readonly version: number | null }
  | { readonly keytype: 'WEIR_MAX_ID'; readonly maxId: number | null }
  | { readonly keytype: 'other'; readonly name: string }
  | { readonly keytype: 'invalid'; readonly reason: string };

const MAX_ID = 2 ** 31 - 1;

export function schemaKey(subject: string, version: number): string {
  return JSON.stringify({ keytype: 'SCHEMA', subject, version, magic: 1 });
}

export function schemaRecord(value: SchemaValue): RegistryRecord {
  const { subject, version, id, schema, deleted } = value;
  return { key: schemaKey(subject, version), value: JSON.stringify({ subject, version, id, schema, deleted }) };
}

export function schemaTombstone(subject: string, version: number): RegistryRecord {
  return { key: schemaKey(subject, version), value: null };
}

export function configRecord(subject: string | null, level: CompatibilityLevel | null): RegistryRecord {
  const key = JSON.stringify({ keytype: 'CONFIG', subject, magic: 0 });
  return { key, value: level === null ? null : JSON.stringify({ compatibilityLevel: level }) };
}

export function deleteSubjectRecord(subject: string, upToVersion: number): RegistryRecord {
  return {
    key: JSON.stringify({ keytype: 'DELETE_SUBJECT', subject, magic: 0 }),
    value: JSON.stringify({ subject, version: upToVersion }),
  };
}

export function maxIdRecord(maxId: number): RegistryRecord {
  return { key: JSON.stringify({ keytype: 'WEIR_MAX_ID', magic: 0 }), value: JSON.stringify({ maxId }) };
}

/** Never throws: a record this code cannot use comes back as `invalid` with the reason. */
export function decodeRecord(record: RegistryRecord): DecodedRecord {
  const key = parseObject(record.key);
  if (key === undefined) return invalid(`key is not a JSON object: ${clip(record.key)}`);
  const value = record.value === null ? null : parseObject(record.value);
  if (value === undefined) return invalid(`value is not a JSON object: ${clip(record.value ?? '')}`);
  const keytype = key['keytype'];
  switch (keytype) {
    case 'SCHEMA': {
      const { subject, version } = key;
      if (typeof subject !== 'string' || !isId(version)) return invalid(`SCHEMA key needs a subject and a version: ${clip(record.key)}`);
      if (value === null) return { keytype, subject, version, value: null };
      const { id, schema, deleted, schemaType } = value;
      if (value['subject'] !== subject || value['version'] !== version) {
        return invalid(`SCHEMA value names ${String(value['subject'])} version ${String(value['version'])} under key ${clip(record.key)}`);
      }
      if (!isId(id) || typeof schema !== 'string') return invalid(`SCHEMA value needs an id and a schema string: ${clip(record.value ?? '')}`);
      return {
        keytype,
        subject,
        version,
        value: {
          subject,
          version,
          id,
          schema,
          deleted: deleted === true,
          ...(typeof schemaType === 'string' ? { schemaType } : {}),
        },
      };
    }
    case 'CONFIG': {
      const subject = key['subject'] ?? null;
      if (subject !== null && typeof subject !== 'string') return invalid(`CONFIG key has a non-string subject: ${clip(record.key)}`);
      if (value === null) return { keytype, subject, level: null };
      const level = parseCompatibilityLevel(value['compatibilityLevel']);
      if (level === undefined) {
        return invalid(`CONFIG value has compatibilityLevel ${JSON.stringify(value['compatibilityLevel'])}, not one of ${COMPATIBILITY_LEVELS.join(', ')}`);
      }
      return { keytype, subject, level };
    }
    case 'DELETE_SUBJECT': {
      const subject = key['subject'];
      if (typeof subject !== 'string') return invalid(`DELETE_SUBJECT key needs a subject: ${clip(record.key)}`);
      if (value === null) return { keytype, subject, version: null };
      if (!isId(value['version'])) return invalid(`DELETE_SUBJECT value needs a version: ${clip(record.value ?? '')}`);
      return { keytype, subject, version: value['version'] };
    }
    case 'WEIR_MAX_ID': {
      if (value === null) return { keytype, maxId: null };
      if (!isId(value['maxId'])) return invalid(`WEIR_MAX_ID value needs a maxId: ${clip(record.value ?? '')}`);
      return { keytype, maxId: value['maxId'] };
    }
    default:
      if (typeof keytype !== 'string') return invalid(`key has no keytype: ${clip(record.key)}`);
      return { keytype: 'other', name: keytype };
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
}

function invalid(reason: string): DecodedRecord {
  return { keytype: 'invalid', reason };
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
