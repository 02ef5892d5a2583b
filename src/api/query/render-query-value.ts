/**
 * Output values → XML elements, driven by the model as botocore's QueryParser reads them:
 * members in model order named by locationName or member name, lists as `<member>` items (or
 * repeated elements when flattened), maps as `<entry><key/><value/></entry>`, timestamps ISO
 * 8601 in UTC, booleans `true`/`false`, blobs base64.
 */
import type { ListShape, MapShape, Shape, StructureShape } from '../model/shape.js';
import { MAX_DEPTH } from '../model/walk-context.js';
import { escapeXml } from './escape-xml.js';
import type { QueryTraits } from './query-traits.js';

/** Appends the elements of a structure's members to `out`; absent and null members are left out. */
export function renderQueryMembers(
  shape: StructureShape,
  value: unknown,
  traits: QueryTraits,
  out: string[],
  depth = 0,
): void {
  const record = asRecord(value, shape);
  for (const member of shape.members) {
    const item = Object.hasOwn(record, member.name) ? record[member.name] : undefined;
    if (item === undefined || item === null) continue;
    const flattened = traits.memberFlattened(shape.name, member.name);
    const name = traits.memberName(shape.name, member.name);
    renderElement(member.shape, item, name, flattened, { traits, out, depth: depth + 1 });
  }
}

interface Render {
  traits: QueryTraits;
  out: string[];
  depth: number;
}

function renderElement(
  shape: Shape,
  value: unknown,
  name: string,
  flattened: boolean,
  render: Render,
): void {
  // Output comes from Lockstep itself; this only turns a cyclic object into an error.
  if (render.depth > MAX_DEPTH)
    throw new Error(`output nested deeper than ${MAX_DEPTH} at ${name}`);
  const { out } = render;
  if (shape.type === 'list') return renderList(shape, value, name, flattened, render);
  if (shape.type === 'map') return renderMap(shape, value, name, flattened, render);
  if (shape.type === 'structure') {
    out.push(`<${name}>`);
    renderQueryMembers(shape, value, render.traits, out, render.depth);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(scalarText(shape, value))}</${name}>`);
}

function renderList(
  shape: ListShape,
  value: unknown,
  name: string,
  flattened: boolean,
  render: Render,
): void {
  if (!Array.isArray(value)) throw new Error(`output ${shape.name} is not an array`);
  const itemName = render.traits.listMemberName(shape.name);
  const itemFlattened = render.traits.shapeFlattened(shape.member.name);
  const inner = { ...render, depth: render.depth + 1 };
  if (flattened) {
    // botocore reads a flattened list's items under the item's own name when it has one.
    for (const item of value)
      renderElement(shape.member, item, itemName ?? name, itemFlattened, inner);
    return;
  }
  if (value.length === 0) {
    render.out.push(`<${name}/>`);
    return;
  }
  render.out.push(`<${name}>`);
  for (const item of value)
    renderElement(shape.member, item, itemName ?? 'member', itemFlattened, inner);
  render.out.push(`</${name}>`);
}

function renderMap(
  shape: MapShape,
  value: unknown,
  name: string,
  flattened: boolean,
  render: Render,
): void {
  const names = render.traits.mapEntryNames(shape.name);
  const valueFlattened = render.traits.shapeFlattened(shape.value.name);
  const inner = { ...render, depth: render.depth + 1 };
  const { out } = render;
  if (!flattened) out.push(`<${name}>`);
  for (const [key, item] of Object.entries(asRecord(value, shape))) {
    out.push(flattened ? `<${name}>` : '<entry>');
    out.push(`<${names.key}>${escapeXml(key)}</${names.key}>`);
    if (item !== undefined && item !== null) {
      renderElement(shape.value, item, names.value, valueFlattened, inner);
    }
    out.push(flattened ? `</${name}>` : '</entry>');
  }
  if (!flattened) out.push(`</${name}>`);
}

function scalarText(shape: Shape, value: unknown): string {
  if (shape.type === 'timestamp') return isoTimestamp(value);
  if (shape.type === 'blob' && value instanceof Uint8Array) {
    return Buffer.from(value).toString('base64');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  throw new Error(`output ${shape.name} is not a ${shape.type}`);
}

/** `2024-01-02T03:04:05Z`, with milliseconds only when there are some, as IAM writes them. */
function isoTimestamp(value: unknown): string {
  const date =
    value instanceof Date
      ? value
      : typeof value === 'number'
        ? new Date(value * 1000) // epoch seconds, as the JSON path carries timestamps
        : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new Error(`output timestamp ${String(value)} is invalid`);
  return date.toISOString().replace('.000Z', 'Z');
}

function asRecord(value: unknown, shape: Shape): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`output ${shape.name} is not an object`);
  }
  return value as Record<string, unknown>;
}
