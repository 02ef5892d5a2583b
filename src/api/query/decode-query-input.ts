/**
 * Query parameters → the operation's input object, driven by the model, mirroring botocore's
 * QuerySerializer: members by dotted names (`Tags.member.1.Key`), list items as
 * `Name.member.N` (or `Name.N` when flattened), map entries as `Name.entry.N.key/value`,
 * `locationName` in place of a member name. The result is not validated yet: authorization
 * sees it first, then QueryModel.parseInput checks it.
 */
import { SerializationException } from '../../errors/lockstep-error.js';
import type { ListShape, MapShape, Shape, StructureShape } from '../model/shape.js';
import { MAX_DEPTH } from '../model/walk-context.js';
import { decodeQueryScalar } from './decode-query-scalar.js';
import type { FormParams } from './form-params.js';
import type { QueryModel } from './query-model.js';
import type { QueryTraits } from './query-traits.js';

interface Walk {
  params: FormParams;
  traits: QueryTraits;
}

/** Decodes the input of `operation` from `params`; members not sent are absent. */
export function decodeQueryInput(
  params: FormParams,
  model: QueryModel,
  operation: string,
): Record<string, unknown> {
  const shape = model.inputShape(operation);
  if (shape === undefined) return {};
  return decodeStructure(shape, '', { params, traits: model.traits }, 0);
}

function decodeStructure(
  shape: StructureShape,
  prefix: string,
  walk: Walk,
  depth: number,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const member of shape.members) {
    const flattened = walk.traits.memberFlattened(shape.name, member.name);
    const name = join(prefix, walk.traits.memberName(shape.name, member.name));
    const value = decodeValue(member.shape, name, flattened, walk, depth + 1);
    if (value !== undefined) result[member.name] = value;
  }
  return result;
}

function decodeValue(
  shape: Shape,
  name: string,
  flattened: boolean,
  walk: Walk,
  depth: number,
): unknown {
  // Only a recursive shape can nest this deep; the parameter names are the caller's.
  if (depth > MAX_DEPTH) {
    throw new SerializationException(`Parameter ${name} is nested deeper than ${MAX_DEPTH} levels`);
  }
  if (shape.type === 'structure') {
    return walk.params.has(name) ? decodeStructure(shape, name, walk, depth) : undefined;
  }
  if (shape.type === 'list') return decodeList(shape, name, flattened, walk, depth);
  if (shape.type === 'map') return decodeMap(shape, name, flattened, walk, depth);
  const text = walk.params.get(name);
  return text === undefined ? undefined : decodeQueryScalar(shape, text);
}

function decodeList(
  shape: ListShape,
  name: string,
  flattened: boolean,
  walk: Walk,
  depth: number,
): unknown[] | undefined {
  const itemName = walk.traits.listMemberName(shape.name);
  let prefix = `${name}.${itemName ?? 'member'}`;
  // A flattened list with named items replaces its own last name segment, as botocore does.
  if (flattened) prefix = itemName === undefined ? name : replaceLast(name, itemName);
  const itemFlattened = walk.traits.shapeFlattened(shape.member.name);
  const items: unknown[] = [];
  for (let index = 1; walk.params.has(`${prefix}.${index}`); index += 1) {
    const item = decodeValue(shape.member, `${prefix}.${index}`, itemFlattened, walk, depth + 1);
    // Sent but empty (`Names.member.1.x` for a list of strings) is null, which parseInput
    // refuses by name, rather than an item silently dropped.
    items.push(item ?? null);
  }
  // botocore sends an empty list as the bare name with no value: `Tags=`.
  if (items.length === 0) return walk.params.get(name) === '' ? [] : undefined;
  return items;
}

function decodeMap(
  shape: MapShape,
  name: string,
  flattened: boolean,
  walk: Walk,
  depth: number,
): Record<string, unknown> | undefined {
  const names = walk.traits.mapEntryNames(shape.name);
  const prefix = flattened ? name : `${name}.entry`;
  const valueFlattened = walk.traits.shapeFlattened(shape.value.name);
  const entries: [string, unknown][] = [];
  for (let index = 1; walk.params.has(`${prefix}.${index}`); index += 1) {
    const key = walk.params.get(`${prefix}.${index}.${names.key}`);
    const valueName = `${prefix}.${index}.${names.value}`;
    const value = decodeValue(shape.value, valueName, valueFlattened, walk, depth + 1);
    if (key !== undefined) entries.push([key, value ?? null]);
  }
  if (entries.length === 0) return walk.params.get(name) === '' ? {} : undefined;
  // fromEntries defines own properties, so a key named `__proto__` stays a plain key.
  return Object.fromEntries(entries);
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function replaceLast(name: string, last: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? last : `${name.slice(0, dot)}.${last}`;
}
