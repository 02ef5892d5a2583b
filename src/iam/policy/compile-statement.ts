/**
 * One policy statement, validated with IAM's MalformedPolicyDocument wording where AWS has one,
 * and compiled: action and resource lists become one precompiled matcher each.
 */
import type { CompiledCondition } from './compile-condition.js';
import { compileConditionBlock } from './compile-condition.js';
import type { PolicyKind } from './policy-document.js';
import { PolicyDocumentError } from './policy-document.js';
import type { TemplateVariable } from './policy-template.js';
import { parseTemplate } from './policy-template.js';
import type { CompiledPrincipal } from './principal-element.js';
import { compilePrincipal } from './principal-element.js';
import type { ValueMatcher } from './wildcard-pattern.js';
import { compileWildcardMatcher } from './wildcard-pattern.js';

export interface CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly principal: CompiledPrincipal | undefined;
  readonly notPrincipal: CompiledPrincipal | undefined;
  readonly action: ValueMatcher;
  /** NotAction: the statement covers every action except the listed ones. */
  readonly notAction: boolean;
  readonly resource: ValueMatcher;
  readonly notResource: boolean;
  readonly conditions: readonly CompiledCondition[];
  /** Policy variables in Resource/NotResource and conditions; all must resolve to apply. */
  readonly variables: readonly TemplateVariable[];
}

export interface StatementOptions {
  readonly kind: PolicyKind | undefined;
  /** True for 2012-10-17: `${...}` is a policy variable. */
  readonly variables: boolean;
}

const FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACTION = /^[A-Za-z0-9*?-]+:[^:]+$/;

function stringList(raw: unknown, path: string, emptyMessage: string): string[] {
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (list.length === 0) throw new PolicyDocumentError(emptyMessage, path);
  for (const value of list) {
    if (typeof value !== 'string' || value === '') {
      throw new PolicyDocumentError(
        'Syntax errors in policy. Expected a non-empty string or an array of them.',
        path,
      );
    }
  }
  return list as string[];
}

/**
 * A trust policy applies to its role only, so IAM forbids Resource in it; it is evaluated as
 * if it said `*`.
 */
function trustResources(
  statement: Record<string, unknown>,
  path: string,
  kind: PolicyKind | undefined,
): { values: string[]; negated: boolean; path: string } | undefined {
  if (kind !== 'trust') return undefined;
  for (const field of ['Resource', 'NotResource']) {
    if (statement[field] !== undefined) {
      throw new PolicyDocumentError(`Has prohibited field ${field}`, `${path}.${field}`);
    }
  }
  return { values: ['*'], negated: false, path: `${path}.Resource` };
}

/** Exactly one of `Action`/`NotAction` (or `Resource`/`NotResource`) must be present. */
function onePair(
  statement: Record<string, unknown>,
  field: 'Action' | 'Resource',
  path: string,
): { values: string[]; negated: boolean; path: string } {
  const negatedField = `Not${field}`;
  const missing = `Policy statement must contain ${field === 'Action' ? 'actions' : 'resources'}.`;
  const hasPlain = statement[field] !== undefined;
  const hasNot = statement[negatedField] !== undefined;
  if (hasPlain && hasNot) {
    throw new PolicyDocumentError(
      `Syntax errors in policy. Use ${field} or ${negatedField}, not both.`,
      path,
    );
  }
  if (!hasPlain && !hasNot) throw new PolicyDocumentError(missing, path);
  const name = hasPlain ? field : negatedField;
  const fieldPath = `${path}.${name}`;
  return {
    values: stringList(statement[name], fieldPath, missing),
    negated: hasNot,
    path: fieldPath,
  };
}

function compileActions(values: readonly string[], path: string): ValueMatcher {
  for (const action of values) {
    if (action === '*' || ACTION.test(action)) continue;
    throw new PolicyDocumentError(
      action.includes(':')
        ? 'Actions/Condition can contain only one colon.'
        : 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
      path,
    );
  }
  // Actions never take policy variables.
  return compileWildcardMatcher(
    values.map((a) => parseTemplate(a, false)),
    'action',
  );
}

function checkEffect(value: unknown, path: string): 'Allow' | 'Deny' {
  if (value === 'Allow' || value === 'Deny') return value;
  if (value === undefined) throw new PolicyDocumentError('Missing required field Effect.', path);
  throw new PolicyDocumentError(
    `Invalid effect: ${JSON.stringify(value)}. Use Allow or Deny.`,
    path,
  );
}

function checkSid(value: unknown, path: string, kind: PolicyKind | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new PolicyDocumentError('Syntax errors in policy. Sid must be a string.', path);
  if (kind === 'identity' && !/^[0-9A-Za-z]*$/.test(value)) {
    throw new PolicyDocumentError(
      'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
      path,
    );
  }
  return value;
}

function checkPrincipals(
  statement: Record<string, unknown>,
  effect: string,
  path: string,
  kind: PolicyKind | undefined,
) {
  const hasPrincipal = statement.Principal !== undefined;
  const hasNotPrincipal = statement.NotPrincipal !== undefined;
  if (kind === 'identity' && (hasPrincipal || hasNotPrincipal)) {
    throw new PolicyDocumentError('Policy document should not specify a principal.', path);
  }
  if ((kind === 'resource' || kind === 'trust') && !hasPrincipal && !hasNotPrincipal) {
    throw new PolicyDocumentError('Missing required field Principal.', path);
  }
  if (hasPrincipal && hasNotPrincipal) {
    throw new PolicyDocumentError(
      'Syntax errors in policy. Use Principal or NotPrincipal, not both.',
      path,
    );
  }
  // AWS: "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported."
  if (hasNotPrincipal && effect !== 'Deny') {
    throw new PolicyDocumentError('NotPrincipal must be used with "Effect": "Deny".', path);
  }
  return {
    principal: hasPrincipal
      ? compilePrincipal(statement.Principal, `${path}.Principal`)
      : undefined,
    notPrincipal: hasNotPrincipal
      ? compilePrincipal(statement.NotPrincipal, `${path}.NotPrincipal`)
      : undefined,
  };
}

/** Validates and compiles `Statement[index]`; throws PolicyDocumentError naming the problem. */
export function compileStatement(
  raw: unknown,
  index: number,
  options: StatementOptions,
): CompiledStatement {
  const path = `Statement[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicyDocumentError(
      'Syntax errors in policy. A statement must be a JSON object.',
      path,
    );
  }
  const statement = raw as Record<string, unknown>;
  const unknown = Object.keys(statement).find((field) => !FIELDS.has(field));
  if (unknown !== undefined)
    throw new PolicyDocumentError(`Syntax errors in policy. Unknown field ${unknown}.`, path);
  const effect = checkEffect(statement.Effect, path);
  const sid = checkSid(statement.Sid, `${path}.Sid`, options.kind);
  const principals = checkPrincipals(statement, effect, path, options.kind);
  const actions = onePair(statement, 'Action', path);
  const resources =
    trustResources(statement, path, options.kind) ?? onePair(statement, 'Resource', path);
  for (const resource of resources.values) {
    if (resource !== '*' && !resource.startsWith('arn:')) {
      throw new PolicyDocumentError(
        `Resource ${resource} must be in ARN format or "*".`,
        resources.path,
      );
    }
  }
  const resourceTemplates = resources.values.map((r) => parseTemplate(r, options.variables));
  const conditionBlock =
    statement.Condition === undefined
      ? { conditions: [], variables: [] }
      : compileConditionBlock(statement.Condition, `${path}.Condition`, options.variables);
  return {
    index,
    sid,
    effect,
    ...principals,
    action: compileActions(actions.values, actions.path),
    notAction: actions.negated,
    resource: compileWildcardMatcher(resourceTemplates, 'resource'),
    notResource: resources.negated,
    conditions: conditionBlock.conditions,
    variables: [...resourceTemplates.flatMap((t) => t.variables), ...conditionBlock.variables],
  };
}
