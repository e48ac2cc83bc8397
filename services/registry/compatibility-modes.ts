/**
 * Confluent's compatibility levels, per subject with a global default: which existing versions a
 * new schema is checked against, and in which direction.
 *
 *   BACKWARD   the new schema reads data written with the latest version   (upgrade consumers first)
 *   FORWARD    the latest version reads data written with the new schema   (upgrade producers first)
 *   FULL       both
 *   *_TRANSITIVE  the same against every live version, not just the latest
 *   NONE       no check
 */
import type avro from 'avsc';
import { checkCompatibility, type Incompatibility } from './compatibility.ts';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export const DEFAULT_COMPATIBILITY_LEVEL: CompatibilityLevel = 'BACKWARD';

/** Confluent accepts any letter case; the canonical spelling is upper case. */
export function parseCompatibilityLevel(raw: unknown): CompatibilityLevel | undefined {
  if (typeof raw !== 'string') return undefined;
  const upper = raw.trim().toUpperCase();
  return COMPATIBILITY_LEVELS.find((level) => level === upper);
}

export type Direction = 'BACKWARD' | 'FORWARD';

export interface ExistingVersion {
  readonly version: number;
  readonly type: avro.Type;
}

export interface VersionIncompatibility {
  readonly version: number;
  readonly direction: Direction;
  readonly problems: readonly Incompatibility[];
}

export function directionsOf(level: CompatibilityLevel): readonly Direction[] {
  if (level === 'NONE') return [];
  if (level.startsWith('BACKWARD')) return ['BACKWARD'];
  if (level.startsWith('FORWARD')) return ['FORWARD'];
  return ['BACKWARD', 'FORWARD'];
}

export function isTransitive(level: CompatibilityLevel): boolean {
  return level.endsWith('_TRANSITIVE');
}

/**
 * Checks `candidate` against `existing` (live versions, oldest first) as `level` requires. Returns
 * one entry per (version, direction) that fails, newest version first; empty when compatible.
 */
export function checkLevel(
  level: CompatibilityLevel,
  candidate: avro.Type,
  existing: readonly ExistingVersion[],
): VersionIncompatibility[] {
  const latest = existing.at(-1);
  const against = isTransitive(level) ? [...existing].reverse() : latest === undefined ? [] : [latest];
  const failures: VersionIncompatibility[] = [];
  for (const old of against) {
    for (const direction of directionsOf(level)) {
      const problems =
        direction === 'BACKWARD'
          ? checkCompatibility(candidate, old.type, { reader: 'the new schema', writer: `version ${old.version}` })
          : checkCompatibility(old.type, candidate, { reader: `version ${old.version}`, writer: 'the new schema' });
      if (problems.length > 0) failures.push({ version: old.version, direction, problems });
    }
  }
  return failures;
}

/** One line per problem, for the 409 message and the `messages` of a verbose compatibility check. */
export function describeFailures(level: CompatibilityLevel, failures: readonly VersionIncompatibility[]): string[] {
  return failures.flatMap((failure) => {
    const rule =
      failure.direction === 'BACKWARD'
        ? `the new schema must read data written with version ${failure.version}`
        : `version ${failure.version} must read data written with the new schema`;
    return failure.problems.map((p) => `${level}: ${rule}, but at ${p.path}: ${p.message} [${p.kind}]`);
  });
}
