/**
 * Checks each transform against the fields that exist at its point (the reader schema's, as the
 * transforms before it changed them) and compiles it into a step. The fields left at the end are
 * the output schema's. Steps work on a shallow copy of the record; fields that are renamed away
 * or dropped stay on that copy and are left out when the output record is built.
 */
import { createHmac } from 'node:crypto';
import { CASTABLE, conversionFor, NOT_CONVERTIBLE } from './cast.ts';
import type { TransformDef } from './definition.ts';
import { compileDerive } from './derive.ts';
import { describeShape, type PipelineField, primitiveShape, primitiveTypeJson } from './field-shape.ts';
import { FieldState } from './field-state.ts';
import { pointer } from './json-reader.ts';
import { compileLookup, type LookupFiles } from './lookup.ts';
import type { Report } from './pipeline-errors.ts';
import { failure, type TransformStep } from './process-result.ts';

export interface CompiledTransforms {
  readonly steps: readonly TransformStep[];
  /** The fields after the last transform, in order. */
  readonly fields: readonly PipelineField[];
  /** Environment variable names the hashes read their secrets from. */
  readonly secrets: readonly string[];
}

export function compileTransforms(transforms: readonly TransformDef[], reader: readonly PipelineField[], report: Report, files: LookupFiles): CompiledTransforms {
  const state = new FieldState(reader);
  const steps: TransformStep[] = [];
  const secrets = new Set<string>();
  for (const def of transforms) {
    const step = compileOne(def, state, report, files);
    if (step !== undefined) steps.push(step);
    if (def.op === 'hash') secrets.add(def.secretEnv);
  }
  return { steps, fields: state.list(), secrets: [...secrets] };
}

function compileOne(def: TransformDef, state: FieldState, report: Report, files: LookupFiles): TransformStep | undefined {
  if (def.op === 'derive') return compileDerive(def, state, report);
  if (def.op === 'lookup') return compileLookup(def, state, report, files);
  const fieldAt = pointer(def.at, 'field');
  if (def.op === 'rename') {
    const source = state.need(def.field, fieldAt, report);
    if (!state.free(def.to, pointer(def.at, 'to'), report) || source === undefined) return undefined;
    // The old name as an alias lets a later version of the output schema read data written before the rename.
    const aliases = [...((source.json['aliases'] as string[] | undefined) ?? []), def.field];
    state.rename(def.field, { name: def.to, shape: source.shape, json: { ...source.json, name: def.to, aliases } }, def.at);
    const { field, to } = def;
    return { field, run: (work) => void (work[to] = work[field]) };
  }
  const field = state.need(def.field, fieldAt, report);
  if (field === undefined) return undefined;
  const { name, shape } = field;
  const wrongType = (expected: string): undefined => {
    report(fieldAt, `a ${def.op} transform needs ${expected}, but "${name}" is ${describeShape(shape)}`);
    return undefined;
  };
  switch (def.op) {
    case 'drop':
      state.drop(name, def.at);
      return undefined;
    case 'default': {
      if (!shape.nullable) return wrongType('a nullable field (the others are never null)');
      if (!shape.type.isValid(def.value)) {
        report(pointer(def.at, 'value'), `is not a valid ${describeShape({ ...shape, nullable: false })} for "${name}"`);
        return undefined;
      }
      const branches = field.json['type'] as unknown[];
      state.replace({ name, shape: { ...shape, nullable: false, nullFirst: false }, json: { ...field.json, type: branches[shape.nullFirst ? 1 : 0], default: def.value } });
      const value = def.value;
      const fresh = typeof value === 'object' ? () => structuredClone(value) : () => value;
      return { field: name, run: (work) => void (work[name] === null && (work[name] = fresh())) };
    }
    case 'cast': {
      const convert = conversionFor(shape.kind, def.to);
      if (convert === undefined) return wrongType(shape.kind === def.to ? `another type than ${def.to}` : `${CASTABLE}`);
      const castShape = primitiveShape(def.to, shape.nullable, shape.nullFirst);
      const json: Record<string, unknown> = { ...field.json, type: primitiveTypeJson(castShape) };
      const oldDefault = json['default'];
      // A default that does not convert cannot stay; a field without one is still a valid output.
      if (oldDefault !== undefined && oldDefault !== null) {
        const converted = convert(oldDefault);
        if (converted === NOT_CONVERTIBLE) delete json['default'];
        else json['default'] = converted;
      }
      state.replace({ name, shape: castShape, json });
      const to = def.to;
      return {
        field: name,
        run(work) {
          const value = work[name];
          if (value === null) return undefined;
          const converted = convert(value);
          if (converted === NOT_CONVERTIBLE) return failure('cast_failed', name, `${name} ${shape.kind === 'string' ? 'holds text that' : `is ${JSON.stringify(value)}, which`} does not convert to ${to}`);
          work[name] = converted;
          return undefined;
        },
      };
    }
    case 'lowercase':
    case 'trim': {
      if (shape.kind !== 'string') return wrongType('a string field');
      const apply = def.op === 'lowercase' ? (s: string) => s.toLowerCase() : (s: string) => s.trim();
      return { field: name, run: (work) => void (typeof work[name] === 'string' && (work[name] = apply(work[name]))) };
    }
    case 'hash':
      return compileHash(def, field, state, wrongType);
  }
}

/**
 * Keyed hashing: HMAC-SHA256 of the value's UTF-8 text (integers in decimal), as 64 lower-case hex
 * characters, so that a field can still be joined and counted without holding the personal value,
 * and nobody without the secret can confirm a guess of it.
 */
function compileHash(def: TransformDef & { op: 'hash' }, field: PipelineField, state: FieldState, wrongType: (expected: string) => undefined): TransformStep | undefined {
  const { name, shape } = field;
  if (shape.kind !== 'string' && shape.kind !== 'int' && shape.kind !== 'long') return wrongType('a string, int or long field');
  const hashed = primitiveShape('string', shape.nullable, shape.nullFirst);
  const json: Record<string, unknown> = {
    ...field.json,
    type: primitiveTypeJson(hashed),
    doc: `${typeof field.json['doc'] === 'string' ? `${field.json['doc']} ` : ''}Hashed by the pipeline: HMAC-SHA256 keyed with the secret in ${def.secretEnv}, as 64 hex characters.`,
  };
  if (json['default'] !== null) delete json['default'];
  state.replace({ name, shape: hashed, json });
  const env = def.secretEnv;
  return {
    field: name,
    run(work, context) {
      const value = work[name];
      if (value === null) return undefined;
      const secret = context.secrets(env);
      if (secret === undefined || secret === '') return failure('secret_missing', name, `the secret for hashing ${name} is not set: set the environment variable ${env}`);
      work[name] = createHmac('sha256', secret).update(String(value), 'utf8').digest('hex');
      return undefined;
    },
  };
}
