/**
 * The aggregate loader's error: like the pipelines', a definition problem is never retriable, and
 * every problem names its file and a JSON Pointer into it. The problem shape, the reporter and
 * the one-line format are the pipelines' own, so both checks print alike.
 */
import { formatProblem, type PipelineProblem } from '../../processor/pipeline/pipeline-errors.ts';

export const AGGREGATE_ERRORS = {
  /** One or more aggregate definitions are wrong, or their clean schemas cannot be had. */
  AGGREGATES_INVALID: { retriable: false },
} as const satisfies Record<string, { retriable: boolean }>;

export type AggregateErrorCode = keyof typeof AGGREGATE_ERRORS;

export type AggregateProblem = PipelineProblem;

export class AggregateError extends Error {
  readonly code: AggregateErrorCode;
  readonly retriable: boolean;
  readonly problems: readonly AggregateProblem[];

  constructor(code: AggregateErrorCode, problems: readonly AggregateProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`aggregate definitions are invalid (${count}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'AggregateError';
    this.code = code;
    this.retriable = AGGREGATE_ERRORS[code].retriable;
    this.problems = Object.freeze([...problems]);
  }
}

export function isAggregateError(error: unknown, code?: AggregateErrorCode): error is AggregateError {
  return error instanceof AggregateError && (code === undefined || error.code === code);
}
