/**
 * Reads the items of the `measures` array of an aggregate definition: each one's shape, name and
 * value types. Whether its field exists and is of a fitting type is checked against the clean
 * schema in check-fields.ts.
 */
import { pointer } from '../../processor/pipeline/json-reader.ts';
import type { Report } from '../../processor/pipeline/pipeline-errors.ts';
import { FIELD_NAME, FIELD_NAME_HINT } from '../../processor/pipeline/parse-rules.ts';
import { type ListOptions, readKind } from './parse-list.ts';
import { MAX_MEASURE_NAME_LENGTH, MAX_MEASURES, MEASURE_KINDS, MEASURE_NAME, MEASURE_NAME_HINT, type MeasureDef, RESERVED_PREFIX } from './aggregate-definition.ts';

/** How `parseList` reads the "measures" array. */
export const MEASURE_LIST: ListOptions<MeasureDef> = {
  what: 'measure',
  max: MAX_MEASURES,
  emptyHint: ' (a "count" is the simplest)',
  parse: parseMeasure,
  nameOf: (measure) => measure.name,
  duplicate: (measure, first) => [pointer(measure.at, 'name'), `"${measure.name}" is already the name of the measure at ${first}; measure names are column names and must differ`],
};

function parseMeasure(value: unknown, at: string, report: Report): MeasureDef | undefined {
  const read = readKind(value, at, 'measure', MEASURE_KINDS, report);
  if (read === undefined) return undefined;
  const { kind, r } = read;
  const name = r.string('name', { required: true, pattern: MEASURE_NAME, patternHint: MEASURE_NAME_HINT });
  if (name !== undefined && name.length > MAX_MEASURE_NAME_LENGTH) r.report('name', `is ${name.length} characters long; at most ${MAX_MEASURE_NAME_LENGTH} are allowed`);
  if (name?.startsWith(RESERVED_PREFIX) === true) r.report('name', `names starting with "${RESERVED_PREFIX}" are kept for the window columns; pick another`);
  const nameOk = name !== undefined && name.length <= MAX_MEASURE_NAME_LENGTH && !name.startsWith(RESERVED_PREFIX);
  if (kind === 'count') {
    r.finish();
    return nameOk ? { at, kind, name } : undefined;
  }
  const field = r.string('field', { required: true, pattern: FIELD_NAME, patternHint: FIELD_NAME_HINT });
  if (kind === 'quantile') {
    const q = r.number('q', { required: true, min: 0, max: 1 });
    const inside = q !== undefined && q > 0 && q < 1;
    if (q !== undefined && !inside) r.report('q', `must lie strictly between 0 and 1 (0.5 is the median, 0.99 the 99th percentile); for ${q} use a "${q === 0 ? 'min' : 'max'}" measure, which is exact`);
    r.finish();
    return nameOk && field !== undefined && inside ? { at, kind, name, field, q } : undefined;
  }
  r.finish();
  return nameOk && field !== undefined ? { at, kind, name, field } : undefined;
}
