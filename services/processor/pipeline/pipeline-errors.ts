/**
 * The pipeline loader's error vocabulary. A definition problem is never retriable: a person has to
 * fix the file. Every problem names its file and a JSON Pointer (RFC 6901) into it, so that one run
 * reports all of them, each where it is.
 */
export const PIPELINE_ERRORS = {
  /** One or more definition files (or files they name: reader schemas, tables, hooks) are wrong. */
  PIPELINES_INVALID: { retriable: false },
} as const satisfies Record<string, { retriable: boolean }>;

export type PipelineErrorCode = keyof typeof PIPELINE_ERRORS;

export interface PipelineProblem {
  /** The file the problem is in, as the caller named its folder (a definition, table or reader schema). */
  readonly file: string;
  /** JSON Pointer into that file: "" for the whole file, "/transforms/2/to". */
  readonly path: string;
  readonly message: string;
  /** The event type whose definition the problem belongs to; undefined for the folder itself. */
  readonly type?: string;
}

export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly retriable: boolean;
  readonly problems: readonly PipelineProblem[];

  constructor(code: PipelineErrorCode, problems: readonly PipelineProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`pipeline definitions are invalid (${count}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'PipelineError';
    this.code = code;
    this.retriable = PIPELINE_ERRORS[code].retriable;
    this.problems = Object.freeze([...problems]);
  }
}

export function isPipelineError(error: unknown, code?: PipelineErrorCode): error is PipelineError {
  return error instanceof PipelineError && (code === undefined || error.code === code);
}

/** `schemas/pipelines/purchase.json at /rules/1/min: must be a number, got "0"`. */
export function formatProblem(problem: PipelineProblem): string {
  return `${problem.file}${problem.path === '' ? '' : ` at ${problem.path}`}: ${problem.message}`;
}

/** Collects the problems of one file while a definition is read, each at a JSON Pointer. */
export type Report = (path: string, message: string) => void;

export function reporterFor(file: string, type: string, problems: PipelineProblem[]): Report {
  return (path, message) => problems.push({ file, path, message, type });
}
