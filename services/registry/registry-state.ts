/**
 * The registry's state, rebuilt by applying the records of its log (registry-records.ts) in log
 * order, and every read the REST API needs. No I/O: the store owns the log and calls `apply`.
 *
 * Applying follows the log's compaction semantics: the last record for a key wins. Two rules keep
 * ids stable: an id, once bound to a schema, keeps that schema (a later record binding it to another
 * one is ignored, and reported as such), and `maxId` only grows, so ids are never reused.
 */
import { parseAvroSchema, schemaIdentity, type ParsedSchema } from './avro-schema.ts';
import { DEFAULT_COMPATIBILITY_LEVEL, type CompatibilityLevel } from './compatibility-modes.ts';
import { RegistryError, schemaNotFound, subjectNotFound, versionNotFound } from './registry-errors.ts';
import { decodeRecord, type RegistryRecord, type SchemaValue } from './registry-records.ts';

export type VersionRef = number | 'latest';

export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
  readonly deleted: boolean;
}

export type ApplyOutcome = { readonly applied: true } | { readonly applied: false; readonly reason: string };

export interface VisibilityOptions {
  /** Include soft-deleted versions (Confluent's `?deleted=true`). */
  readonly deleted?: boolean;
}

interface VersionEntry {
  readonly id: number;
  readonly deleted: boolean;
}

interface StoredSchema {
  readonly text: string;
  readonly identity: string;
  /** Versions (live or soft-deleted, in any subject) that use this id. */
  refs: number;
}

const APPLIED: ApplyOutcome = Object.freeze({ applied: true });

export class RegistryState {
  readonly #subjects = new Map<string, Map<number, VersionEntry>>();
  readonly #schemas = new Map<number, StoredSchema>();
  readonly #idsByIdentity = new Map<string, Set<number>>();
  readonly #subjectLevels = new Map<string, CompatibilityLevel>();
  readonly #parsed = new Map<number, ParsedSchema>();
  #globalLevel: CompatibilityLevel | undefined;
  #maxId = 0;

  static fromRecords(records: Iterable<RegistryRecord>): RegistryState {
    const state = new RegistryState();
    for (const record of records) state.apply(record);
    return state;
  }

  apply(record: RegistryRecord): ApplyOutcome {
    const decoded = decodeRecord(record);
    switch (decoded.keytype) {
      case 'SCHEMA':
        return this.#applySchema(decoded.subject, decoded.version, decoded.value);
      case 'CONFIG':
        if (decoded.subject === null) this.#globalLevel = decoded.level ?? undefined;
        else if (decoded.level === null) this.#subjectLevels.delete(decoded.subject);
        else this.#subjectLevels.set(decoded.subject, decoded.level);
        return APPLIED;
      case 'DELETE_SUBJECT': {
        const versions = this.#subjects.get(decoded.subject);
        if (decoded.version === null || versions === undefined) return APPLIED;
        for (const [version, entry] of versions) {
          if (version <= decoded.version) versions.set(version, { id: entry.id, deleted: true });
        }
        return APPLIED;
      }
      case 'WEIR_MAX_ID':
        this.#maxId = Math.max(this.#maxId, decoded.maxId ?? 0);
        return APPLIED;
      case 'other':
        return { applied: false, reason: `key type ${decoded.name} is not used by weir` };
      case 'invalid':
        return { applied: false, reason: decoded.reason };
    }
  }

  #applySchema(subject: string, version: number, value: SchemaValue | null): ApplyOutcome {
    const versions = this.#subjects.get(subject);
    const previous = versions?.get(version);
    if (value === null) {
      if (versions === undefined || previous === undefined) return APPLIED;
      versions.delete(version);
      if (versions.size === 0) this.#subjects.delete(subject);
      this.#release(previous.id);
      return APPLIED;
    }
    // Counted before any check: an id seen anywhere in the log is never given out again.
    this.#maxId = Math.max(this.#maxId, value.id);
    if (value.schemaType !== undefined && value.schemaType.toUpperCase() !== 'AVRO') {
      return { applied: false, reason: `${subject} version ${version} has schemaType ${value.schemaType}; weir serves Avro only` };
    }
    let identity: string;
    try {
      identity = schemaIdentity(value.schema);
    } catch {
      return { applied: false, reason: `${subject} version ${version}: the schema of id ${value.id} is not JSON` };
    }
    const bound = this.#schemas.get(value.id);
    if (bound !== undefined && bound.identity !== identity) {
      return { applied: false, reason: `${subject} version ${version} binds id ${value.id}, which already names another schema` };
    }
    this.#bind(value.id, value.schema, identity);
    if (previous !== undefined) this.#release(previous.id);
    const target = versions ?? new Map<number, VersionEntry>();
    target.set(version, { id: value.id, deleted: value.deleted });
    this.#subjects.set(subject, target);
    return APPLIED;
  }

  #bind(id: number, text: string, identity: string): void {
    const stored = this.#schemas.get(id);
    if (stored !== undefined) {
      stored.refs += 1;
      return;
    }
    this.#schemas.set(id, { text, identity, refs: 1 });
    const ids = this.#idsByIdentity.get(identity) ?? new Set<number>();
    this.#idsByIdentity.set(identity, ids.add(id));
  }

  #release(id: number): void {
    const stored = this.#schemas.get(id);
    if (stored === undefined) return;
    stored.refs -= 1;
    if (stored.refs > 0) return;
    this.#schemas.delete(id);
    this.#parsed.delete(id);
    const ids = this.#idsByIdentity.get(stored.identity);
    ids?.delete(id);
    if (ids?.size === 0) this.#idsByIdentity.delete(stored.identity);
  }

  /** The highest id ever seen in the log: the next new schema gets `maxId + 1`. */
  get maxId(): number {
    return this.#maxId;
  }

  globalLevel(): CompatibilityLevel {
    return this.#globalLevel ?? DEFAULT_COMPATIBILITY_LEVEL;
  }

  /** The global level if one was set, `undefined` when the default applies. */
  configuredGlobalLevel(): CompatibilityLevel | undefined {
    return this.#globalLevel;
  }

  subjectLevel(subject: string): CompatibilityLevel | undefined {
    return this.#subjectLevels.get(subject);
  }

  effectiveLevel(subject: string): CompatibilityLevel {
    return this.#subjectLevels.get(subject) ?? this.globalLevel();
  }

  /** Subjects with a live version (or any version, with `deleted`), sorted. */
  subjects(options: VisibilityOptions & { readonly prefix?: string } = {}): string[] {
    const out: string[] = [];
    for (const [subject, versions] of this.#subjects) {
      if (options.prefix !== undefined && !subject.startsWith(options.prefix)) continue;
      if (options.deleted || [...versions.values()].some((v) => !v.deleted)) out.push(subject);
    }
    return out.sort();
  }

  /** Versions of a subject, oldest first; empty when there are none. */
  versions(subject: string, options: VisibilityOptions = {}): SubjectVersion[] {
    const versions = this.#subjects.get(subject);
    if (versions === undefined) return [];
    return [...versions.entries()]
      .filter(([, entry]) => options.deleted || !entry.deleted)
      .sort(([a], [b]) => a - b)
      .map(([version, entry]) => this.#toVersion(subject, version, entry));
  }

  /** Version numbers, oldest first; SUBJECT_NOT_FOUND when none is visible. */
  versionNumbers(subject: string, options: VisibilityOptions = {}): number[] {
    const visible = this.versions(subject, options);
    if (visible.length === 0) throw subjectNotFound(subject);
    return visible.map((v) => v.version);
  }

  /** SUBJECT_NOT_FOUND when the subject has no visible version, VERSION_NOT_FOUND when it lacks this one. */
  version(subject: string, ref: VersionRef, options: VisibilityOptions = {}): SubjectVersion {
    const visible = this.versions(subject, options);
    const found = ref === 'latest' ? visible.at(-1) : visible.find((v) => v.version === ref);
    if (found !== undefined) return found;
    if (visible.length === 0) throw subjectNotFound(subject);
    throw versionNotFound(subject, ref);
  }

  /** Highest version number the subject has ever kept (soft-deleted included), 0 for none. */
  maxVersion(subject: string): number {
    return Math.max(0, ...(this.#subjects.get(subject)?.keys() ?? []));
  }

  /** The version of `subject` holding a schema with this identity: the newest live one, else the newest deleted one. */
  lookup(subject: string, identity: string, options: VisibilityOptions = {}): SubjectVersion {
    const visible = this.versions(subject, options);
    if (visible.length === 0) throw subjectNotFound(subject);
    const matches = visible.filter((v) => this.#schemas.get(v.id)?.identity === identity);
    const found = matches.filter((v) => !v.deleted).at(-1) ?? matches.at(-1);
    if (found === undefined) {
      throw new RegistryError('SCHEMA_NOT_FOUND', `Schema not found: subject '${subject}' has no version with this schema`, {
        details: { subject },
      });
    }
    return found;
  }

  /** The schema text of an id, soft-deleted or not (consumers still need it); SCHEMA_NOT_FOUND otherwise. */
  schemaById(id: number): string {
    const stored = this.#schemas.get(id);
    if (stored === undefined) throw schemaNotFound(id);
    return stored.text;
  }

  /** The subject versions that use an id. */
  usagesOfId(id: number, options: VisibilityOptions = {}): { subject: string; version: number }[] {
    if (!this.#schemas.has(id)) throw schemaNotFound(id);
    const out: { subject: string; version: number }[] = [];
    for (const subject of [...this.#subjects.keys()].sort()) {
      for (const v of this.versions(subject, options)) if (v.id === id) out.push({ subject, version: v.version });
    }
    return out;
  }

  /** The id already given to a schema with this identity, in any subject, soft-deleted included. */
  idForIdentity(identity: string): number | undefined {
    const ids = this.#idsByIdentity.get(identity);
    return ids === undefined || ids.size === 0 ? undefined : Math.min(...ids);
  }

  /** The identity an id is bound to, if it is. */
  identityOfId(id: number): string | undefined {
    return this.#schemas.get(id)?.identity;
  }

  /** The parsed schema of an id, parsed once and cached. */
  parsed(id: number): ParsedSchema {
    const cached = this.#parsed.get(id);
    if (cached !== undefined) return cached;
    const text = this.schemaById(id);
    try {
      const parsed = parseAvroSchema(text);
      this.#parsed.set(id, parsed);
      return parsed;
    } catch (error) {
      throw new RegistryError(
        'STORED_SCHEMA_UNREADABLE',
        `Schema ${id} in the registry's store cannot be parsed, so nothing can be checked against it: ${(error as Error).message}`,
        { cause: error, details: { id } },
      );
    }
  }

  #toVersion(subject: string, version: number, entry: VersionEntry): SubjectVersion {
    const schema = this.#schemas.get(entry.id)?.text ?? '';
    return { subject, version, id: entry.id, schema, deleted: entry.deleted };
  }
}
