/**
 * A statement's Condition block, validated and compiled into one entry per (operator, key).
 */
import type { OperatorDefinition, ParsedOperator, ValuePredicate } from './condition-operators.js';
import { parseConditionOperator } from './condition-operators.js';
import { PolicyDocumentError } from './policy-document.js';
import type { TemplateVariable } from './policy-template.js';

export interface CompiledCondition {
  /** Lower-cased: condition key names are case-insensitive. */
  readonly key: string;
  readonly set: ParsedOperator['set'];
  readonly ifExists: boolean;
  readonly negated: boolean;
  /** For `Null` only: per policy value, whether the key must be absent (ORed). */
  readonly nullExpectsAbsent: readonly boolean[] | undefined;
  readonly tests: readonly ValuePredicate[];
}

export interface CompiledConditionBlock {
  readonly conditions: readonly CompiledCondition[];
  /** Every policy variable the block uses, to decide up front whether the statement resolves. */
  readonly variables: readonly TemplateVariable[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function conditionValues(raw: unknown, path: string): string[] {
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (list.length === 0) {
    throw new PolicyDocumentError(
      'Syntax errors in policy. A condition key needs at least one value.',
      path,
    );
  }
  return list.map((value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new PolicyDocumentError(
      'Syntax errors in policy. Condition values must be strings, numbers or booleans.',
      path,
    );
  });
}

function compileNull(values: readonly string[], path: string): boolean[] {
  return values.map((value) => {
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw new PolicyDocumentError(
        `Invalid Null value ${JSON.stringify(value)}: use "true" or "false".`,
        path,
      );
    }
    return lower === 'true';
  });
}

function compileValues(
  definition: OperatorDefinition,
  values: readonly string[],
  path: string,
  variables: boolean,
): { tests: ValuePredicate[]; variables: TemplateVariable[] } {
  const tests: ValuePredicate[] = [];
  const used: TemplateVariable[] = [];
  for (const value of values) {
    try {
      const compiled = definition.compile(value, variables);
      tests.push(compiled.test);
      used.push(...compiled.variables);
    } catch (error) {
      throw new PolicyDocumentError((error as Error).message, path);
    }
  }
  return { tests, variables: used };
}

function compileKey(
  operator: ParsedOperator,
  key: string,
  raw: unknown,
  path: string,
  variables: boolean,
): { condition: CompiledCondition; variables: TemplateVariable[] } {
  if (!/^[^:]+:./s.test(key)) {
    throw new PolicyDocumentError(
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
      path,
    );
  }
  const values = conditionValues(raw, path);
  const { definition, set, ifExists } = operator;
  const base = { key: key.toLowerCase(), set, ifExists };
  if (definition === undefined) {
    const nullExpectsAbsent = compileNull(values, path);
    return { condition: { ...base, negated: false, nullExpectsAbsent, tests: [] }, variables: [] };
  }
  const compiled = compileValues(definition, values, path, variables);
  const condition = {
    ...base,
    negated: definition.negated,
    nullExpectsAbsent: undefined,
    tests: compiled.tests,
  };
  return { condition, variables: compiled.variables };
}

/** Validates and compiles a Condition element; `variables` is false for 2008-10-17 documents. */
export function compileConditionBlock(
  raw: unknown,
  path: string,
  variables: boolean,
): CompiledConditionBlock {
  if (!isPlainObject(raw)) {
    throw new PolicyDocumentError(
      'Syntax errors in policy. Condition must be a JSON object.',
      path,
    );
  }
  const conditions: CompiledCondition[] = [];
  const used: TemplateVariable[] = [];
  for (const [operatorName, keys] of Object.entries(raw)) {
    const operatorPath = `${path}.${operatorName}`;
    const operator = parseConditionOperator(operatorName);
    if (operator === undefined) {
      throw new PolicyDocumentError(`Invalid Condition type : ${operatorName}.`, operatorPath);
    }
    if (!isPlainObject(keys) || Object.keys(keys).length === 0) {
      throw new PolicyDocumentError(
        'Syntax errors in policy. A condition operator needs an object of condition keys.',
        operatorPath,
      );
    }
    for (const [key, value] of Object.entries(keys)) {
      const compiled = compileKey(operator, key, value, `${operatorPath}.${key}`, variables);
      conditions.push(compiled.condition);
      used.push(...compiled.variables);
    }
  }
  return { conditions, variables: used };
}
