/**
 * Planning writes: each function validates a request against the current state and returns the log
 * records that carry it out, without applying them (the store appends and applies). They throw a
 * RegistryError for a request the registry refuses. `findWriteConflict` re-checks a plan against a
 * newer state, for a store that must detect another writer having moved first.
 */
import { schemaIdentity, type ParsedSchema } from './avro-schema.ts';
import { checkLevel, describeFailures, type CompatibilityLevel, type ExistingVersion } from './compatibility-modes.ts';
import { isRegistryError, RegistryError, subjectNotFound, versionNotFound } from './registry-errors.ts';
import {
  configRecord,
  decodeRecord,
  deleteSubjectRecord,
  maxIdRecord,
  schemaRecord,
  schemaTombstone,
  type RegistryRecord,
} from './registry-records.ts';
import type { RegistryState, SubjectVersion, VersionRef } from './registry-state.ts';

export interface WritePlan<T> {
  /** Empty when there is nothing to write (the request is already satisfied). */
  readonly records: readonly RegistryRecord[];
  readonly result: T;
}

export interface Registered {
  readonly id: number;
  readonly version: number;
}

export interface CompatibilityVerdict {
  readonly compatible: boolean;
  readonly messages: readonly string[];
}

/** Java clients read ids as signed 32-bit integers. */
export const MAX_SCHEMA_ID = 2 ** 31 - 1;
const MAX_MESSAGES_IN_ERROR = 20;

/**
 * The same schema already live under the subject returns its id and version. Otherwise the schema
 * must pass the subject's compatibility level against the live versions; it reuses the id of the
 * same schema anywhere in the registry, or takes `maxId + 1`.
 */
export function planRegister(state: RegistryState, subject: string, schema: ParsedSchema): WritePlan<Registered> {
  const live = state.versions(subject);
  const same = live.filter((v) => state.identityOfId(v.id) === schema.identity).at(-1);
  if (same !== undefined) return { records: [], result: { id: same.id, version: same.version } };

  const level = state.effectiveLevel(subject);
  const failures = checkLevel(level, schema.type, existingVersions(state, live));
  if (failures.length > 0) {
    const lines = describeFailures(level, failures);
    const shown = lines.slice(0, MAX_MESSAGES_IN_ERROR);
    if (lines.length > shown.length) shown.push(`... and ${lines.length - shown.length} more`);
    throw new RegistryError(
      'INCOMPATIBLE_SCHEMA',
      `Schema being registered is incompatible with an earlier schema for subject '${subject}' ` +
        `(compatibility ${level}): ${shown.join('; ')}`,
      { details: { subject, level, versions: failures.map((f) => f.version) } },
    );
  }

  const id = state.idForIdentity(schema.identity) ?? state.maxId + 1;
  if (id > MAX_SCHEMA_ID) throw new RegistryError('STORE_ERROR', `No schema id is left: ids stop at ${MAX_SCHEMA_ID}`);
  const version = state.maxVersion(subject) + 1;
  return {
    records: [schemaRecord({ subject, version, id, schema: schema.text, deleted: false })],
    result: { id, version },
  };
}

/** Is `schema` compatible with a version of the subject (`latest` or `all`: as registering would check)? */
export function testCompatibility(
  state: RegistryState,
  subject: string,
  against: VersionRef | 'all',
  schema: ParsedSchema,
): CompatibilityVerdict {
  const level = state.effectiveLevel(subject);
  let existing: SubjectVersion[];
  if (against === 'latest' || against === 'all') {
    existing = state.versions(subject);
  } else {
    try {
      existing = [state.version(subject, against)];
    } catch (error) {
      // Confluent answers 40402 for a numbered version of a subject that does not exist.
      if (isRegistryError(error, 'SUBJECT_NOT_FOUND')) throw versionNotFound(subject, against);
      throw error;
    }
  }
  const messages = describeFailures(level, checkLevel(level, schema.type, existingVersions(state, existing)));
  return { compatible: messages.length === 0, messages };
}

/**
 * Soft delete hides a version (Confluent's `?deleted=true` still shows it, and its id still
 * resolves); permanent delete removes it and requires a soft delete first. `latest` is the newest
 * live version, or the newest soft-deleted one when none is live.
 */
export function planDeleteVersion(state: RegistryState, subject: string, ref: VersionRef, permanent: boolean): WritePlan<number> {
  const all = state.versions(subject, { deleted: true });
  if (all.length === 0) throw subjectNotFound(subject);
  const target =
    ref === 'latest' ? (all.filter((v) => !v.deleted).at(-1) ?? all.at(-1)) : all.find((v) => v.version === ref);
  if (target === undefined) throw versionNotFound(subject, ref);
  const { version } = target;
  if (permanent && !target.deleted) {
    throw new RegistryError(
      'VERSION_NOT_SOFT_DELETED',
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted; delete it without permanent=true first`,
      { details: { subject, version } },
    );
  }
  if (!permanent && target.deleted) {
    throw new RegistryError(
      'VERSION_SOFT_DELETED',
      `Subject '${subject}' Version ${version} was soft deleted. Set permanent=true to delete permanently`,
      { details: { subject, version } },
    );
  }
  const records = permanent
    ? [maxIdRecord(state.maxId), schemaTombstone(subject, version)]
    : [schemaRecord({ subject, version, id: target.id, schema: target.schema, deleted: true })];
  return { records, result: version };
}

/** Soft delete hides every version; permanent delete (after a soft delete) removes them and the subject's config. */
export function planDeleteSubject(state: RegistryState, subject: string, permanent: boolean): WritePlan<number[]> {
  const all = state.versions(subject, { deleted: true });
  if (all.length === 0) throw subjectNotFound(subject);
  const live = all.filter((v) => !v.deleted);
  if (!permanent) {
    if (live.length === 0) {
      throw new RegistryError('SUBJECT_SOFT_DELETED', `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`, {
        details: { subject },
      });
    }
    return { records: [deleteSubjectRecord(subject, state.maxVersion(subject))], result: live.map((v) => v.version) };
  }
  if (live.length > 0) {
    throw new RegistryError(
      'SUBJECT_NOT_SOFT_DELETED',
      `Subject '${subject}' was not deleted first before being permanently deleted; delete it without permanent=true first`,
      { details: { subject } },
    );
  }
  const records = [maxIdRecord(state.maxId), ...all.map((v) => schemaTombstone(subject, v.version))];
  if (state.subjectLevel(subject) !== undefined) records.push(configRecord(subject, null));
  return { records, result: all.map((v) => v.version) };
}

/** Sets the level of a subject, or the global level with `subject` null. */
export function planSetLevel(state: RegistryState, subject: string | null, level: CompatibilityLevel): WritePlan<CompatibilityLevel> {
  const current = subject === null ? state.configuredGlobalLevel() : state.subjectLevel(subject);
  return { records: current === level ? [] : [configRecord(subject, level)], result: level };
}

/** Removes a subject's level (it falls back to the global one), or resets the global level to the default. */
export function planDeleteLevel(state: RegistryState, subject: string | null): WritePlan<CompatibilityLevel> {
  if (subject === null) {
    const current = state.configuredGlobalLevel();
    return { records: current === undefined ? [] : [configRecord(null, null)], result: state.globalLevel() };
  }
  const current = state.subjectLevel(subject);
  if (current === undefined) {
    // Confluent answers 40401 here.
    throw new RegistryError('SUBJECT_NOT_FOUND', `Subject '${subject}' not found: it has no subject-level compatibility to delete`, {
      details: { subject },
    });
  }
  return { records: [configRecord(subject, null)], result: current };
}

/**
 * Would appending `records` to a log whose state is `state` do something other than what was
 * planned? A description of the first conflict, or undefined. A store calls this at the moment it
 * writes, against its freshest state, and rejects with WRITE_CONFLICT so the write is re-planned.
 */
export function findWriteConflict(state: RegistryState, records: readonly RegistryRecord[]): string | undefined {
  for (const record of records) {
    const decoded = decodeRecord(record);
    if (decoded.keytype !== 'SCHEMA') continue;
    const { subject, version, value } = decoded;
    const current = state.versions(subject, { deleted: true }).find((v) => v.version === version);
    if (value === null) {
      if (current !== undefined && !current.deleted) return `${subject} version ${version} is live again`;
      continue;
    }
    if (current !== undefined && current.id !== value.id) return `${subject} version ${version} now holds id ${current.id}`;
    if (current === undefined && value.deleted) return `${subject} version ${version} no longer exists`;
    const bound = state.identityOfId(value.id);
    let identity: string;
    try {
      identity = schemaIdentity(value.schema);
    } catch {
      return `the schema planned for id ${value.id} is not JSON`;
    }
    if (bound !== undefined && bound !== identity) return `id ${value.id} now names another schema`;
    if (bound === undefined && value.id <= state.maxId) return `id ${value.id} was given out since the write was planned`;
  }
  return undefined;
}

function existingVersions(state: RegistryState, versions: readonly SubjectVersion[]): ExistingVersion[] {
  return versions.map((v) => ({ version: v.version, type: state.parsed(v.id).type }));
}
