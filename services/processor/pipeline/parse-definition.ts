/**
 * Reads one definition file's JSON into a PipelineDefinition, reporting every problem of shape
 * (unknown keys, wrong types, missing keys) with its JSON Pointer. Returns undefined when the
 * top level is too broken to check against a schema; otherwise the parts that did read are
 * checked further, so that one run reports as much as it can.
 */
import { DEFAULT_HORIZON_MS, MAX_HORIZON_MS } from '../dedup/duplicate-cache.ts';
import { type AddedFieldDef, DEFAULT_DEAD_LETTER, type DedupDef, type Disposition, type HookDef, type PipelineDefinition, POLICY_CLASSES, type PolicyClass } from './definition.ts';
import { ObjectReader, pointer } from './json-reader.ts';
import { FIELD_NAME, FIELD_NAME_HINT, parseRules } from './parse-rules.ts';
import { parseTransforms } from './parse-transforms.ts';
import type { Report } from './pipeline-errors.ts';

export const EVENT_TYPE = /^[a-z][a-z0-9_]*$/;
/** Hook modules Node can import without a build step. */
export const HOOK_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

export interface ParsedDefinition {
  readonly definition: PipelineDefinition;
  /** false when a transform could not be read: the output schema then cannot be derived. */
  readonly complete: boolean;
}

export function parseDefinition(json: unknown, type: string, report: Report): ParsedDefinition | undefined {
  const opened = openDefinition(json, type, 'a pipeline definition', report);
  if (opened === undefined) return undefined;
  const { r, source } = opened;
  const readerSchema = readerSchemaOf(r, report);
  const dedup = dedupOf(r);
  const ruleItems = r.array('rules');
  const transformItems = r.array('transforms');
  const rules = parseRules(ruleItems ?? [], report);
  const { transforms, complete } = parseTransforms(transformItems ?? [], report);
  const hook = hookOf(r, report);
  const deadLetter = deadLetterOf(r);
  r.finish();
  if (readerSchema === null || dedup === null || hook === null || deadLetter === undefined) return undefined;
  // A missing or wrong source is reported; the file's name still says which schema to check the rest against.
  const definition = { source: source === type ? source : type, readerSchema, dedup, rules, transforms, hook, deadLetter };
  return { definition, complete: complete && transformItems !== undefined };
}

/**
 * A reader over a definition file's top-level object, with "$schema" (for editors) and "source"
 * read: the source must be the event type the file is named after. Shared with the aggregate
 * definitions. `source` is undefined when unreadable.
 */
export function openDefinition(json: unknown, type: string, what: string, report: Report): { r: ObjectReader; source: string | undefined } | undefined {
  const r = ObjectReader.of(json, '', what, report);
  if (r === undefined) return undefined;
  r.string('$schema');
  const source = r.string('source', { required: true, pattern: EVENT_TYPE, patternHint: 'an event type is lower case letters, digits and _' });
  if (source !== undefined && source !== type) {
    r.report('source', `is "${source}" but the file is named ${type}.json; one file per event type, named after it`);
  }
  return { r, source };
}

/** undefined: the latest registered schema; null: unreadable. */
function readerSchemaOf(r: ObjectReader, report: Report): PipelineDefinition['readerSchema'] | null {
  const value = r.raw('readerSchema');
  if (value === undefined || value === 'latest') return undefined;
  const what = '"readerSchema" ("latest", or {"file": "<path of an .avsc file>"})';
  const o = ObjectReader.of(value, pointer(r.at, 'readerSchema'), what, report);
  if (o === undefined) return null;
  const file = o.string('file', { required: true, pattern: /./, patternHint: 'it must not be empty' });
  o.finish();
  return file === undefined ? null : { file, at: pointer(o.at, 'file') };
}

/** Absent: on event_id with the default horizon; false: off; null: unreadable. */
function dedupOf(r: ObjectReader): DedupDef | undefined | null {
  const fallback: DedupDef = { at: '', idField: 'event_id', horizonMs: DEFAULT_HORIZON_MS };
  if (!r.has('dedup')) {
    r.raw('dedup');
    return fallback;
  }
  if (r.raw('dedup') === false) return undefined;
  const o = r.object('dedup', '"dedup" (false, or {"idField", "horizonMs"})');
  if (o === undefined) return null;
  const idField = o.string('idField', { pattern: FIELD_NAME, patternHint: FIELD_NAME_HINT });
  const horizonMs = o.number('horizonMs', { integer: true, min: 1, max: MAX_HORIZON_MS });
  o.finish();
  if ((o.has('idField') && idField === undefined) || (o.has('horizonMs') && horizonMs === undefined)) return null;
  return { at: o.at, idField: idField ?? fallback.idField, horizonMs: horizonMs ?? fallback.horizonMs };
}

/** undefined: no hook; null: unreadable. */
function hookOf(r: ObjectReader, report: Report): HookDef | undefined | null {
  const o = r.object('hook', 'a hook ({"module": "<path>", "addsFields": [...]})');
  if (o === undefined) return r.has('hook') ? null : undefined;
  const module = o.string('module', { required: true });
  const moduleOk = module !== undefined && HOOK_EXTENSIONS.some((ext) => module.endsWith(ext));
  if (module !== undefined && !moduleOk) o.report('module', `must be a ${HOOK_EXTENSIONS.join(', ')} file, got "${module}"`);
  const items = o.array('addsFields');
  const addsFields: AddedFieldDef[] = [];
  let fieldsOk = items !== undefined;
  for (const item of items ?? []) {
    const f = ObjectReader.of(item.value, item.at, 'an added field ({"name", "type", "doc", "default"?})', report);
    if (f === undefined) {
      fieldsOk = false;
      continue;
    }
    const name = f.string('name', { required: true, pattern: FIELD_NAME, patternHint: FIELD_NAME_HINT });
    const type = f.raw('type');
    if (type === undefined) report(item.at, 'an added field needs "type" (an Avro type)');
    const doc = f.string('doc', { required: true });
    const hasDefault = f.has('default');
    const fallback = f.raw('default');
    f.finish();
    if (name === undefined || type === undefined || doc === undefined) fieldsOk = false;
    else addsFields.push({ at: item.at, name, type, doc, default: hasDefault ? { value: fallback } : undefined });
  }
  o.finish();
  return moduleOk && fieldsOk ? { at: o.at, module, addsFields } : null;
}

function deadLetterOf(r: ObjectReader): Readonly<Record<PolicyClass, Disposition>> | undefined {
  const o = r.object('deadLetter', '"deadLetter" (failure class -> "dlq" or "drop")');
  if (o === undefined) return r.has('deadLetter') ? undefined : DEFAULT_DEAD_LETTER;
  const policy: Record<PolicyClass, Disposition> = { ...DEFAULT_DEAD_LETTER };
  let ok = true;
  for (const key of POLICY_CLASSES) {
    const value = o.oneOf(key, ['dlq', 'drop'] as const, DEFAULT_DEAD_LETTER[key]);
    if (value === undefined) ok = false;
    else policy[key] = value;
  }
  o.finish();
  return ok ? Object.freeze(policy) : undefined;
}
