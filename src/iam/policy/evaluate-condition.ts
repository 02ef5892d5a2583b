/**
 * Evaluates compiled conditions against a request. AWS's rules, in the order applied here:
 * - A key missing from the request: `...IfExists` is true; `Null` tests exactly that;
 *   `ForAllValues` is true ("If the key values in the request resolve to an empty data set ...
 *   ForAllValues returns true"); `ForAnyValue` is false; a plain operator is false, and a negated
 *   one true ("If the policy condition requires that the key is not matched, such as
 *   StringNotLike or ArnNotLike, and the right key is not present, the condition is true").
 * - Values of one key are ORed (NORed for a negated operator); keys and operators are ANDed.
 */
import type { CompiledCondition } from './compile-condition.js';
import type { EvaluationContext } from './request-context.js';

const NO_VALUES: readonly string[] = [];

function requestValues(context: EvaluationContext, key: string): readonly string[] {
  const value = context.keys.get(key);
  if (value === undefined) return NO_VALUES;
  return typeof value === 'string' ? [value] : value;
}

function matchesAnyPolicyValue(
  condition: CompiledCondition,
  actual: string,
  context: EvaluationContext,
): boolean {
  return condition.tests.some((test) => test(actual, context));
}

/** True when one compiled (operator, key) entry holds for the request. */
export function conditionHolds(condition: CompiledCondition, context: EvaluationContext): boolean {
  const values = requestValues(context, condition.key);
  const absent = values.length === 0;
  if (condition.nullExpectsAbsent !== undefined) {
    return condition.nullExpectsAbsent.some((expectsAbsent) => expectsAbsent === absent);
  }
  if (absent) {
    if (condition.ifExists) return true;
    if (condition.set === 'ForAllValues') return true;
    if (condition.set === 'ForAnyValue') return false;
    return condition.negated;
  }
  // For a negated operator a request value "holds" when it matches none of the policy values.
  const holds = (actual: string) =>
    matchesAnyPolicyValue(condition, actual, context) !== condition.negated;
  switch (condition.set) {
    case 'ForAllValues':
      return values.every(holds);
    case 'ForAnyValue':
      return values.some(holds);
    case 'single':
      // A multi-valued key under a plain operator: positive if any value matches, negated if
      // none does, so that a negated operator stays the exact complement of its positive one.
      return condition.negated ? values.every(holds) : values.some(holds);
  }
}

/** True when every condition of a statement holds (an empty list always holds). */
export function conditionsHold(
  conditions: readonly CompiledCondition[],
  context: EvaluationContext,
): boolean {
  return conditions.every((condition) => conditionHolds(condition, context));
}
