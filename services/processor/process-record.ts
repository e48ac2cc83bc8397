/**
 * What happens to one raw record, as a plain function of the record and its dependencies (no
 * Kafka): Confluent frame -> writer schema by id -> bytes checked against it (decode-guard.ts:
 * avsc trusts declared counts) -> resolved to the pipeline's reader schema ->
 * duplicate check -> pipeline -> encoded and framed with the clean schema id. The outcome says
 * what to produce (a clean or a dead-letter message) or why nothing is produced (dropped). It
 * throws only for transient failures (the registry unreachable), which must abort the batch.
 */
import type avro from 'avsc';
import type { IHeaders, Message } from 'kafkajs';
import { checkCompatibility } from '../registry/compatibility.ts';
import { messageOf } from '../shared/errors.ts';
import { decodeFrame, encodeFrame, FrameError } from '../shared/avro/wire-format.ts';
import type { DuplicateCache } from './dedup/duplicate-cache.ts';
import type { Pipeline } from './pipeline/pipeline.ts';
import { DUPLICATE, type PipelineRecord } from './pipeline/process-result.ts';
import { deadLetterMessage, type DeadLetterCause, type DeadLetterStage, type SourceRecord } from './dead-letter.ts';
import type { WriterSchemas } from './writer-schemas.ts';

export type RecordOutcome =
  | { readonly kind: 'clean'; readonly message: Message }
  | { readonly kind: 'dlq'; readonly reason: string; readonly stage: DeadLetterStage; readonly message: Message }
  | { readonly kind: 'drop'; readonly reason: string; readonly stage: DeadLetterStage };

export interface RecordDeps {
  readonly pipeline: Pipeline;
  /** Schema id of the pipeline's output schema under weir.clean.<type>-value. */
  readonly outputSchemaId: number;
  readonly writerSchemas: WriterSchemas;
  readonly resolvers: ResolverCache;
  /** Undefined when the pipeline has dedup off. */
  readonly dedup: DuplicateCache | undefined;
  readonly secrets: (name: string) => string | undefined;
  readonly now: number;
}

/** One avsc resolver per writer schema id, for one pipeline's reader type. */
export class ResolverCache {
  readonly #reader: avro.Type;
  readonly #resolvers = new Map<number, avro.Resolver | { problem: string }>();

  constructor(reader: avro.Type) {
    this.#reader = reader;
  }

  get(id: number, writer: avro.Type): avro.Resolver | { problem: string } {
    let resolver = this.#resolvers.get(id);
    if (resolver === undefined) {
      try {
        resolver = this.#reader.createResolver(writer);
      } catch (error) {
        // avsc names the types but not the field ('cannot read "string" as "long"'); the registry's check names both.
        const problems = checkCompatibility(this.#reader, writer, { reader: 'the reader schema', writer: `schema ${id}` }).map((p) => p.message);
        resolver = { problem: `schema ${id} cannot be read as the pipeline's reader schema: ${problems.length > 0 ? problems.join('; ') : messageOf(error)}` };
      }
      this.#resolvers.set(id, resolver);
    }
    return resolver;
  }
}

export async function processRecord(source: SourceRecord, deps: RecordDeps): Promise<RecordOutcome> {
  const { pipeline } = deps;
  const dlq = (cause: DeadLetterCause): RecordOutcome => ({ kind: 'dlq', reason: cause.reason, stage: cause.stage, message: deadLetterMessage(source, cause, deps.now) });
  const undecodable = (message: string): RecordOutcome => dlq({ reason: 'undecodable', message, fieldPath: '', stage: 'decode' });

  if (source.value === null) return undecodable('the record has no value (a tombstone)');
  let frame;
  try {
    frame = decodeFrame(source.value);
  } catch (error) {
    if (error instanceof FrameError) return undecodable(error.message);
    throw error;
  }
  const writer = await deps.writerSchemas.get(frame.schemaId);
  if ('unknown' in writer) return dlq({ reason: 'unknown_schema_id', message: writer.unknown, fieldPath: '', stage: 'decode' });
  const resolver = deps.resolvers.get(frame.schemaId, writer.type);
  if ('problem' in resolver) return undecodable(resolver.problem);
  const unsafe = writer.guard?.(frame.body);
  if (unsafe !== undefined) return undecodable(`the bytes do not decode with schema ${frame.schemaId}: ${unsafe}`);
  let record: PipelineRecord;
  try {
    record = pipeline.readerType.fromBuffer(frame.body, resolver, false) as PipelineRecord;
  } catch (error) {
    return undecodable(`the bytes do not decode with schema ${frame.schemaId}: ${messageOf(error)}`);
  }

  if (deps.dedup !== undefined && pipeline.dedup !== undefined) {
    const id = record[pipeline.dedup.idField];
    if ((typeof id === 'string' || typeof id === 'number') && deps.dedup.seen(`${source.topic}:${source.partition}`, String(id), deps.now)) {
      if (pipeline.dispositionOf(DUPLICATE) === 'drop') return { kind: 'drop', reason: DUPLICATE, stage: 'rule' };
      return dlq({ reason: DUPLICATE, message: `id already seen within ${pipeline.dedup.horizonMs} ms`, fieldPath: pipeline.dedup.idField, stage: 'rule' });
    }
  }

  const result = pipeline.process(record, { now: deps.now, secrets: deps.secrets });
  if (!result.ok) {
    if (pipeline.dispositionOf(result.reasonCode) === 'drop') return { kind: 'drop', reason: result.reasonCode, stage: result.stage };
    return dlq({ reason: result.reasonCode, message: result.message, fieldPath: result.fieldPath, stage: result.stage });
  }
  let body: Buffer;
  try {
    body = pipeline.outputType.toBuffer(result.record);
  } catch (error) {
    return dlq({ reason: 'transform_failed', message: `the output does not encode: ${messageOf(error)}`, fieldPath: '', stage: 'encode' });
  }
  return {
    kind: 'clean',
    message: { key: source.key, value: encodeFrame(deps.outputSchemaId, body), headers: cleanHeaders(source.headers, deps.outputSchemaId), timestamp: source.timestamp },
  };
}

/** The original headers, but weir-schema-id names the schema the clean value is framed with. */
function cleanHeaders(headers: IHeaders | undefined, schemaId: number): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name] = value;
  if ('weir-schema-id' in out) out['weir-schema-id'] = String(schemaId);
  return out;
}
