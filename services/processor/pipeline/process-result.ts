/**
 * What a pipeline says about one record. A failure carries a reason code for dead-letter headers,
 * metrics labels and the dead-letter policy; callers branch on it, never on `message`, which is
 * for people. Messages quote numbers, symbols and booleans, but never a string value: strings may
 * be personal data, and messages end up in logs (the dead letter keeps the original bytes).
 */
import type { PolicyClass } from './definition.ts';

export type Stage = 'rule' | 'transform' | 'hook';

export const REASON_CODES = {
  // Rules: fixable data, dead-lettered unless the definition says to drop its class.
  required: { stage: 'rule', policy: 'invalid' },
  out_of_range: { stage: 'rule', policy: 'invalid' },
  pattern_mismatch: { stage: 'rule', policy: 'invalid' },
  too_long: { stage: 'rule', policy: 'invalid' },
  not_allowed: { stage: 'rule', policy: 'invalid' },
  event_time_in_future: { stage: 'rule', policy: 'invalid' },
  event_time_too_old: { stage: 'rule', policy: 'late' },
  /** A rule threw (a bug, or a record not shaped like the reader schema). */
  rule_failed: { stage: 'rule', policy: undefined },
  // Transforms: always dead-lettered, so that nothing is lost to a transform that cannot run.
  cast_failed: { stage: 'transform', policy: undefined },
  invalid_url: { stage: 'transform', policy: undefined },
  lookup_missing: { stage: 'transform', policy: undefined },
  /** The secret a hash needs is not set: a deployment mistake, replayable once fixed. */
  secret_missing: { stage: 'transform', policy: undefined },
  transform_failed: { stage: 'transform', policy: undefined },
  // Hooks.
  hook_dropped: { stage: 'hook', policy: 'hookDrop' },
  hook_failed: { stage: 'hook', policy: undefined },
  hook_result_invalid: { stage: 'hook', policy: undefined },
} as const satisfies Record<string, { stage: Stage; policy: PolicyClass | undefined }>;

export type ReasonCode = keyof typeof REASON_CODES;

/** Not a process() result: the processor's duplicate check, which the dead-letter policy also covers. */
export const DUPLICATE = 'duplicate';

export type PipelineRecord = Record<string, unknown>;

export interface ProcessContext {
  /** Processing time, ms since the epoch, from the caller's clock. */
  readonly now: number;
  /** The value of a secret by its environment variable name; undefined when unset. */
  readonly secrets: (name: string) => string | undefined;
}

export interface ProcessFailure {
  readonly ok: false;
  readonly stage: Stage;
  readonly reasonCode: ReasonCode;
  /** The field concerned, as named at that stage ("" for the record as a whole). */
  readonly fieldPath: string;
  readonly message: string;
}

export type ProcessResult = { readonly ok: true; readonly record: PipelineRecord } | ProcessFailure;

export function failure(reasonCode: ReasonCode, fieldPath: string, message: string): ProcessFailure {
  return { ok: false, stage: REASON_CODES[reasonCode].stage, reasonCode, fieldPath, message };
}

/** One compiled transform: changes the working record in place, or says why it cannot. */
export interface TransformStep {
  /** The field it works on, for the failure of a step that throws. */
  readonly field: string;
  readonly run: (work: PipelineRecord, context: ProcessContext) => ProcessFailure | undefined;
}
