/**
 * A shape of a service model, resolved once at load: references between shapes are object
 * links (so a recursive shape is a cycle of objects), patterns are compiled, and enum values
 * are a Set. The per-request walk in parse-value.ts reads only these objects.
 */
export type Shape =
  | StructureShape
  | ListShape
  | MapShape
  | StringShape
  | NumberShape
  | BooleanShape
  | TimestampShape
  | BlobShape
  | DocumentShape;

export type IntegerType = 'integer' | 'long' | 'short' | 'byte';
export type FloatType = 'double' | 'float';

interface ShapeBase {
  name: string;
  /** The model marks this shape sensitive: its value never appears in an error message. */
  sensitive: boolean;
  /** This shape or a shape inside it is sensitive, so rendering its value could leak. */
  redacted: boolean;
}

/** Length or value bounds; `undefined` when the model sets none. */
interface Bounded {
  min: number | undefined;
  max: number | undefined;
}

export interface MemberShape {
  name: string;
  shape: Shape;
  required: boolean;
}

export interface StructureShape extends ShapeBase {
  type: 'structure';
  /** In model order, which is the order AWS reports violations in. */
  members: MemberShape[];
}

export interface ListShape extends ShapeBase, Bounded {
  type: 'list';
  member: Shape;
  /** A sparse list may hold nulls; others report a null element as a violation. */
  sparse: boolean;
}

export interface MapShape extends ShapeBase, Bounded {
  type: 'map';
  key: StringShape;
  value: Shape;
  sparse: boolean;
}

export interface StringShape extends ShapeBase, Bounded {
  type: 'string';
  /** The model's (Java) pattern as written, quoted back in error messages. */
  patternSource: string | undefined;
  pattern: RegExp | undefined;
  enumValues: ReadonlySet<string> | undefined;
  /** `Member must satisfy enum value set: [A, B]`, built once. */
  enumMessage: string | undefined;
  /** Every constraint of the shape as AWS lists them for map keys, built once. */
  constraintMessages: string[];
}

export interface NumberShape extends ShapeBase, Bounded {
  type: IntegerType | FloatType;
}

export interface BooleanShape extends ShapeBase {
  type: 'boolean';
}

export interface TimestampShape extends ShapeBase {
  type: 'timestamp';
  /** JSON protocols default to epoch seconds; `iso8601`/`rfc822` also accept a date string. */
  timestampFormat: string | undefined;
}

export interface BlobShape extends ShapeBase, Bounded {
  type: 'blob';
}

/** An untyped JSON value (`document`), passed through as sent. */
export interface DocumentShape extends ShapeBase {
  type: 'document';
}
