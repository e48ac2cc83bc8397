/**
 * Reads one aggregate definition file's JSON into an AggregateDefinition, reporting every problem
 * of shape (unknown keys, wrong types, missing keys, bounds) with its JSON Pointer. Returns
 * undefined when the file is not an object. An incomplete definition is refused, but only after
 * the caller has checked the parts that did read against the clean schema, so that one run
 * reports as much as it can.
 */
import { describeJson, type ObjectReader, pointer } from '../../processor/pipeline/json-reader.ts';
import { openDefinition } from '../../processor/pipeline/parse-definition.ts';
import { FIELD_NAME, FIELD_NAME_HINT } from '../../processor/pipeline/parse-rules.ts';
import type { Report } from '../../processor/pipeline/pipeline-errors.ts';
import { DEFAULT_IDLE_TIMEOUT_MS } from '../windows/watermarks.ts';
import {
  type AggregateDefinition,
  DEFAULT_ALLOWED_OUT_OF_ORDERNESS_MS,
  DEFAULT_GRACE_MS,
  DEFAULT_LATE_POLICY,
  DEFAULT_TIME_FIELD,
  type DimensionDef,
  LATE_POLICIES,
  MAX_ALLOWED_OUT_OF_ORDERNESS_MS,
  MAX_DIMENSIONS,
  MAX_GRACE_MS,
  MAX_IDLE_TIMEOUT_MS,
  MIN_IDLE_TIMEOUT_MS,
} from './aggregate-definition.ts';
import { parseList } from './parse-list.ts';
import { MEASURE_LIST } from './parse-measures.ts';
import { WINDOW_LIST } from './parse-windows.ts';

/** `definition`: what read (parts that did not are left out); `complete`: false when something did not read. */
export function parseAggregate(json: unknown, type: string, report: Report): { definition: AggregateDefinition; complete: boolean } | undefined {
  const opened = openDefinition(json, type, 'an aggregate definition', report);
  if (opened === undefined) return undefined;
  const { r, source } = opened;
  const timeField = r.string('timeField', { pattern: FIELD_NAME, patternHint: FIELD_NAME_HINT });
  const dimensions = parseDimensions(r, report);
  const indexBy = parseIndexBy(r, dimensions.dimensions, report);
  const measures = parseList(r, 'measures', MEASURE_LIST, report);
  const windows = parseList(r, 'windows', WINDOW_LIST, report);
  const allowedOutOfOrdernessMs = r.number('allowedOutOfOrdernessMs', { integer: true, min: 0, max: MAX_ALLOWED_OUT_OF_ORDERNESS_MS });
  const graceMs = r.number('graceMs', { integer: true, min: 0, max: MAX_GRACE_MS });
  const idleTimeoutMs = r.number('idleTimeoutMs', { integer: true, min: MIN_IDLE_TIMEOUT_MS, max: MAX_IDLE_TIMEOUT_MS });
  const lateEvents = r.oneOf('lateEvents', LATE_POLICIES, DEFAULT_LATE_POLICY);
  r.finish();

  const session = windows.items.find((w) => w.kind === 'session');
  const correctsSessions = lateEvents === 'correct' && session !== undefined;
  if (correctsSessions) {
    r.report(
      'lateEvents',
      `"correct" cannot be used with session windows (${session.at}): a late event can merge closed sessions, and a correction can add to a written result but not take one back; use "dlq"`,
    );
  }
  const settings: Record<string, unknown> = { timeField, allowedOutOfOrdernessMs, graceMs, idleTimeoutMs };
  const settingsOk = Object.entries(settings).every(([key, value]) => !r.has(key) || value !== undefined);
  const clashes = measures.items.filter((m) => dimensions.dimensions.some((d) => d.field === m.name));
  for (const m of clashes) report(pointer(m.at, 'name'), `"${m.name}" is also a dimension; measure and dimension names are column names of one table and must differ`);
  const definition: AggregateDefinition = {
    // A missing or wrong source is reported; the file's name still says which schema to check the rest against.
    source: type,
    timeField: timeField ?? DEFAULT_TIME_FIELD,
    timeFieldAt: r.has('timeField') ? '/timeField' : '',
    dimensions: dimensions.dimensions,
    indexBy: indexBy.dimensions,
    measures: measures.items,
    windows: windows.items,
    allowedOutOfOrdernessMs: allowedOutOfOrdernessMs ?? DEFAULT_ALLOWED_OUT_OF_ORDERNESS_MS,
    graceMs: graceMs ?? DEFAULT_GRACE_MS,
    idleTimeoutMs: idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    lateEvents: lateEvents ?? DEFAULT_LATE_POLICY,
  };
  const complete =
    source === type &&
    settingsOk &&
    clashes.length === 0 &&
    lateEvents !== undefined &&
    !correctsSessions &&
    dimensions.complete &&
    indexBy.complete &&
    measures.complete &&
    windows.complete;
  return { definition, complete };
}

function parseDimensions(r: ObjectReader, report: Report): { dimensions: DimensionDef[]; complete: boolean } {
  const items = r.array('dimensions', true);
  if (items === undefined) return { dimensions: [], complete: false };
  if (items.length > MAX_DIMENSIONS) r.report('dimensions', `lists ${items.length} fields; at most ${MAX_DIMENSIONS} are allowed`);
  const dimensions: DimensionDef[] = [];
  let complete = items.length <= MAX_DIMENSIONS;
  for (const item of items) {
    const field = item.value;
    if (typeof field !== 'string' || !FIELD_NAME.test(field)) {
      report(item.at, typeof field === 'string' ? `${JSON.stringify(field)} is not valid: ${FIELD_NAME_HINT}` : `must be a field name (a string), got ${describeJson(field)}`);
      complete = false;
      continue;
    }
    const first = dimensions.find((d) => d.field === field);
    if (first !== undefined) {
      report(item.at, `"${field}" is already a dimension at ${first.at}`);
      complete = false;
      continue;
    }
    dimensions.push({ at: item.at, field });
  }
  return { dimensions, complete };
}

/** `indexBy`: optional, distinct fields that are dimensions, in the order the table is sorted by. */
function parseIndexBy(r: ObjectReader, dimensions: readonly DimensionDef[], report: Report): { dimensions: DimensionDef[]; complete: boolean } {
  if (!r.has('indexBy')) return { dimensions: [], complete: true };
  const items = r.array('indexBy', false);
  if (items === undefined) return { dimensions: [], complete: false };
  const chosen: DimensionDef[] = [];
  let complete = true;
  for (const item of items) {
    const field = item.value;
    const dimension = dimensions.find((d) => d.field === field);
    if (typeof field !== 'string' || dimension === undefined) {
      const listed = dimensions.length === 0 ? 'there are none' : `they are ${dimensions.map((d) => d.field).join(', ')}`;
      report(item.at, `${typeof field === 'string' ? JSON.stringify(field) : describeJson(field)} is not one of the dimensions (${listed}): the table can be sorted by dimensions only`);
      complete = false;
    } else if (chosen.some((d) => d.field === field)) {
      report(item.at, `"${field}" is listed twice`);
      complete = false;
    } else {
      chosen.push({ at: item.at, field });
    }
  }
  return { dimensions: chosen, complete };
}
