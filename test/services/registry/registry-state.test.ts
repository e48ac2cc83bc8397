import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from '../../../services/registry/avro-schema.ts';
import { isRegistryError, type RegistryErrorCode } from '../../../services/registry/registry-errors.ts';
import { configRecord, decodeRecord, type RegistryRecord } from '../../../services/registry/registry-records.ts';
import { RegistryState } from '../../../services/registry/registry-state.ts';
import {
  planDeleteLevel,
  planDeleteSubject,
  planDeleteVersion,
  planRegister,
  planSetLevel,
  testCompatibility,
  type WritePlan,
} from '../../../services/registry/registry-writes.ts';

const schema = (fields: unknown[], name = 'Purchase') => parseAvroSchema(JSON.stringify({ type: 'record', name, fields }));
const v1 = schema([{ name: 'order_id', type: 'string' }]);
const v2 = schema([{ name: 'order_id', type: 'string' }, { name: 'tax_minor', type: 'long', default: 0 }]);
const noDefault = schema([{ name: 'order_id', type: 'string' }, { name: 'currency', type: 'string' }]);
const other = schema([{ name: 'url', type: 'string' }], 'PageView');

/** A log and the state built from it, as a store keeps them. */
function registry() {
  const log: RegistryRecord[] = [];
  const state = new RegistryState();
  return {
    log,
    state,
    commit<T>(plan: WritePlan<T>): T {
      for (const record of plan.records) {
        log.push(record);
        expect(state.apply(record)).toEqual({ applied: true });
      }
      return plan.result;
    },
  };
}

function codeOf(fn: () => unknown): RegistryErrorCode {
  try {
    fn();
  } catch (error) {
    if (isRegistryError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a RegistryError');
}

/** What Kafka log compaction leaves: the last record of each key, in log order, tombstones gone. */
function compact(log: readonly RegistryRecord[]): RegistryRecord[] {
  const last = new Map<string, number>();
  log.forEach((record, i) => last.set(record.key, i));
  return log.filter((record, i) => last.get(record.key) === i && record.value !== null);
}

describe('RegistryState: registering', () => {
  it('starts empty with the global default BACKWARD', () => {
    const { state } = registry();
    expect(state.subjects()).toEqual([]);
    expect(state.globalLevel()).toBe('BACKWARD');
    expect(state.configuredGlobalLevel()).toBeUndefined();
    expect(state.maxId).toBe(0);
    expect(codeOf(() => state.versionNumbers('s'))).toBe('SUBJECT_NOT_FOUND');
    expect(codeOf(() => state.schemaById(1))).toBe('SCHEMA_NOT_FOUND');
  });

  it('gives ids and versions in order and serves every read', () => {
    const r = registry();
    expect(r.commit(planRegister(r.state, 'a-value', v1))).toEqual({ id: 1, version: 1 });
    expect(r.commit(planRegister(r.state, 'a-value', v2))).toEqual({ id: 2, version: 2 });
    expect(r.commit(planRegister(r.state, 'b-value', other))).toEqual({ id: 3, version: 1 });
    expect(r.state.subjects()).toEqual(['a-value', 'b-value']);
    expect(r.state.subjects({ prefix: 'b' })).toEqual(['b-value']);
    expect(r.state.versionNumbers('a-value')).toEqual([1, 2]);
    expect(r.state.version('a-value', 'latest')).toEqual({ subject: 'a-value', version: 2, id: 2, schema: v2.text, deleted: false });
    expect(r.state.version('a-value', 1).schema).toBe(v1.text);
    expect(r.state.schemaById(3)).toBe(other.text);
    expect(r.state.usagesOfId(2)).toEqual([{ subject: 'a-value', version: 2 }]);
    expect(r.state.lookup('a-value', v1.identity)).toMatchObject({ version: 1, id: 1 });
    expect(codeOf(() => r.state.version('a-value', 3))).toBe('VERSION_NOT_FOUND');
    expect(codeOf(() => r.state.lookup('a-value', other.identity))).toBe('SCHEMA_NOT_FOUND');
    expect(codeOf(() => r.state.lookup('c-value', v1.identity))).toBe('SUBJECT_NOT_FOUND');
  });

  it('writes the record Confluent writes for a schema', () => {
    const r = registry();
    const plan = planRegister(r.state, 'a-value', v1);
    expect(plan.records).toEqual([
      {
        key: '{"keytype":"SCHEMA","subject":"a-value","version":1,"magic":1}',
        value: JSON.stringify({ subject: 'a-value', version: 1, id: 1, schema: v1.text, deleted: false }),
      },
    ]);
  });

  it('returns the existing id and version for the same schema, writing nothing', () => {
    const r = registry();
    r.commit(planRegister(r.state, 'a-value', v1));
    r.commit(planRegister(r.state, 'a-value', v2));
    const again = planRegister(r.state, 'a-value', parseAvroSchema(` { "fields": [{"type": "string", "name": "order_id"}], "name": "Purchase", "type": "record" }`));
    expect(again).toEqual({ records: [], result: { id: 1, version: 1 } });
  });

  it('reuses the global id of the same schema under another subject', () => {
    const r = registry();
    r.commit(planRegister(r.state, 'a-value', v1));
    expect(r.commit(planRegister(r.state, 'b-value', v1))).toEqual({ id: 1, version: 1 });
    expect(r.state.usagesOfId(1)).toEqual([
      { subject: 'a-value', version: 1 },
      { subject: 'b-value', version: 1 },
    ]);
  });

  it('refuses an incompatible schema with 409, naming the field, the version and the level', () => {
    const r = registry();
    r.commit(planRegister(r.state, 'a-value', v1));
    try {
      planRegister(r.state, 'a-value', noDefault);
      expect.unreachable();
    } catch (error) {
      expect(isRegistryError(error, 'INCOMPATIBLE_SCHEMA')).toBe(true);
      const { message, errorCode, status } = error as { message: string; errorCode: number; status: number };
      expect([errorCode, status]).toEqual([409, 409]);
      expect(message).toContain("subject 'a-value' (compatibility BACKWARD)");
      expect(message).toContain("the new schema field 'currency' has no default and is missing in version 1");
    }
  });

  it('follows the subject level over the global one', () => {
    const r = registry();
    r.commit(planRegister(r.state, 'a-value', v1));
    r.commit(planSetLevel(r.state, null, 'FULL'));
    expect(r.state.effectiveLevel('a-value')).toBe('FULL');
    r.commit(planSetLevel(r.state, 'a-value', 'NONE'));
    expect(r.commit(planRegister(r.state, 'a-value', noDefault))).toEqual({ id: 2, version: 2 });
    expect(r.state.effectiveLevel('b-value')).toBe('FULL');
  });
});

describe('RegistryState: deleting', () => {
  function twoVersions() {
    const r = registry();
    r.commit(planRegister(r.state, 's', v1));
    r.commit(planRegister(r.state, 's', v2));
    return r;
  }

  it('soft-deletes a version: hidden unless deleted=true, its id still resolves', () => {
    const r = twoVersions();
    expect(r.commit(planDeleteVersion(r.state, 's', 1, false))).toBe(1);
    expect(r.state.versionNumbers('s')).toEqual([2]);
    expect(r.state.versionNumbers('s', { deleted: true })).toEqual([1, 2]);
    expect(codeOf(() => r.state.version('s', 1))).toBe('VERSION_NOT_FOUND');
    expect(r.state.version('s', 1, { deleted: true })).toMatchObject({ version: 1, deleted: true });
    expect(r.state.schemaById(1)).toBe(v1.text);
    expect(r.state.usagesOfId(1)).toEqual([]);
    expect(r.state.usagesOfId(1, { deleted: true })).toEqual([{ subject: 's', version: 1 }]);
  });

  it('refuses deleting twice, a permanent delete first, and unknown versions, with Confluent codes', () => {
    const r = twoVersions();
    expect(codeOf(() => planDeleteVersion(r.state, 's', 1, true))).toBe('VERSION_NOT_SOFT_DELETED');
    r.commit(planDeleteVersion(r.state, 's', 1, false));
    expect(codeOf(() => planDeleteVersion(r.state, 's', 1, false))).toBe('VERSION_SOFT_DELETED');
    expect(codeOf(() => planDeleteVersion(r.state, 's', 9, false))).toBe('VERSION_NOT_FOUND');
    expect(codeOf(() => planDeleteVersion(r.state, 'nope', 1, false))).toBe('SUBJECT_NOT_FOUND');
    expect(r.commit(planDeleteVersion(r.state, 's', 1, true))).toBe(1);
    expect(codeOf(() => r.state.version('s', 1, { deleted: true }))).toBe('VERSION_NOT_FOUND');
  });

  it('deletes `latest` as the newest live version, then the newest soft-deleted one', () => {
    const r = twoVersions();
    expect(r.commit(planDeleteVersion(r.state, 's', 'latest', false))).toBe(2);
    expect(r.state.version('s', 'latest').version).toBe(1);
    expect(r.commit(planDeleteVersion(r.state, 's', 'latest', false))).toBe(1);
    expect(codeOf(() => r.state.version('s', 'latest'))).toBe('SUBJECT_NOT_FOUND');
    expect(r.state.version('s', 'latest', { deleted: true }).version).toBe(2);
    expect(r.commit(planDeleteVersion(r.state, 's', 'latest', true))).toBe(2);
  });

  it('soft-deletes a subject with one DELETE_SUBJECT record, then permanently deletes it', () => {
    const r = twoVersions();
    r.commit(planSetLevel(r.state, 's', 'FULL'));
    expect(codeOf(() => planDeleteSubject(r.state, 's', true))).toBe('SUBJECT_NOT_SOFT_DELETED');
    const soft = planDeleteSubject(r.state, 's', false);
    expect(soft.records).toEqual([{ key: '{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}', value: '{"subject":"s","version":2}' }]);
    expect(r.commit(soft)).toEqual([1, 2]);
    expect(r.state.subjects()).toEqual([]);
    expect(r.state.subjects({ deleted: true })).toEqual(['s']);
    expect(codeOf(() => r.state.versionNumbers('s'))).toBe('SUBJECT_NOT_FOUND');
    expect(r.state.subjectLevel('s')).toBe('FULL');
    expect(codeOf(() => planDeleteSubject(r.state, 's', false))).toBe('SUBJECT_SOFT_DELETED');
    expect(r.commit(planDeleteSubject(r.state, 's', true))).toEqual([1, 2]);
    expect(r.state.subjects({ deleted: true })).toEqual([]);
    expect(r.state.subjectLevel('s')).toBeUndefined();
    expect(codeOf(() => planDeleteSubject(r.state, 's', false))).toBe('SUBJECT_NOT_FOUND');
  });

  it('registers a soft-deleted schema again as a new version with the same id', () => {
    const r = twoVersions();
    r.commit(planDeleteSubject(r.state, 's', false));
    expect(r.commit(planRegister(r.state, 's', v1))).toEqual({ id: 1, version: 3 });
    expect(r.state.versionNumbers('s')).toEqual([3]);
  });

  it('never reuses an id, even after permanent deletes and log compaction', () => {
    const r = twoVersions();
    r.commit(planDeleteSubject(r.state, 's', false));
    r.commit(planDeleteSubject(r.state, 's', true));
    expect(codeOf(() => r.state.schemaById(2))).toBe('SCHEMA_NOT_FOUND');
    expect(r.state.maxId).toBe(2);
    // Compaction has removed every schema record; the WEIR_MAX_ID record still says 2.
    expect(RegistryState.fromRecords(compact(r.log)).maxId).toBe(2);
    // v1 is gone everywhere, so it is a new schema again: a new id, not 1.
    expect(r.commit(planRegister(r.state, 's', v1))).toEqual({ id: 3, version: 1 });
    r.commit(planDeleteVersion(r.state, 's', 1, false));
    r.commit(planDeleteVersion(r.state, 's', 1, true));

    const rebuilt = RegistryState.fromRecords(compact(r.log));
    expect(rebuilt.subjects({ deleted: true })).toEqual([]);
    expect(rebuilt.maxId).toBe(3);
    expect(planRegister(rebuilt, 'other', other).result).toEqual({ id: 4, version: 1 });
  });
});

describe('RegistryState: config', () => {
  it('sets, reads and deletes subject and global levels', () => {
    const r = registry();
    expect(r.commit(planSetLevel(r.state, 's', 'FORWARD'))).toBe('FORWARD');
    expect(planSetLevel(r.state, 's', 'FORWARD').records).toEqual([]);
    expect(r.commit(planDeleteLevel(r.state, 's'))).toBe('FORWARD');
    expect(codeOf(() => planDeleteLevel(r.state, 's'))).toBe('SUBJECT_NOT_FOUND');
    r.commit(planSetLevel(r.state, null, 'NONE'));
    expect(r.state.globalLevel()).toBe('NONE');
    // Like Confluent, a delete answers with the level it removed.
    expect(r.commit(planDeleteLevel(r.state, null))).toBe('NONE');
    expect(r.state.configuredGlobalLevel()).toBeUndefined();
    expect(r.state.globalLevel()).toBe('BACKWARD');
    expect(planDeleteLevel(r.state, null)).toEqual({ records: [], result: 'BACKWARD' });
    expect(r.log.map((record) => record.key)).toContain('{"keytype":"CONFIG","subject":null,"magic":0}');
  });
});

describe('RegistryState: compatibility checks without writing', () => {
  it('checks latest per the level, a numbered version alone, and accepts anything for an empty subject', () => {
    const r = registry();
    expect(testCompatibility(r.state, 'new', 'latest', noDefault)).toEqual({ compatible: true, messages: [] });
    expect(codeOf(() => testCompatibility(r.state, 'new', 1, noDefault))).toBe('VERSION_NOT_FOUND');
    r.commit(planRegister(r.state, 's', v1));
    r.commit(planRegister(r.state, 's', v2));
    const verdict = testCompatibility(r.state, 's', 'latest', noDefault);
    expect(verdict.compatible).toBe(false);
    expect(verdict.messages).toEqual([expect.stringContaining("BACKWARD: the new schema must read data written with version 2, but at /fields/currency")]);
    expect(testCompatibility(r.state, 's', 1, v2)).toEqual({ compatible: true, messages: [] });
    expect(codeOf(() => testCompatibility(r.state, 's', 7, v2))).toBe('VERSION_NOT_FOUND');
  });
});

describe('RegistryState: applying a log', () => {
  it('rebuilds the same answers from its own log (a restart)', () => {
    const r = registry();
    r.commit(planRegister(r.state, 'a', v1));
    r.commit(planRegister(r.state, 'a', v2));
    r.commit(planRegister(r.state, 'b', v1));
    r.commit(planDeleteVersion(r.state, 'a', 1, false));
    r.commit(planSetLevel(r.state, 'b', 'FULL_TRANSITIVE'));
    const rebuilt = RegistryState.fromRecords(r.log);
    for (const state of [r.state, rebuilt]) {
      expect(state.subjects({ deleted: true })).toEqual(['a', 'b']);
      expect(state.versions('a', { deleted: true })).toEqual(r.state.versions('a', { deleted: true }));
      expect(state.subjectLevel('b')).toBe('FULL_TRANSITIVE');
      expect(state.maxId).toBe(2);
    }
  });

  it('reads records written by Confluent Schema Registry', () => {
    const state = RegistryState.fromRecords([
      { key: '{"keytype":"NOOP","magic":0}', value: null },
      { key: '{"keytype":"CONFIG","subject":null,"magic":0}', value: '{"compatibilityLevel":"full_transitive"}' },
      {
        key: '{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}',
        value: '{"subject":"orders-value","version":1,"id":41,"schemaType":"AVRO","schema":"{\\"type\\":\\"string\\"}","deleted":false}',
      },
      {
        key: '{"keytype":"SCHEMA","subject":"orders-value","version":2,"magic":1}',
        value: '{"subject":"orders-value","version":2,"id":42,"schema":"\\"bytes\\"","deleted":false}',
      },
      { key: '{"keytype":"DELETE_SUBJECT","subject":"orders-value","magic":0}', value: '{"subject":"orders-value","version":1}' },
    ]);
    expect(state.globalLevel()).toBe('FULL_TRANSITIVE');
    expect(state.versionNumbers('orders-value')).toEqual([2]);
    expect(state.schemaById(41)).toBe('{"type":"string"}');
    expect(state.maxId).toBe(42);
  });

  it('skips records it cannot use, saying why, without losing their ids', () => {
    const state = new RegistryState();
    const outcomes = [
      state.apply({ key: 'not json', value: '{}' }),
      state.apply({ key: '{"keytype":"MODE","subject":null,"magic":0}', value: '{"mode":"READWRITE"}' }),
      state.apply({ key: '{"keytype":"SCHEMA","subject":"p","version":1,"magic":1}', value: '{"subject":"p","version":1,"id":9,"schemaType":"PROTOBUF","schema":"syntax = \\"proto3\\";"}' }),
      state.apply({ key: '{"keytype":"SCHEMA","subject":"a","version":1,"magic":1}', value: '{"subject":"b","version":1,"id":3,"schema":"\\"int\\""}' }),
      state.apply(configRecord('s', null)),
      state.apply({ key: '{"keytype":"CONFIG","subject":"s","magic":0}', value: '{"compatibilityLevel":"SOMETIMES"}' }),
    ];
    expect(outcomes).toEqual([
      { applied: false, reason: expect.stringContaining('key is not a JSON object') },
      { applied: false, reason: 'key type MODE is not used by weir' },
      { applied: false, reason: expect.stringContaining('schemaType PROTOBUF; weir serves Avro only') },
      { applied: false, reason: expect.stringContaining('SCHEMA value names b version 1') },
      { applied: true },
      { applied: false, reason: expect.stringContaining('compatibilityLevel "SOMETIMES"') },
    ]);
    expect(state.subjects({ deleted: true })).toEqual([]);
    expect(state.maxId).toBe(9);
  });

  it('keeps the first schema bound to an id when a later record binds it to another', () => {
    const key = (subject: string) => `{"keytype":"SCHEMA","subject":"${subject}","version":1,"magic":1}`;
    const value = (subject: string, schema: string) => JSON.stringify({ subject, version: 1, id: 5, schema, deleted: false });
    const state = new RegistryState();
    expect(state.apply({ key: key('a'), value: value('a', '"int"') })).toEqual({ applied: true });
    expect(state.apply({ key: key('b'), value: value('b', '"long"') })).toEqual({
      applied: false,
      reason: 'b version 1 binds id 5, which already names another schema',
    });
    expect(state.schemaById(5)).toBe('"int"');
    expect(state.subjects()).toEqual(['a']);
  });

  it('decodes every record it writes', () => {
    const r = registry();
    r.commit(planRegister(r.state, 's', v1));
    r.commit(planSetLevel(r.state, 's', 'NONE'));
    r.commit(planDeleteSubject(r.state, 's', false));
    r.commit(planDeleteSubject(r.state, 's', true));
    expect(r.log.map((record) => decodeRecord(record).keytype)).toEqual([
      'SCHEMA',
      'CONFIG',
      'DELETE_SUBJECT',
      'WEIR_MAX_ID',
      'SCHEMA',
      'CONFIG',
    ]);
  });
});
