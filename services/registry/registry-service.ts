/**
 * The registry's writes: one at a time per service (an async mutex), each planned against the
 * store's current state and appended; a WRITE_CONFLICT from the store (another process wrote first)
 * re-plans against the new state, a bounded number of times. See registry-store.ts for the contract.
 */
import type { ParsedSchema } from './avro-schema.ts';
import type { CompatibilityLevel } from './compatibility-modes.ts';
import { isRegistryError, RegistryError } from './registry-errors.ts';
import type { RegistryState, VersionRef } from './registry-state.ts';
import type { RegistryStore } from './registry-store.ts';
import {
  planDeleteLevel,
  planDeleteSubject,
  planDeleteVersion,
  planRegister,
  planSetLevel,
  type Registered,
  type WritePlan,
} from './registry-writes.ts';

export const DEFAULT_WRITE_ATTEMPTS = 5;

export interface RegistryService {
  state(): RegistryState;
  register(subject: string, schema: ParsedSchema): Promise<Registered>;
  deleteVersion(subject: string, ref: VersionRef, permanent: boolean): Promise<number>;
  deleteSubject(subject: string, permanent: boolean): Promise<number[]>;
  setLevel(subject: string | null, level: CompatibilityLevel): Promise<CompatibilityLevel>;
  deleteLevel(subject: string | null): Promise<CompatibilityLevel>;
}

export function createRegistryService(store: RegistryStore, options: { writeAttempts?: number } = {}): RegistryService {
  const attempts = options.writeAttempts ?? DEFAULT_WRITE_ATTEMPTS;
  const exclusive = createMutex();

  const write = <T>(plan: (state: RegistryState) => WritePlan<T>): Promise<T> =>
    exclusive(async () => {
      for (let attempt = 1; ; attempt += 1) {
        const { records, result } = plan(store.state());
        if (records.length === 0) return result;
        try {
          await store.append(records);
          return result;
        } catch (error) {
          if (!isRegistryError(error, 'WRITE_CONFLICT')) throw error;
          if (attempt >= attempts) {
            throw new RegistryError('STORE_ERROR', `Gave up after ${attempts} conflicting writes: ${error.message}`, { cause: error });
          }
        }
      }
    });

  return {
    state: () => store.state(),
    register: (subject, schema) => write((state) => planRegister(state, subject, schema)),
    deleteVersion: (subject, ref, permanent) => write((state) => planDeleteVersion(state, subject, ref, permanent)),
    deleteSubject: (subject, permanent) => write((state) => planDeleteSubject(state, subject, permanent)),
    setLevel: (subject, level) => write((state) => planSetLevel(state, subject, level)),
    deleteLevel: (subject) => write((state) => planDeleteLevel(state, subject)),
  };
}

/** Runs the functions given to it one at a time, in call order; a failure does not block the next. */
function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(() => fn());
    tail = run.catch(() => undefined);
    return run;
  };
}
