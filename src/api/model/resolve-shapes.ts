import { compileJavaPattern } from './java-pattern.js';
import { constraintMessage } from './constraint-message.js';
import type { ShapeJson, ShapeRefJson } from './model-json.js';
import type { Shape, StringShape } from './shape.js';

type Resolve = (name: string, from: string) => Shape;
type ShapeBase = Pick<Shape, 'name' | 'sensitive' | 'redacted'>;

// Stands in for a child link for the instant between registering a shape and linking it.
const PENDING: Shape = { type: 'document', name: '(pending)', sensitive: false, redacted: false };

const NUMBER_TYPES = ['integer', 'long', 'short', 'byte', 'double', 'float'] as const;

/**
 * Turns a model's `shapes` section into linked Shape objects, once per model. A shape is
 * registered before its children are resolved, so recursive shapes become cycles, not loops.
 */
export function resolveShapes(raw: Record<string, ShapeJson>): ReadonlyMap<string, Shape> {
  const resolved = new Map<string, Shape>();
  const resolve: Resolve = (name, from) => {
    const existing = resolved.get(name);
    if (existing !== undefined) return existing;
    const json = Object.hasOwn(raw, name) ? raw[name] : undefined;
    if (json === undefined) throw new Error(`Shape ${from} refers to unknown shape ${name}`);
    const base = { name, sensitive: json.sensitive === true, redacted: json.sensitive === true };
    const container = createContainer(base, json, resolved, resolve);
    if (container !== undefined) return container;
    const scalar = createScalar(base, json);
    resolved.set(name, scalar);
    return scalar;
  };
  for (const name of Object.keys(raw)) resolve(name, '(model)');
  markRedacted([...resolved.values()]);
  return resolved;
}

/** Builds a structure, list or map; undefined for any other type. */
function createContainer(
  base: ShapeBase,
  json: ShapeJson,
  resolved: Map<string, Shape>,
  resolve: Resolve,
): Shape | undefined {
  const { name } = base;
  const bounds = { min: json.min, max: json.max };
  const sparse = json.sparse === true;
  if (json.type === 'structure') {
    const shape: Shape = { ...base, type: 'structure', members: [] };
    resolved.set(name, shape);
    const required = new Set(json.required ?? []);
    for (const [member, ref] of Object.entries(json.members ?? {})) {
      const memberShape = resolve(ref.shape, name);
      shape.members.push({ name: member, shape: memberShape, required: required.has(member) });
    }
    return shape;
  }
  if (json.type === 'list') {
    const shape: Shape = { ...base, ...bounds, type: 'list', member: PENDING, sparse };
    resolved.set(name, shape);
    shape.member = resolve(refName(json.member, name, 'member'), name);
    return shape;
  }
  if (json.type === 'map') {
    const placeholderKey = createString({ ...base, name: '(pending)' }, {});
    const shape: Shape = {
      ...base,
      ...bounds,
      type: 'map',
      key: placeholderKey,
      value: PENDING,
      sparse,
    };
    resolved.set(name, shape);
    const key = resolve(refName(json.key, name, 'key'), name);
    if (key.type !== 'string') throw new Error(`Shape ${name} has non-string key ${key.name}`);
    shape.key = key;
    shape.value = resolve(refName(json.value, name, 'value'), name);
    return shape;
  }
  return undefined;
}

function createScalar(base: ShapeBase, json: ShapeJson): Shape {
  const bounds = { min: json.min, max: json.max };
  const type = json.type;
  if (type === 'string') return createString(base, json);
  if (type === 'blob') return { ...base, ...bounds, type };
  if (type === 'boolean' || type === 'document') return { ...base, type };
  if (type === 'timestamp') return { ...base, type, timestampFormat: json.timestampFormat };
  const numberType = NUMBER_TYPES.find((candidate) => candidate === type);
  if (numberType !== undefined) return { ...base, ...bounds, type: numberType };
  throw new Error(`Shape ${base.name} has unsupported type ${type}`);
}

function createString(base: ShapeBase, json: Partial<ShapeJson>): StringShape {
  const { min, max, pattern: patternSource } = json;
  let pattern: RegExp | undefined;
  try {
    pattern = patternSource === undefined ? undefined : compileJavaPattern(patternSource);
  } catch (error) {
    throw new Error(`Shape ${base.name}: ${(error as Error).message}`, { cause: error });
  }
  const enumMessage = json.enum && constraintMessage.enumValues(json.enum);
  // The order AWS lists a map key's constraints in: enum, max, min, pattern.
  const constraintMessages = [
    ...(enumMessage === undefined ? [] : [enumMessage]),
    ...(max === undefined ? [] : [constraintMessage.maxLength(max)]),
    ...(min === undefined ? [] : [constraintMessage.minLength(min)]),
    ...(patternSource === undefined ? [] : [constraintMessage.pattern(patternSource)]),
  ];
  const enumValues = json.enum && new Set(json.enum);
  return {
    ...base,
    type: 'string',
    min,
    max,
    patternSource,
    pattern,
    enumValues,
    enumMessage,
    constraintMessages,
  };
}

function refName(ref: ShapeRefJson | undefined, shape: string, role: string): string {
  if (typeof ref?.shape !== 'string') throw new Error(`Shape ${shape} has no ${role} shape`);
  return ref.shape;
}

/** Marks every container that can hold a sensitive value, so its rendering is hidden too. */
function markRedacted(shapes: Shape[]): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const shape of shapes) {
      if (shape.redacted) continue;
      const children = childrenOf(shape);
      if (children.some((child) => child.redacted)) {
        shape.redacted = true;
        changed = true;
      }
    }
  }
}

function childrenOf(shape: Shape): Shape[] {
  if (shape.type === 'structure') return shape.members.map((member) => member.shape);
  if (shape.type === 'list') return [shape.member];
  if (shape.type === 'map') return [shape.key, shape.value];
  return [];
}
