/**
 * The fields of a record as a pipeline sees them at each step: what kind of value each holds (from
 * the avsc Type, so named references are resolved) and its Avro field JSON (from the schema text,
 * so docs, defaults and logical types survive into the output schema).
 *
 * A union of null and one type is "nullable T": avsc decodes it unwrapped, as null or a T, and
 * that is the only union the transforms work on.
 */
import avro from 'avsc';

export type Kind = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string' | 'enum' | 'fixed' | 'map' | 'array' | 'record' | 'union';
export type PrimitiveKind = 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string';

export const NUMERIC_KINDS: readonly Kind[] = ['int', 'long', 'float', 'double'];

export interface FieldShape {
  readonly nullable: boolean;
  /** Where null stands in a nullable union; a field default must match the first branch. */
  readonly nullFirst: boolean;
  readonly kind: Kind;
  /** The avsc Type of a non-null value. */
  readonly type: avro.Type;
  readonly symbols: readonly string[] | undefined;
  readonly logicalType: string | undefined;
}

export interface PipelineField {
  readonly name: string;
  readonly shape: FieldShape;
  /** The Avro field as it goes into the output schema: name, type, doc, default, aliases. */
  readonly json: Readonly<Record<string, unknown>>;
}

const KINDS = new Set<string>(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string', 'enum', 'fixed', 'map', 'array', 'record']);

/** The fields of a reader schema (a record), in order. */
export function readerFields(schema: Readonly<Record<string, unknown>>, type: avro.Type): PipelineField[] {
  const jsonFields = schema['fields'] as readonly Record<string, unknown>[];
  return (type as avro.types.RecordType).fields.map((field, i) => {
    const json = jsonFields[i] ?? {};
    return { name: field.name, shape: shapeOf(json['type'], field.type), json };
  });
}

export function shapeOf(typeJson: unknown, type: avro.Type): FieldShape {
  const branches = (type as avro.types.UnwrappedUnionType).types as avro.Type[] | undefined;
  if (type.typeName.startsWith('union') && branches !== undefined) {
    const nullAt = branches.findIndex((b) => b.typeName === 'null');
    const other = branches[1 - nullAt];
    if (branches.length === 2 && nullAt !== -1 && other !== undefined) {
      const otherJson = Array.isArray(typeJson) ? typeJson[1 - nullAt] : undefined;
      return { ...plainShape(otherJson, other), nullable: true, nullFirst: nullAt === 0 };
    }
    return { nullable: false, nullFirst: false, kind: 'union', type, symbols: undefined, logicalType: undefined };
  }
  return plainShape(typeJson, type);
}

function plainShape(typeJson: unknown, type: avro.Type): FieldShape {
  const kind = (KINDS.has(type.typeName) ? type.typeName : 'union') as Kind;
  const logical = typeJson !== null && typeof typeJson === 'object' ? (typeJson as Record<string, unknown>)['logicalType'] : undefined;
  return {
    nullable: false,
    nullFirst: false,
    kind,
    type,
    symbols: kind === 'enum' ? (type as avro.types.EnumType).symbols : undefined,
    logicalType: typeof logical === 'string' ? logical : undefined,
  };
}

const primitiveTypes = new Map<PrimitiveKind, avro.Type>();

/** The shape of a primitive, nullable or not (nullable ones with null first). */
export function primitiveShape(kind: PrimitiveKind, nullable: boolean, nullFirst = true): FieldShape {
  let type = primitiveTypes.get(kind);
  if (type === undefined) {
    type = avro.Type.forSchema(kind);
    primitiveTypes.set(kind, type);
  }
  return { nullable, nullFirst: nullable && nullFirst, kind, type, symbols: undefined, logicalType: undefined };
}

/** The Avro type JSON of a primitive shape. */
export function primitiveTypeJson(shape: FieldShape): unknown {
  if (!shape.nullable) return shape.kind;
  return shape.nullFirst ? ['null', shape.kind] : [shape.kind, 'null'];
}

/**
 * A field a transform adds. It gets a default (null, or the type's zero), so that adding a
 * transform later keeps the clean topic's schema BACKWARD compatible with what it held before.
 */
export function addedField(name: string, kind: PrimitiveKind, nullable: boolean, doc: string): PipelineField {
  const shape = primitiveShape(kind, nullable);
  return { name, shape, json: { name, type: primitiveTypeJson(shape), doc, default: nullable ? null : zeroOf(kind) } };
}

export function zeroOf(kind: PrimitiveKind): string | number | boolean {
  return kind === 'string' ? '' : kind === 'boolean' ? false : 0;
}

/** For messages: "nullable string", "enum DeviceType", "map". */
export function describeShape(shape: FieldShape): string {
  const base = shape.kind === 'enum' ? `enum ${shape.type.name?.split('.').pop() ?? ''}` : shape.kind;
  return `${shape.nullable ? 'nullable ' : ''}${base}${shape.logicalType === undefined ? '' : ` (${shape.logicalType})`}`;
}
