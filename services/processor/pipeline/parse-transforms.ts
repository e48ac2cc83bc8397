/**
 * Reads the `transforms` array of a definition: each item's shape and value types only. Whether
 * its fields exist at that point, and fit, is checked in compile-transforms.ts.
 */
import { CAST_TARGETS, type LookupTableRef, type Scalar, type TransformDef, URL_PARTS, type UrlPart } from './definition.ts';
import { describeJson, isJsonObject, ObjectReader, pointer } from './json-reader.ts';
import { FIELD_NAME, FIELD_NAME_HINT } from './parse-rules.ts';
import type { Report } from './pipeline-errors.ts';

export const TRANSFORM_OPS = ['rename', 'drop', 'default', 'cast', 'lowercase', 'trim', 'derive', 'hash', 'lookup'] as const;
export const DERIVATIONS = ['url', 'map_value'] as const;

/** An environment variable's name, so that a pasted secret is refused rather than stored. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;

const NAME_OPTIONS = { required: true, pattern: FIELD_NAME, patternHint: FIELD_NAME_HINT } as const;

/**
 * Every item is read, so that all shape problems are reported, but only the transforms before the
 * first unreadable one are returned: a later transform may use a field the broken one would have
 * made, and checking it without that field would report a problem that is not there.
 */
export function parseTransforms(items: readonly { value: unknown; at: string }[], report: Report): { transforms: TransformDef[]; complete: boolean } {
  const transforms: TransformDef[] = [];
  let complete = true;
  for (const item of items) {
    const transform = parseTransform(item.value, item.at, report);
    if (transform === undefined) complete = false;
    else if (complete) transforms.push(transform);
  }
  return { transforms, complete };
}

function parseTransform(value: unknown, at: string, report: Report): TransformDef | undefined {
  const head = ObjectReader.of(value, at, 'a transform', report);
  const op = head?.oneOf('op', TRANSFORM_OPS);
  if (op === undefined) return undefined;
  const using = op === 'derive' ? head?.oneOf('using', DERIVATIONS) : undefined;
  if (op === 'derive' && using === undefined) return undefined;
  const r = ObjectReader.of(value, at, using === undefined ? `a '${op}' transform` : `a 'derive' transform using '${using}'`, report);
  if (r === undefined) return undefined;
  r.raw('op');
  if (using !== undefined) r.raw('using');
  const field = r.string('field', NAME_OPTIONS);
  const transform = using === undefined ? parseOp(op, r, field, at, report) : parseDerive(using, r, field, at, report);
  r.finish();
  return transform;
}

function parseOp(op: (typeof TRANSFORM_OPS)[number], r: ObjectReader, field: string | undefined, at: string, report: Report): TransformDef | undefined {
  switch (op) {
    case 'rename': {
      const to = r.string('to', NAME_OPTIONS);
      return field === undefined || to === undefined ? undefined : { at, op, field, to };
    }
    case 'drop':
    case 'lowercase':
    case 'trim':
      return field === undefined ? undefined : { at, op, field };
    case 'default': {
      if (!r.has('value')) report(at, `a 'default' transform needs "value" (what a null becomes)`);
      const value = r.raw('value');
      if (value === null) r.report('value', 'must not be null: a default replaces null');
      return field === undefined || value === undefined || value === null ? undefined : { at, op, field, value };
    }
    case 'cast': {
      const to = r.oneOf('to', CAST_TARGETS);
      return field === undefined || to === undefined ? undefined : { at, op, field, to };
    }
    case 'hash': {
      const secretEnv = r.string('secretEnv', {
        required: true,
        pattern: ENV_NAME,
        patternHint: 'it must be the NAME of the environment variable that holds the secret (like WEIR_PII_SECRET), never the secret itself',
      });
      return field === undefined || secretEnv === undefined ? undefined : { at, op, field, secretEnv };
    }
    case 'lookup': {
      const into = r.string('into', NAME_OPTIONS);
      const table = tableRef(r, report);
      const fallback = r.has('default') ? r.raw('default') : undefined;
      const defaultOk = fallback === undefined || fallback === null || ['string', 'number', 'boolean'].includes(typeof fallback);
      if (!defaultOk) r.report('default', `must be a string, number, boolean or null, got ${describeJson(fallback)}`);
      const doc = r.string('doc');
      if (field === undefined || into === undefined || table === undefined || !defaultOk || (r.has('doc') && doc === undefined)) return undefined;
      const value = fallback as Scalar | null | undefined;
      return { at, op, field, into, table, default: value === undefined ? undefined : { value }, doc };
    }
    case 'derive':
      return undefined; // read by parseDerive
  }
}

function parseDerive(using: (typeof DERIVATIONS)[number], r: ObjectReader, field: string | undefined, at: string, report: Report): TransformDef | undefined {
  if (using === 'map_value') {
    const key = r.string('key', { required: true });
    const into = r.string('into', NAME_OPTIONS);
    const doc = r.string('doc');
    if (key === '') r.report('key', 'must not be empty');
    if (field === undefined || key === undefined || key === '' || into === undefined || (r.has('doc') && doc === undefined)) return undefined;
    return { at, op: 'derive', using, field, key, into, doc };
  }
  const onInvalid = r.oneOf('onInvalid', ['fail', 'null'] as const, 'fail');
  const intoReader = r.object('into', 'the "into" of a url derivation (URL part -> new field name)', true);
  if (intoReader === undefined) return undefined;
  const into: Partial<Record<UrlPart, string>> = {};
  let ok = true;
  for (const part of URL_PARTS) {
    const name = intoReader.string(part, { pattern: FIELD_NAME, patternHint: FIELD_NAME_HINT });
    if (name !== undefined) into[part] = name;
    else if (intoReader.has(part)) ok = false;
  }
  intoReader.finish();
  if (Object.keys(into).length === 0 && ok) {
    report(intoReader.at, `names no URL part; give at least one of ${URL_PARTS.map((p) => `"${p}"`).join(', ')}`);
    ok = false;
  }
  return field === undefined || onInvalid === undefined || !ok ? undefined : { at, op: 'derive', using, field, into, onInvalid };
}

/** `"table"`: an object of key -> value inline, or the path of a JSON file holding one. */
function tableRef(r: ObjectReader, report: Report): LookupTableRef | undefined {
  const table = r.raw('table');
  const at = pointer(r.at, 'table');
  if (table === undefined) report(r.at, `a 'lookup' transform needs "table" (an object of key -> value, or the path of a JSON file holding one)`);
  else if (typeof table === 'string' && table !== '') return { file: table };
  else if (isJsonObject(table)) return { inline: table };
  else report(at, `must be an object of key -> value or a file path, got ${describeJson(table)}`);
  return undefined;
}
