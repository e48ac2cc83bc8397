/**
 * The `derive` transform: new fields computed from one field, which stays as it is.
 * - `url`: parts of an absolute URL (WHATWG parsing, as browsers do): scheme ("https"), host
 *   (lower case, no port), path ("/a/b"), query (without "?"). A value that is not a URL fails
 *   the record, or gives nulls with `"onInvalid": "null"`.
 * - `map_value`: one entry of a map of primitives (such as `properties`), null when absent.
 */
import type { TransformDef, UrlPart } from './definition.ts';
import avro from 'avsc';
import { addedField, describeShape, type FieldShape, type PrimitiveKind } from './field-shape.ts';
import type { FieldState } from './field-state.ts';
import { pointer } from './json-reader.ts';
import type { Report } from './pipeline-errors.ts';
import { failure, type TransformStep } from './process-result.ts';

type DeriveDef = TransformDef & { op: 'derive' };

const PART_DOCS: Readonly<Record<UrlPart, string>> = {
  scheme: 'scheme (protocol, without ":")',
  host: 'host name (lower case, without port)',
  path: 'path (starting with "/")',
  query: 'query string (without "?"; empty when none)',
};

const readers: Readonly<Record<UrlPart, (url: URL) => string>> = {
  scheme: (url) => url.protocol.slice(0, -1),
  host: (url) => url.hostname,
  path: (url) => url.pathname,
  query: (url) => url.search.slice(1),
};

const MAP_VALUE_KINDS = new Set(['string', 'int', 'long', 'float', 'double', 'boolean']);

export function compileDerive(def: DeriveDef, state: FieldState, report: Report): TransformStep | undefined {
  const source = state.need(def.field, pointer(def.at, 'field'), report);
  if (source === undefined) return undefined;
  return def.using === 'url' ? compileUrl(def, source.shape, state, report) : compileMapValue(def, source.shape, state, report);
}

function compileUrl(def: DeriveDef & { using: 'url' }, shape: FieldShape, state: FieldState, report: Report): TransformStep | undefined {
  if (shape.kind !== 'string') {
    report(pointer(def.at, 'field'), `a url derivation needs a string field, but "${def.field}" is ${describeShape(shape)}`);
    return undefined;
  }
  const parts = Object.entries(def.into) as [UrlPart, string][];
  let ok = true;
  const seen = new Set<string>();
  for (const [part, name] of parts) {
    const at = pointer(pointer(def.at, 'into'), part);
    if (seen.has(name)) {
      report(at, `"${name}" is named twice in "into"`);
      ok = false;
    } else if (!state.free(name, at, report)) ok = false;
    seen.add(name);
  }
  if (!ok) return undefined;
  const nullable = shape.nullable || def.onInvalid === 'null';
  for (const [part, name] of parts) state.add(addedField(name, 'string', nullable, `The ${PART_DOCS[part]} of the URL in ${def.field}, derived by the pipeline.`));
  const { field, onInvalid } = def;
  const setAll = (work: Record<string, unknown>, url: URL | null) => {
    for (const [part, name] of parts) work[name] = url === null ? null : readers[part](url);
  };
  return {
    field,
    run(work) {
      const value = work[field];
      const url = typeof value === 'string' ? URL.parse(value) : null;
      if (url === null && value !== null && onInvalid === 'fail') return failure('invalid_url', field, `${field} is not an absolute URL`);
      setAll(work, url);
      return undefined;
    },
  };
}

function compileMapValue(def: DeriveDef & { using: 'map_value' }, shape: FieldShape, state: FieldState, report: Report): TransformStep | undefined {
  const values = shape.kind === 'map' ? ((shape.type as avro.types.MapType).valuesType as avro.Type).typeName : undefined;
  if (values === undefined || !MAP_VALUE_KINDS.has(values)) {
    const what = values === undefined ? describeShape(shape) : `a map of ${values}`;
    report(pointer(def.at, 'field'), `a map_value derivation needs a map of strings, numbers or booleans, but "${def.field}" is ${what}`);
    return undefined;
  }
  if (!state.free(def.into, pointer(def.at, 'into'), report)) return undefined;
  const { field, key, into } = def;
  state.add(addedField(into, values as PrimitiveKind, true, def.doc ?? `The "${key}" entry of ${field}, null when absent; derived by the pipeline.`));
  return {
    field,
    run(work) {
      const map = work[field] as Record<string, unknown> | null;
      work[into] = map !== null && Object.hasOwn(map, key) ? map[key] : null;
      return undefined;
    },
  };
}
