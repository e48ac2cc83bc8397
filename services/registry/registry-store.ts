/**
 * Where the registry's log lives. The REST layer reads `state()` and writes through `append()`;
 * the Kafka-backed store (the `_schemas` topic) and the in-memory one below implement the same
 * contract, and the conformance suite runs against both.
 *
 * Who keeps concurrent writes apart:
 * - The registry service (registry-service.ts) runs one write at a time per service: it plans the
 *   write against `state()`, appends the plan's records, and only then plans the next one. Within
 *   one process, two registrations therefore never pick the same id.
 * - The store guards against every other writer (another process on the same log): at the moment
 *   it writes, it checks the plan against its freshest state with `findWriteConflict`, and rejects
 *   with RegistryError WRITE_CONFLICT if another writer moved first. The service then re-plans
 *   against the new state and retries. A store that cannot check and write atomically (Kafka) must
 *   also make sure, after its records are read back, that they took effect as planned.
 */
import { RegistryError } from './registry-errors.ts';
import type { RegistryRecord } from './registry-records.ts';
import { RegistryState } from './registry-state.ts';
import { findWriteConflict } from './registry-writes.ts';

export interface RegistryStore {
  /** The state with every stored record applied. Read it synchronously; do not hold it across an await. */
  state(): RegistryState;
  /**
   * Stores `records` durably and in order, and resolves once they are applied to `state()`.
   * Rejects with WRITE_CONFLICT (retriable; nothing was stored) when another writer took what the
   * records plan to take; with STORE_ERROR (50001) or OPERATION_TIMEOUT (50002) when storage fails
   * or cannot be confirmed in time, in which case the records may or may not have been stored.
   */
  append(records: readonly RegistryRecord[]): Promise<void>;
}

export interface MemoryRegistryStore extends RegistryStore {
  /** Every record appended, in order: the log a restart would replay. */
  log(): readonly RegistryRecord[];
}

/** An in-memory store, for tests and for a registry that needs no durability. `initial` is replayed first. */
export function createMemoryRegistryStore(initial: readonly RegistryRecord[] = []): MemoryRegistryStore {
  const log: RegistryRecord[] = [...initial];
  const state = RegistryState.fromRecords(log);
  return {
    state: () => state,
    log: () => log,
    async append(records) {
      const conflict = findWriteConflict(state, records);
      if (conflict !== undefined) {
        throw new RegistryError('WRITE_CONFLICT', `Another write went first: ${conflict}; retry the request`);
      }
      for (const record of records) {
        log.push(record);
        state.apply(record);
      }
    },
  };
}
