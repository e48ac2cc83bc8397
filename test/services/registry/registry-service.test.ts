import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from '../../../services/registry/avro-schema.ts';
import { isRegistryError, RegistryError } from '../../../services/registry/registry-errors.ts';
import type { RegistryRecord } from '../../../services/registry/registry-records.ts';
import { createRegistryService } from '../../../services/registry/registry-service.ts';
import { createMemoryRegistryStore, type RegistryStore } from '../../../services/registry/registry-store.ts';

const schemaNo = (n: number) => parseAvroSchema(JSON.stringify({ type: 'record', name: `E${n}`, fields: [{ name: 'a', type: 'int' }] }));

/** A store whose appends wait until `release()`, so that several writers can plan before any of them writes. */
function gatedStore(inner: RegistryStore) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const conflicts: string[] = [];
  const store: RegistryStore = {
    state: () => inner.state(),
    async append(records) {
      await gate;
      try {
        await inner.append(records);
      } catch (error) {
        if (isRegistryError(error, 'WRITE_CONFLICT')) conflicts.push(error.message);
        throw error;
      }
    },
  };
  return { store, conflicts, release: () => open() };
}

describe('createRegistryService', () => {
  it('gives concurrent registrations distinct ids, one write at a time', async () => {
    const store = createMemoryRegistryStore();
    const service = createRegistryService(store);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => service.register(`s${i}`, schemaNo(i))));
    expect(results.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(store.log()).toHaveLength(20);
  });

  it('registers the same schema once when asked twice at the same time', async () => {
    const store = createMemoryRegistryStore();
    const service = createRegistryService(store);
    const [a, b] = await Promise.all([service.register('s', schemaNo(1)), service.register('s', schemaNo(1))]);
    expect(a).toEqual({ id: 1, version: 1 });
    expect(b).toEqual({ id: 1, version: 1 });
    expect(store.log()).toHaveLength(1);
  });

  it('re-plans after another writer on the same store took the planned id', async () => {
    const memory = createMemoryRegistryStore();
    const { store, conflicts, release } = gatedStore(memory);
    const first = createRegistryService(store);
    const second = createRegistryService(store);
    const pending = [first.register('a', schemaNo(1)), second.register('b', schemaNo(2))];
    release();
    const results = await Promise.all(pending);
    expect(conflicts).toEqual([expect.stringContaining('id 1 now names another schema')]);
    expect(results).toEqual([
      { id: 1, version: 1 },
      { id: 2, version: 1 },
    ]);
    expect(memory.state().schemaById(2)).toBe(schemaNo(2).text);
  });

  it('gives up with a retriable STORE_ERROR when every attempt conflicts', async () => {
    let attempts = 0;
    const store: RegistryStore = {
      state: () => createMemoryRegistryStore().state(),
      async append() {
        attempts += 1;
        throw new RegistryError('WRITE_CONFLICT', 'Another write went first');
      },
    };
    const error = await createRegistryService(store, { writeAttempts: 3 }).register('s', schemaNo(1)).catch((e: unknown) => e);
    expect(attempts).toBe(3);
    expect(isRegistryError(error, 'STORE_ERROR')).toBe(true);
    expect((error as RegistryError).retriable).toBe(true);
    expect((error as RegistryError).message).toContain('Gave up after 3 conflicting writes');
  });

  it('passes a storage failure through, and the next write still runs', async () => {
    const memory = createMemoryRegistryStore();
    let failNext = true;
    const store: RegistryStore = {
      state: () => memory.state(),
      async append(records: readonly RegistryRecord[]) {
        if (failNext) {
          failNext = false;
          throw new RegistryError('OPERATION_TIMEOUT', 'Kafka did not confirm the write within 10000 ms');
        }
        await memory.append(records);
      },
    };
    const service = createRegistryService(store);
    const [failed, ok] = await Promise.allSettled([service.register('s', schemaNo(1)), service.register('s', schemaNo(1))]);
    expect(failed.status === 'rejected' && isRegistryError(failed.reason, 'OPERATION_TIMEOUT')).toBe(true);
    expect(ok).toEqual({ status: 'fulfilled', value: { id: 1, version: 1 } });
  });

  it('refuses a request without touching the store', async () => {
    const store = createMemoryRegistryStore();
    const service = createRegistryService(store);
    await expect(service.deleteSubject('missing', false)).rejects.toMatchObject({ code: 'SUBJECT_NOT_FOUND', errorCode: 40401 });
    expect(store.log()).toEqual([]);
  });
});
