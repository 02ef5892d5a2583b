import { SerializationException } from '../../errors/lockstep-error.js';
import { describeValue } from './render-value.js';

/** Deeper input than this can only come from a recursive shape, and would risk the stack. */
export const MAX_DEPTH = 100;

/** What one walk over a request collects: violations in the order AWS reports them. */
export interface WalkContext {
  violations: string[];
  depth: number;
}

/** Records one constraint violation in AWS's wording. */
export function violate(
  context: WalkContext,
  value: unknown,
  path: string,
  hidden: boolean,
  constraint: string,
): void {
  const subject = describeValue(value, path, hidden);
  context.violations.push(`${subject} failed to satisfy constraint: ${constraint}`);
}

/** The error for a value of the wrong JSON type: the member path and the type expected. */
export function wrongType(value: unknown, path: string, hidden: boolean, expected: string): Error {
  if (path === '') {
    return new SerializationException(`The request body is not a valid JSON ${expected}`);
  }
  const subject = describeValue(value, path, hidden);
  return new SerializationException(`${subject} is not a valid ${expected}`);
}

/** Steps one level down into a structure, list or map, refusing absurdly deep input. */
export function enter(context: WalkContext, path: string): void {
  context.depth += 1;
  if (context.depth > MAX_DEPTH) {
    throw new SerializationException(
      `Value at '${path}' is nested deeper than ${MAX_DEPTH} levels`,
    );
  }
}
