/**
 * Every starter schema in schemas/events, read from disk: a full event and a minimal one validate,
 * encode with avsc and decode to what was sent (defaults filled in from the schema file).
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileEventValidator } from '../../../../services/gateway/validation/compile.ts';
import { errorsOf, type JsonField, sample, starterSchemas, summary, valueOf } from './fixtures.ts';

const schemas = [...starterSchemas()];

const required = (f: JsonField): boolean => !('default' in f);

describe.each(schemas)('starter schema %s', (_name, schema) => {
  const avroType = avro.Type.forSchema(schema as avro.Schema);
  const validate = compileEventValidator(schema, { avroType });

  function roundTrip(sent: Record<string, unknown>): unknown {
    const value = valueOf(validate(sent));
    expect(avroType.isValid(value)).toBe(true);
    const decoded = avroType.fromBuffer(avroType.toBuffer(value)) as Record<string, unknown>;
    return { ...decoded };
  }

  it('a full event encodes and decodes to what was sent', () => {
    const sent = Object.fromEntries(schema.fields.map((f) => [f.name, sample(f.type, f.name)]));
    expect(roundTrip(sent)).toEqual(sent);
  });

  it('a minimal event gets the defaults of the schema file', () => {
    const sent = Object.fromEntries(schema.fields.filter(required).map((f) => [f.name, sample(f.type, f.name)]));
    const defaults = Object.fromEntries(schema.fields.filter((f) => !required(f)).map((f) => [f.name, f.default]));
    expect(roundTrip(sent)).toEqual({ ...defaults, ...sent });
  });

  it('each required field, when absent, is reported missing and nothing else', () => {
    const full = Object.fromEntries(schema.fields.map((f) => [f.name, sample(f.type, f.name)]));
    for (const field of schema.fields.filter(required)) {
      const { [field.name]: _dropped, ...sent } = full;
      expect(summary(errorsOf(validate(sent)))).toEqual([`/${field.name} missing_field`]);
    }
  });

  it('every field sent with the wrong JSON type is reported, all at once', () => {
    const wrong = Object.fromEntries(schema.fields.map((f) => [f.name, [true]]));
    expect(summary(errorsOf(validate(wrong)))).toEqual(schema.fields.map((f) => `/${f.name} wrong_type`));
  });
});
