import { constraintMessage } from './constraint-message.js';
import { checkSize, isValidKey, parseScalar } from './parse-scalar.js';
import type { ListShape, MapShape, Shape, StructureShape } from './shape.js';
import { enter, violate, wrongType } from './walk-context.js';
import type { WalkContext } from './walk-context.js';

/**
 * Checks `value` (never null) against `shape` and returns a copy holding only modelled members.
 * A wrong JSON type throws SerializationException at once, as AWS fails to deserialize before it
 * validates; constraint failures are collected in `context.violations`. `hidden` is true below
 * a sensitive shape, whose values never appear in a message.
 */
export function parseValue(
  shape: Shape,
  value: unknown,
  path: string,
  hidden: boolean,
  context: WalkContext,
): unknown {
  if (shape.type === 'structure') return parseStructure(shape, value, path, hidden, context);
  if (shape.type === 'list') return parseList(shape, value, path, hidden, context);
  if (shape.type === 'map') return parseMap(shape, value, path, hidden, context);
  return parseScalar(shape, value, path, hidden || shape.redacted, context);
}

function parseStructure(
  shape: StructureShape,
  value: unknown,
  path: string,
  hidden: boolean,
  context: WalkContext,
): Record<string, unknown> {
  if (!isObject(value)) throw wrongType(value, path, hidden || shape.redacted, 'object');
  enter(context, path);
  const result: Record<string, unknown> = {};
  for (const member of shape.members) {
    // Own properties only: `constructor` or `toString` in a model must not read the prototype.
    const memberValue = Object.hasOwn(value, member.name) ? value[member.name] : undefined;
    const memberPath = path === '' ? member.name : `${path}.${member.name}`;
    // AWS treats an explicit null as an absent member.
    if (memberValue === undefined || memberValue === null) {
      if (member.required) violate(context, null, memberPath, false, constraintMessage.notNull);
      continue;
    }
    const memberHidden = hidden || member.shape.sensitive;
    result[member.name] = parseValue(member.shape, memberValue, memberPath, memberHidden, context);
  }
  context.depth -= 1;
  return result;
}

function parseList(
  shape: ListShape,
  value: unknown,
  path: string,
  hidden: boolean,
  context: WalkContext,
): unknown[] {
  const render = hidden || shape.redacted;
  if (!Array.isArray(value)) throw wrongType(value, path, render, 'list');
  checkSize(shape, value, value.length, path, render, context);
  enter(context, path);
  const itemHidden = hidden || shape.member.sensitive;
  const result = value.map((item: unknown, index) => {
    // AWS names list elements 1-based, with `.member`: `stages.1.member.name`.
    const itemPath = `${path}.${index + 1}.member`;
    if (item !== null && item !== undefined) {
      return parseValue(shape.member, item, itemPath, itemHidden, context);
    }
    if (!shape.sparse) violate(context, null, itemPath, false, constraintMessage.notNull);
    return null;
  });
  context.depth -= 1;
  return result;
}

/** Map values are named `path.<key>`; a bad key is one AWS-style message for the whole map. */
function parseMap(
  shape: MapShape,
  value: unknown,
  path: string,
  hidden: boolean,
  context: WalkContext,
): Record<string, unknown> {
  const render = hidden || shape.redacted;
  if (!isObject(value)) throw wrongType(value, path, render, 'map');
  const keys = Object.keys(value);
  checkSize(shape, value, keys.length, path, render, context);
  if (keys.some((key) => !isValidKey(shape.key, key))) {
    violate(context, value, path, render, constraintMessage.mapKeys(shape.key.constraintMessages));
  }
  enter(context, path);
  const valueHidden = hidden || shape.value.sensitive;
  const entries = keys.map((key): [string, unknown] => {
    const item = value[key];
    const itemPath = `${path}.${key}`;
    if (item !== null && item !== undefined) {
      return [key, parseValue(shape.value, item, itemPath, valueHidden, context)];
    }
    if (!shape.sparse) violate(context, null, itemPath, false, constraintMessage.notNull);
    return [key, null];
  });
  context.depth -= 1;
  // fromEntries defines own properties, so a key named `__proto__` stays a plain key.
  return Object.fromEntries(entries);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
