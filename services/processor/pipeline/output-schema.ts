/**
 * The output schema of a pipeline: the reader record with the transforms applied and the hook's
 * added fields appended, registered as `weir.clean.<type>-value`. Same record name, in the
 * namespace `dev.weir.clean`, so that a clean record is never mistaken for a raw one; nested
 * types named without a namespace move with it. It is parsed with the registry's own rules, so
 * that a schema the registry would refuse fails at load, not at the first record.
 */
import avro from 'avsc';
import { parseAvroSchema } from '../../registry/avro-schema.ts';
import { messageOf } from '../../shared/errors.ts';
import type { AddedFieldDef } from './definition.ts';
import type { PipelineField } from './field-shape.ts';

export const OUTPUT_NAMESPACE = 'dev.weir.clean';

export type OutputSchema = Readonly<{ type: 'record'; name: string; namespace: string; doc: string; fields: readonly Readonly<Record<string, unknown>>[] }>;

export function buildOutputSchema(
  reader: Readonly<Record<string, unknown>>,
  type: string,
  fields: readonly PipelineField[],
  added: readonly AddedFieldDef[],
): { schema: OutputSchema; avroType: avro.Type } | { problem: string } {
  const names = new Set([...fields.map((f) => f.name), ...added.map((f) => f.name)]);
  const outFields = fields.map((f) => withoutCollidingAliases(f.json, names));
  for (const f of added) outFields.push({ name: f.name, type: f.type, doc: f.doc, ...(f.default === undefined ? {} : { default: f.default.value }) });
  const readerName = String(reader['name']).split('.').pop() ?? '';
  const readerDoc = typeof reader['doc'] === 'string' ? `${reader['doc']} ` : '';
  const schema: OutputSchema = {
    type: 'record',
    name: readerName,
    namespace: OUTPUT_NAMESPACE,
    doc: `${readerDoc}Cleaned by the processor pipeline schemas/pipelines/${type}.json (validated, transformed).`,
    fields: outFields,
  };
  try {
    return { schema, avroType: parseAvroSchema(JSON.stringify(schema)).type };
  } catch (error) {
    return { problem: `the output schema derived from the reader schema and the transforms is not valid: ${messageOf(error)}` };
  }
}

/** An alias equal to a field name would make reading ambiguous; it only ever comes from a rename. */
function withoutCollidingAliases(json: Readonly<Record<string, unknown>>, names: ReadonlySet<string>): Readonly<Record<string, unknown>> {
  const aliases = json['aliases'];
  if (!Array.isArray(aliases)) return json;
  const kept = [...new Set(aliases as string[])].filter((a) => !names.has(a));
  const { aliases: _dropped, ...rest } = json;
  return kept.length === 0 ? rest : { ...rest, aliases: kept };
}
