/**
 * A pipeline definition as read from `schemas/pipelines/<type>.json`, before it is checked against
 * the reader schema. Every part keeps `at`, its JSON Pointer in the file, so that the checks
 * against the schema can say where a problem is. The format is documented in
 * schemas/pipelines/README.md.
 */

export type Scalar = string | number | boolean;

export const CAST_TARGETS = ['string', 'int', 'long', 'double', 'boolean'] as const;
export type CastTarget = (typeof CAST_TARGETS)[number];

export const URL_PARTS = ['scheme', 'host', 'path', 'query'] as const;
export type UrlPart = (typeof URL_PARTS)[number];

export type Disposition = 'dlq' | 'drop';

/** Failure classes whose disposition a definition may choose; all other failures always go to the DLQ. */
export const POLICY_CLASSES = ['duplicate', 'late', 'invalid', 'hookDrop'] as const;
export type PolicyClass = (typeof POLICY_CLASSES)[number];

export const DEFAULT_DEAD_LETTER: Readonly<Record<PolicyClass, Disposition>> = Object.freeze({
  duplicate: 'drop', // a client retry: counting it is enough
  late: 'dlq', // replayable once the window policy allows it
  invalid: 'dlq', // fixable, then replayable
  hookDrop: 'drop', // a hook's deliberate filter
});

interface Located {
  /** JSON Pointer of this item in the definition file. */
  readonly at: string;
}

export type RuleDef = Located &
  (
    | { readonly rule: 'required'; readonly field: string }
    | { readonly rule: 'range'; readonly field: string; readonly min: number | undefined; readonly max: number | undefined }
    | { readonly rule: 'pattern'; readonly field: string; readonly regex: string; readonly maxLength: number }
    | { readonly rule: 'allowed'; readonly field: string; readonly values: readonly Scalar[]; readonly except: boolean }
    | { readonly rule: 'clock_skew'; readonly field: string; readonly maxPastMs: number | undefined; readonly maxFutureMs: number | undefined }
  );

export type LookupTableRef =
  | { readonly inline: Readonly<Record<string, unknown>> }
  /** Relative to the definition file. */
  | { readonly file: string };

export type TransformDef = Located &
  (
    | { readonly op: 'rename'; readonly field: string; readonly to: string }
    | { readonly op: 'drop'; readonly field: string }
    | { readonly op: 'default'; readonly field: string; readonly value: unknown }
    | { readonly op: 'cast'; readonly field: string; readonly to: CastTarget }
    | { readonly op: 'lowercase' | 'trim'; readonly field: string }
    | {
        readonly op: 'derive';
        readonly using: 'url';
        readonly field: string;
        readonly into: Readonly<Partial<Record<UrlPart, string>>>;
        readonly onInvalid: 'fail' | 'null';
      }
    | { readonly op: 'derive'; readonly using: 'map_value'; readonly field: string; readonly key: string; readonly into: string; readonly doc: string | undefined }
    | { readonly op: 'hash'; readonly field: string; readonly secretEnv: string }
    | {
        readonly op: 'lookup';
        readonly field: string;
        readonly into: string;
        readonly table: LookupTableRef;
        /** Absent: a key missing from the table fails the record. */
        readonly default: { readonly value: Scalar | null } | undefined;
        readonly doc: string | undefined;
      }
  );

export interface AddedFieldDef extends Located {
  readonly name: string;
  /** An Avro type, checked when the output schema is built. */
  readonly type: unknown;
  readonly doc: string;
  readonly default: { readonly value: unknown } | undefined;
}

export interface HookDef extends Located {
  /** Relative to the definition file. */
  readonly module: string;
  readonly addsFields: readonly AddedFieldDef[];
}

export interface DedupDef extends Located {
  readonly idField: string;
  readonly horizonMs: number;
}

export interface PipelineDefinition {
  /** The event type: the file's name, the raw topic weir.raw.<source>. */
  readonly source: string;
  /** Absent: the latest registered schema of weir.raw.<source>-value. */
  readonly readerSchema: { readonly file: string; readonly at: string } | undefined;
  /** undefined when `"dedup": false`. */
  readonly dedup: DedupDef | undefined;
  readonly rules: readonly RuleDef[];
  readonly transforms: readonly TransformDef[];
  readonly hook: HookDef | undefined;
  readonly deadLetter: Readonly<Record<PolicyClass, Disposition>>;
}
