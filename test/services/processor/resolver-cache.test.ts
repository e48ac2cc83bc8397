/** Resolving writer schemas to a pipeline's reader schema, and saying which field stops it. */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { ResolverCache } from '../../../services/processor/process-record.ts';

const record = (fields: object[]) => avro.Type.forSchema({ type: 'record', name: 'Order', namespace: 'dev.weir.events', fields } as avro.Schema);
const READER = record([
  { name: 'id', type: 'string' },
  { name: 'quantity', type: 'long' },
  { name: 'channel', type: 'string', default: 'web' },
]);

describe('ResolverCache', () => {
  it('resolves an older writer schema once per id', () => {
    const cache = new ResolverCache(READER);
    const writer = record([
      { name: 'id', type: 'string' },
      { name: 'quantity', type: 'int' },
    ]);
    const resolver = cache.get(3, writer);
    expect(resolver).not.toHaveProperty('problem');
    expect(cache.get(3, writer)).toBe(resolver);
    expect(READER.fromBuffer(writer.toBuffer({ id: 'a', quantity: 2 }), resolver as avro.Resolver)).toEqual({ id: 'a', quantity: 2, channel: 'web' });
  });

  it('names every field that stops a writer schema from resolving, and both types', () => {
    const cache = new ResolverCache(READER);
    const writer = record([
      { name: 'id', type: 'boolean' },
      { name: 'quantity', type: 'string' },
    ]);
    expect(cache.get(4, writer)).toEqual({
      problem:
        "schema 4 cannot be read as the pipeline's reader schema: field 'id': the reader schema type 'string' cannot read schema 4 type 'boolean'; " +
        "field 'quantity': the reader schema type 'long' cannot read schema 4 type 'string' (Avro only promotes int to long, float or double, long to float or double, float to double, and string to or from bytes)",
    });
  });
});
