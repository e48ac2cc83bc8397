/**
 * Clean records as the aggregator decodes them: the Confluent frame's schema id names the writer
 * schema in the registry, which is resolved to the clean reader schema the definitions were
 * checked against. A record that does not decode is a problem (the aggregator dead-letters it as
 * `undecodable` and folds it nowhere); an unreachable registry throws.
 */
import type avro from 'avsc';
import type { CleanRecord } from './state/window-state.ts';
import { ResolverCache } from '../processor/process-record.ts';
import type { WriterSchema, WriterSchemas } from '../processor/writer-schemas.ts';
import { decodeFrame } from '../shared/avro/wire-format.ts';
import { messageOf } from '../shared/errors.ts';

export type Decoded = { readonly record: CleanRecord } | { readonly problem: string };
/** Answers at once when the writer schema is cached: no microtask per record on the hot path. */
export type DecodeClean = (value: Buffer | null) => Decoded | Promise<Decoded>;

export function createCleanDecoder(reader: avro.Type, writerSchemas: WriterSchemas): DecodeClean {
  const resolvers = new ResolverCache(reader);
  return (value) => {
    if (value === null) return { problem: 'the record has no value' };
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(value);
    } catch (error) {
      return { problem: messageOf(error) };
    }
    const finish = (writer: WriterSchema): Decoded => {
      if ('unknown' in writer) return { problem: writer.unknown };
      const resolver = resolvers.get(frame.schemaId, writer.type);
      if ('problem' in resolver) return resolver;
      const unsafe = writer.guard?.(frame.body);
      if (unsafe !== undefined) return { problem: unsafe };
      try {
        return { record: reader.fromBuffer(frame.body, resolver, false) as CleanRecord };
      } catch (error) {
        return { problem: messageOf(error) };
      }
    };
    const writer = writerSchemas.get(frame.schemaId);
    return writer instanceof Promise ? writer.then(finish) : finish(writer);
  };
}
