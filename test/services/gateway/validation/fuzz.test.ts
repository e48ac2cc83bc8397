/**
 * 20k random and mutated events against the starter schemas and the every-type schema, directly
 * and through the envelope. Whatever comes in, the validator must not throw, and must return
 * either a value avsc encodes and reads back unchanged, or a bounded list of errors whose paths
 * are JSON Pointers into what was sent and whose reasons are known.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileEventValidator, type ValidationResult } from '../../../../services/gateway/validation/compile.ts';
import type { EnvelopeContext } from '../../../../services/gateway/validation/envelope.ts';
import { FIELD_ERROR_REASONS, type FieldError } from '../../../../services/gateway/validation/field-error.ts';
import { validateEvent } from '../../../../services/gateway/validation/validate-event.ts';
import { createUuidV7Generator } from '../../../../services/gateway/validation/uuid-v7.ts';
import { EVERYTHING, everythingEvent, type JsonRecord, JSON_POINTER, resolvePointer, sampleEvent, starterSchemas } from './fixtures.ts';
import { createRng, mutate, type Rng } from './fuzz-values.ts';

const SEED = 20_261_124;
const MAX_ERRORS = 20;
const KNOWN_REASONS: ReadonlySet<string> = new Set(FIELD_ERROR_REASONS);

interface Tally {
  ok: number;
  rejected: number;
  reasons: Set<string>;
  problems: string[];
}

/** What is wrong with one answer (empty when it keeps every promise). */
function problemsOf(input: unknown, errors: readonly FieldError[], truncated: boolean): string[] {
  const problems: string[] = [];
  if (errors.length === 0 || errors.length > MAX_ERRORS) problems.push(`${errors.length} errors`);
  if (truncated && errors.length < MAX_ERRORS) problems.push('truncated below the cap');
  for (const { path, reason, message } of errors) {
    if (!JSON_POINTER.test(path)) problems.push(`bad pointer ${JSON.stringify(path.slice(0, 80))}`);
    if (!KNOWN_REASONS.has(reason)) problems.push(`unknown reason ${reason}`);
    if (typeof message !== 'string' || message.length === 0 || message.length > 2000) problems.push(`message of ${message.length} chars`);
    // A missing field's path names where it should be: its parent must exist.
    const target = reason === 'missing_field' ? path.slice(0, path.lastIndexOf('/')) : path;
    if (!resolvePointer(input, target).found) problems.push(`${path} (${reason}) points at nothing sent`);
  }
  return problems;
}

function checkValue(type: avro.Type, value: Record<string, unknown>): string[] {
  if (!type.isValid(value)) return ['value avsc calls invalid'];
  const buffer = type.toBuffer(value);
  return type.toBuffer(type.fromBuffer(buffer)).equals(buffer) ? [] : ['value changes through avsc'];
}

function record(tally: Tally, label: string, run: () => string[]): void {
  try {
    const problems = run();
    if (problems.length > 0) tally.problems.push(`${label}: ${problems.join('; ')}`);
  } catch (error) {
    tally.problems.push(`${label}: threw ${(error as Error).stack ?? String(error)}`);
  }
}

function input(rng: Rng, base: Record<string, unknown>): unknown {
  let value: unknown = base;
  const rounds = 1 + rng.int(3);
  for (let i = 0; i < rounds && value !== null && typeof value === 'object' && !Array.isArray(value); i++) {
    value = mutate(rng, value as Record<string, unknown>);
  }
  return value;
}

const targets: [string, JsonRecord, Record<string, unknown>][] = [
  ...[...starterSchemas()].map(([name, schema]): [string, JsonRecord, Record<string, unknown>] => [name, schema, sampleEvent(schema)]),
  ['everything', EVERYTHING, everythingEvent()],
];

describe('validation fuzz', () => {
  it('12k mutated records straight into the validators', () => {
    const rng = createRng(SEED);
    const tally: Tally = { ok: 0, rejected: 0, reasons: new Set(), problems: [] };
    for (const [name, schema, base] of targets) {
      const type = avro.Type.forSchema(schema as avro.Schema);
      const validate = compileEventValidator(schema, { avroType: type, maxErrors: MAX_ERRORS, maxDepth: 32 });
      for (let i = 0; i < 3000; i++) {
        const sent = i % 10 === 0 ? base : input(rng, base);
        record(tally, `${name} #${i}`, () => {
          const result: ValidationResult = validate(sent);
          if (result.ok) {
            tally.ok++;
            return checkValue(type, result.value);
          }
          tally.rejected++;
          for (const e of result.errors) tally.reasons.add(e.reason);
          return problemsOf(sent, result.errors, result.truncated);
        });
      }
    }
    expect(tally.problems.slice(0, 10)).toEqual([]);
    expect(tally.ok).toBeGreaterThan(1200);
    expect(tally.rejected).toBeGreaterThan(6000);
    for (const reason of ['missing_field', 'wrong_type', 'not_in_enum', 'unknown_field', 'out_of_range', 'invalid_format', 'too_long', 'too_deep']) {
      expect(tally.reasons).toContain(reason);
    }
  });

  it('8k mutated envelopes through validateEvent', () => {
    const rng = createRng(SEED + 1);
    const receivedAt = Date.UTC(2026, 10, 24, 12);
    const context: EnvelopeContext = { receivedAt, maxPastSkewMs: 86_400_000, maxFutureSkewMs: 3_600_000, newId: createUuidV7Generator() };
    const schemas = [...starterSchemas()];
    const validators = new Map(schemas.map(([name, schema]) => [name, compileEventValidator(schema, { maxErrors: MAX_ERRORS })]));
    const types = new Map(schemas.map(([name, schema]) => [name, avro.Type.forSchema(schema as avro.Schema)]));
    const tally: Tally = { ok: 0, rejected: 0, reasons: new Set(), problems: [] };
    for (let i = 0; i < 8000; i++) {
      const [name, schema] = rng.pick(schemas);
      const { event_id: _id, event_time: _time, ...fields } = sampleEvent(schema);
      const base = { type: name, id: crypto.randomUUID(), timestamp: new Date(receivedAt - rng.int(3_600_000)).toISOString(), ...fields };
      if (rng.chance(0.2)) Object.assign(base, { event_id: crypto.randomUUID(), timestamp: receivedAt + rng.int(7_200_000) });
      const sent = i % 10 === 0 ? base : input(rng, base);
      record(tally, `envelope #${i}`, () => {
        const outcome = validateEvent(sent, context, (type) => validators.get(type));
        if (outcome.ok) {
          tally.ok++;
          const type = types.get(outcome.type);
          return type === undefined ? ['accepted an unknown type'] : checkValue(type, outcome.value);
        }
        tally.rejected++;
        for (const e of outcome.errors) tally.reasons.add(e.reason);
        return problemsOf(sent, outcome.errors, outcome.truncated);
      });
    }
    expect(tally.problems.slice(0, 10)).toEqual([]);
    expect(tally.ok).toBeGreaterThan(800);
    expect(tally.rejected).toBeGreaterThan(4000);
    for (const reason of ['event_time_out_of_bounds', 'unknown_event_type', 'duplicate_field', 'missing_field', 'invalid_format']) {
      expect(tally.reasons).toContain(reason);
    }
  });

  it('left Object.prototype alone', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(Object.getOwnPropertyNames(Object.getPrototypeOf({})).sort());
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['nested']).toBeUndefined();
  });
});
