/**
 * A compiled pipeline: what the processor runs on each decoded record of one event type. `process`
 * is pure (no I/O, no clock of its own, secrets through the context) and never throws: a rule,
 * transform or hook that throws becomes a failure of its stage. Records come as avsc decodes them
 * with the reader schema (nullable unions unwrapped, longs as numbers); the record that comes out
 * fits `outputType`, which the processor encodes.
 */
import type avro from 'avsc';
import { messageOf } from '../../shared/errors.ts';
import type { RuleCheck } from './compile-rules.ts';
import type { DedupDef, Disposition, PolicyClass } from './definition.ts';
import { isDrop, type PipelineHook } from './hook.ts';
import type { OutputSchema } from './output-schema.ts';
import { DUPLICATE, failure, type PipelineRecord, type ProcessContext, type ProcessResult, REASON_CODES, type ReasonCode, type TransformStep } from './process-result.ts';

export interface PipelineTopics {
  readonly raw: string;
  readonly clean: string;
  readonly deadLetter: string;
}

export interface Pipeline {
  /** The event type. */
  readonly type: string;
  /** The definition file, as named in problems. */
  readonly file: string;
  readonly topics: PipelineTopics;
  /** Subject of the output schema: `weir.clean.<type>-value`. */
  readonly outputSubject: string;
  readonly readerSchema: Readonly<Record<string, unknown>>;
  readonly readerType: avro.Type;
  readonly outputSchema: OutputSchema;
  readonly outputType: avro.Type;
  /** On which field, over which horizon, duplicates are dropped; undefined when off. */
  readonly dedup: Omit<DedupDef, 'at'> | undefined;
  /** Environment variables the transforms read secrets from: check them at start. */
  readonly requiredSecrets: readonly string[];
  readonly deadLetter: Readonly<Record<PolicyClass, Disposition>>;
  /** Where a failed (or duplicate) record goes: the dead-letter topic, or counted and dropped. */
  dispositionOf(reason: ReasonCode | typeof DUPLICATE): Disposition;
  process(record: PipelineRecord, context: ProcessContext): ProcessResult;
}

export interface PipelineParts extends Omit<Pipeline, 'topics' | 'outputSubject' | 'dispositionOf' | 'process'> {
  readonly rules: readonly RuleCheck[];
  readonly steps: readonly TransformStep[];
  /** The output field names, in order, without the hook's added fields. */
  readonly transformedFields: readonly string[];
  readonly hook: PipelineHook | undefined;
}

export function topicsOf(type: string): PipelineTopics {
  return { raw: `weir.raw.${type}`, clean: `weir.clean.${type}`, deadLetter: `weir.dlq.${type}` };
}

export function createPipeline(parts: PipelineParts): Pipeline {
  const { rules, steps, transformedFields, hook, outputType, deadLetter } = parts;

  function runRules(record: PipelineRecord, now: number): ProcessResult | undefined {
    for (const rule of rules) {
      try {
        const failed = rule.check(record, now);
        if (failed !== undefined) return failed;
      } catch (error) {
        return failure('rule_failed', rule.field, `a rule on ${rule.field} threw: ${messageOf(error)}`);
      }
    }
    return undefined;
  }

  function runTransforms(record: PipelineRecord, context: ProcessContext): ProcessResult {
    let work: PipelineRecord;
    try {
      work = { ...record };
    } catch (error) {
      return failure('transform_failed', '', `the record could not be copied: ${messageOf(error)}`);
    }
    for (const step of steps) {
      try {
        const failed = step.run(work, context);
        if (failed !== undefined) return failed;
      } catch (error) {
        return failure('transform_failed', step.field, `a transform of ${step.field} threw: ${messageOf(error)}`);
      }
    }
    // A fresh object with the output fields only: renamed-away and dropped fields stay behind.
    const out: PipelineRecord = {};
    for (const name of transformedFields) out[name] = work[name];
    return { ok: true, record: out };
  }

  function runHook(record: PipelineRecord, context: ProcessContext, run: PipelineHook): ProcessResult {
    let result: unknown;
    try {
      result = run(record, context);
    } catch (error) {
      return failure('hook_failed', '', `the hook threw: ${messageOf(error)}`);
    }
    if (isDrop(result)) return failure('hook_dropped', '', result.drop);
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      return failure('hook_result_invalid', '', 'the hook returned a promise; hooks must be synchronous');
    }
    let badPath: string[] | undefined;
    const valid = outputType.isValid(result, { noUndeclaredFields: true, errorHook: (path) => (badPath ??= path) });
    if (!valid) {
      const where = badPath === undefined || badPath.length === 0 ? 'the record' : badPath.join('.');
      return failure('hook_result_invalid', badPath?.join('.') ?? '', `the hook returned a record that does not fit the output schema at ${where}`);
    }
    return { ok: true, record: result as PipelineRecord };
  }

  const topics = topicsOf(parts.type);
  return Object.freeze({
    type: parts.type,
    file: parts.file,
    topics,
    outputSubject: `${topics.clean}-value`,
    readerSchema: parts.readerSchema,
    readerType: parts.readerType,
    outputSchema: parts.outputSchema,
    outputType,
    dedup: parts.dedup,
    requiredSecrets: parts.requiredSecrets,
    deadLetter,
    dispositionOf(reason: ReasonCode | typeof DUPLICATE): Disposition {
      const policy = reason === DUPLICATE ? 'duplicate' : REASON_CODES[reason].policy;
      return policy === undefined ? 'dlq' : deadLetter[policy];
    },
    process(record: PipelineRecord, context: ProcessContext): ProcessResult {
      if (record === null || typeof record !== 'object') return failure('rule_failed', '', `the record is ${record === null ? 'null' : typeof record}, not an object`);
      const invalid = runRules(record, context.now);
      if (invalid !== undefined) return invalid;
      const transformed = runTransforms(record, context);
      if (!transformed.ok || hook === undefined) return transformed;
      return runHook(transformed.record, context, hook);
    },
  });
}
