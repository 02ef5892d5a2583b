/**
 * IAM's condition operators (reference_policies_elements_condition_operators): how each one
 * reads a policy value at parse time and compares it with a request value at evaluation time.
 * Policy variables are honoured only where AWS allows them: the String, ARN and Bool operators.
 */
import { compileCidr, parseIp } from './ip-cidr.js';
import { parseDateValue } from './date-value.js';
import type { ResolvedPart, TemplateVariable } from './policy-template.js';
import { parseTemplate, renderLiteral, resolveTemplate } from './policy-template.js';
import type { EvaluationContext } from './request-context.js';
import type { WildcardMode } from './wildcard-pattern.js';
import { compileWildcardMatcher } from './wildcard-pattern.js';

/** Does one request value match one policy value. */
export type ValuePredicate = (actual: string, context: EvaluationContext) => boolean;

export interface CompiledValue {
  readonly test: ValuePredicate;
  readonly variables: readonly TemplateVariable[];
}

/** Compiles one policy value; throws an Error saying why the value is not valid. */
type ValueCompiler = (raw: string, variables: boolean) => CompiledValue;

export interface OperatorDefinition {
  readonly name: string;
  /** Negated operators (StringNotEquals, NotIpAddress, ...) NOR their values. */
  readonly negated: boolean;
  readonly compile: ValueCompiler;
}

export interface ParsedOperator {
  /** undefined for `Null`, which tests presence rather than values. */
  readonly definition: OperatorDefinition | undefined;
  readonly set: 'single' | 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
}

type Compare = (actual: number, expected: number) => boolean;
const COMPARE: Record<
  'Equals' | 'LessThan' | 'LessThanEquals' | 'GreaterThan' | 'GreaterThanEquals',
  Compare
> = {
  Equals: (a, e) => a === e,
  LessThan: (a, e) => a < e,
  LessThanEquals: (a, e) => a <= e,
  GreaterThan: (a, e) => a > e,
  GreaterThanEquals: (a, e) => a >= e,
};

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text.trim()) ? Number(text) : undefined;
}

function stringCompiler(fold: (s: string) => string): ValueCompiler {
  return (raw, variables) => {
    const template = parseTemplate(raw, variables);
    if (template.variables.length === 0) {
      const expected = fold(renderLiteral(template.parts as ResolvedPart[]));
      return { test: (actual) => fold(actual) === expected, variables: [] };
    }
    const test: ValuePredicate = (actual, context) => {
      const parts = resolveTemplate(template, context);
      return parts !== undefined && fold(actual) === fold(renderLiteral(parts));
    };
    return { test, variables: template.variables };
  };
}

function wildcardCompiler(mode: WildcardMode): ValueCompiler {
  return (raw, variables) => {
    const template = parseTemplate(raw, variables);
    return { test: compileWildcardMatcher([template], mode), variables: template.variables };
  };
}

function parsedCompiler<T>(
  kind: string,
  parse: (text: string) => T | undefined,
  matches: (actual: T, expected: T) => boolean,
): ValueCompiler {
  return (raw) => {
    const expected = parse(raw);
    if (expected === undefined) throw new Error(`Invalid ${kind} value ${JSON.stringify(raw)}.`);
    const test: ValuePredicate = (actual) => {
      const value = parse(actual);
      return value !== undefined && matches(value, expected);
    };
    return { test, variables: [] };
  };
}

const compileBool: ValueCompiler = (raw, variables) => {
  const compiled = stringCompiler((s) => s.toLowerCase())(raw, variables);
  if (compiled.variables.length === 0 && !/^(true|false)$/i.test(raw)) {
    throw new Error(`Invalid Bool value ${JSON.stringify(raw)}: use "true" or "false".`);
  }
  return compiled;
};

const compileBinary: ValueCompiler = (raw) => {
  if (!BASE64.test(raw)) throw new Error(`Invalid BinaryEquals value: ${raw} is not base-64.`);
  const expected = Buffer.from(raw, 'base64');
  return { test: (actual) => Buffer.from(actual, 'base64').equals(expected), variables: [] };
};

const compileIp: ValueCompiler = (raw) => {
  const contains = compileCidr(raw);
  if (contains === undefined) throw new Error(`Invalid IP address or CIDR block ${raw}.`);
  const test: ValuePredicate = (actual) => {
    const ip = parseIp(actual);
    return ip !== undefined && contains(ip);
  };
  return { test, variables: [] };
};

const DEFINITIONS = new Map<string, OperatorDefinition>();

function define(name: string, compile: ValueCompiler, negated = false): void {
  DEFINITIONS.set(name.toLowerCase(), { name, negated, compile });
}

define(
  'StringEquals',
  stringCompiler((s) => s),
);
define(
  'StringNotEquals',
  stringCompiler((s) => s),
  true,
);
define(
  'StringEqualsIgnoreCase',
  stringCompiler((s) => s.toLowerCase()),
);
define(
  'StringNotEqualsIgnoreCase',
  stringCompiler((s) => s.toLowerCase()),
  true,
);
define('StringLike', wildcardCompiler('string'));
define('StringNotLike', wildcardCompiler('string'), true);
for (const [suffix, compare] of Object.entries(COMPARE)) {
  define(`Numeric${suffix}`, parsedCompiler('Numeric', parseNumber, compare));
  define(`Date${suffix}`, parsedCompiler('Date', parseDateValue, compare));
}
define('NumericNotEquals', parsedCompiler('Numeric', parseNumber, COMPARE.Equals), true);
define('DateNotEquals', parsedCompiler('Date', parseDateValue, COMPARE.Equals), true);
define('Bool', compileBool);
define('BinaryEquals', compileBinary);
define('IpAddress', compileIp);
define('NotIpAddress', compileIp, true);
// AWS: "The ArnEquals and ArnLike condition operators behave identically."
define('ArnEquals', wildcardCompiler('arn'));
define('ArnLike', wildcardCompiler('arn'));
define('ArnNotEquals', wildcardCompiler('arn'), true);
define('ArnNotLike', wildcardCompiler('arn'), true);

const OPERATOR = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/i;

/** Reads `ForAllValues:StringLikeIfExists` and the like; undefined for an unknown operator. */
export function parseConditionOperator(name: string): ParsedOperator | undefined {
  const match = OPERATOR.exec(name);
  const base = match?.[2]?.toLowerCase();
  if (match === null || base === undefined) return undefined;
  const qualifier = match[1]?.toLowerCase();
  const set =
    qualifier === undefined
      ? 'single'
      : qualifier === 'foranyvalue'
        ? 'ForAnyValue'
        : 'ForAllValues';
  const ifExists = match[3] !== undefined;
  // AWS: IfExists may be added "to the end of any condition operator name except the Null condition".
  if (base === 'null')
    return ifExists || set !== 'single' ? undefined : { definition: undefined, set, ifExists };
  const definition = DEFINITIONS.get(base);
  return definition === undefined ? undefined : { definition, set, ifExists };
}
