/**
 * Checks an aggregate definition against the clean schema of its type (the processor's output):
 * every field it names exists there with a type that fits what is done with it. Dimensions are
 * grouped on, so they hold few, exactly comparable values: strings, enums, ints, longs and
 * booleans, null allowed (null is a group of its own). Numeric measures need a number; distinct
 * counts hash the value's text, so they take what has one exact text.
 */
import { describeShape, type FieldShape, type Kind, NUMERIC_KINDS, type PipelineField } from '../../processor/pipeline/field-shape.ts';
import { pointer } from '../../processor/pipeline/json-reader.ts';
import type { Report } from '../../processor/pipeline/pipeline-errors.ts';
import type { AggregateDefinition } from './aggregate-definition.ts';

const DIMENSION_KINDS: readonly Kind[] = ['string', 'enum', 'int', 'long', 'boolean'];
const DISTINCT_KINDS: readonly Kind[] = ['string', 'enum', 'int', 'long'];
const TIME_LOGICAL_TYPE = 'timestamp-millis';

/** The shapes of the dimensions, in order, when every field fits; undefined after reporting what does not. */
export function checkFields(definition: AggregateDefinition, fields: readonly PipelineField[], report: Report): FieldShape[] | undefined {
  const byName = new Map(fields.map((f) => [f.name, f.shape]));
  let ok = true;
  const fail = (at: string, message: string) => {
    report(at, message);
    ok = false;
  };
  const lookup = (at: string, name: string, role: string): FieldShape | undefined => {
    const shape = byName.get(name);
    if (shape === undefined) fail(at, `the clean schema of ${definition.source} has no field "${name}" to ${role}; its fields are ${[...byName.keys()].join(', ')}`);
    return shape;
  };

  const time = lookup(definition.timeFieldAt, definition.timeField, 'take event times from');
  if (time !== undefined && (time.kind !== 'long' || time.nullable || time.logicalType !== TIME_LOGICAL_TYPE)) {
    fail(definition.timeFieldAt, `event times come from a non-null long of logical type ${TIME_LOGICAL_TYPE}, but "${definition.timeField}" is ${describeShape(time)}`);
  }
  const shapes: FieldShape[] = [];
  for (const dimension of definition.dimensions) {
    const shape = lookup(dimension.at, dimension.field, 'group by');
    if (shape === undefined) continue;
    if (dimension.field === definition.timeField) fail(dimension.at, `"${dimension.field}" is the event time; the windows already group by it`);
    else if (!DIMENSION_KINDS.includes(shape.kind)) fail(dimension.at, `a dimension is a string, enum, int, long or boolean (nullable or not), but "${dimension.field}" is ${describeShape(shape)}`);
    shapes.push(shape);
  }
  for (const measure of definition.measures) {
    if (measure.kind === 'count') continue;
    const at = pointer(measure.at, 'field');
    const shape = lookup(at, measure.field, `compute "${measure.name}" from`);
    if (shape === undefined) continue;
    const allowed = measure.kind === 'distinct' ? DISTINCT_KINDS : NUMERIC_KINDS;
    if (!allowed.includes(shape.kind)) {
      const wanted = measure.kind === 'distinct' ? 'a string, enum, int or long' : 'an int, long, float or double';
      fail(at, `a '${measure.kind}' measure takes ${wanted} (nullable or not), but "${measure.field}" is ${describeShape(shape)}`);
    }
  }
  return ok ? shapes : undefined;
}
