/**
 * Validates decoded Query input with ServiceModel.parseInput, unchanged. IAM and STS name
 * members in their messages with a lower-case first letter (`at 'userName'`, `at
 * 'policyArns.1.member.arn'`) while the model says `UserName`, so validation runs against a
 * copy of the model whose member names are lower-camel-cased, and the input is renamed on the
 * way in and back on the way out. This keeps one validator and one set of message texts.
 */
import type { ModelJson, ShapeJson } from '../model/model-json.js';
import { ServiceModel } from '../model/service-model.js';
import type { Shape } from '../model/shape.js';

type Direction = 'toValidation' | 'fromValidation';

export class QueryInputValidator {
  private readonly camelModel: ServiceModel;

  constructor(json: ModelJson, source: string) {
    this.camelModel = ServiceModel.fromJson(camelCaseMembers(json, source), source);
  }

  /**
   * Checks `decoded` (keyed by the model's member names) against the operation's input shape
   * `shape` and returns it with only modelled members; throws ValidationException with IAM's
   * message texts.
   */
  validate(operation: string, shape: Shape | undefined, decoded: Record<string, unknown>) {
    if (shape === undefined) return this.camelModel.parseInput(operation, {});
    const camel = renameMembers(decoded, shape, 'toValidation');
    const valid = this.camelModel.parseInput(operation, camel);
    return renameMembers(valid, shape, 'fromValidation') as Record<string, unknown>;
  }
}

/** `UserName` → `userName`, as AWS's Query services name members in validation messages. */
function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function camelCaseMembers(json: ModelJson, source: string): ModelJson {
  const shapes: Record<string, ShapeJson> = {};
  for (const [name, shape] of Object.entries(json.shapes)) {
    if (shape.type !== 'structure' || shape.members === undefined) {
      shapes[name] = shape;
      continue;
    }
    const members = Object.fromEntries(
      Object.entries(shape.members).map(([member, ref]) => [lowerFirst(member), ref]),
    );
    // Two members differing only in their first letter would validate as one; refuse the model.
    if (Object.keys(members).length !== Object.keys(shape.members).length) {
      throw new Error(`${source}: shape ${name} has members that differ only in case`);
    }
    shapes[name] = { ...shape, members, required: shape.required?.map(lowerFirst) };
  }
  return { ...json, shapes };
}

/** Copies a value, renaming structure members between model and validation spelling. */
function renameMembers(value: unknown, shape: Shape, direction: Direction): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (shape.type === 'list') {
    return Array.isArray(value)
      ? value.map((item: unknown) => renameMembers(item, shape.member, direction))
      : value;
  }
  if (Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (shape.type === 'map') {
    return Object.fromEntries(
      Object.entries(record).map(([key, item]) => [
        key,
        renameMembers(item, shape.value, direction),
      ]),
    );
  }
  if (shape.type !== 'structure') return value;
  const result: Record<string, unknown> = {};
  for (const member of shape.members) {
    const camel = lowerFirst(member.name);
    const [from, to] = direction === 'toValidation' ? [member.name, camel] : [camel, member.name];
    if (Object.hasOwn(record, from)) {
      result[to] = renameMembers(record[from], member.shape, direction);
    }
  }
  return result;
}
