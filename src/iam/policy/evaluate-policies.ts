/**
 * IAM policy evaluation within one account (reference_policies_evaluation-logic), a pure
 * function of the policies and the request:
 * 1. An applicable Deny in any policy (identity, resource, boundary, session) → ExplicitDeny.
 * 2. A resource-policy Allow naming the caller itself (or everyone) → Allow: AWS says such a
 *    grant is "not limited by an implicit deny in an identity-based policy, a permissions
 *    boundary, or session policy".
 * 3. An Allow in an identity policy, or in a resource policy naming the caller's account or
 *    role, → Allow only if the boundary (when set) and the session policies (when given) allow
 *    it too: they intersect.
 * 4. Otherwise ImplicitDeny.
 */
import type { CompiledStatement } from './compile-statement.js';
import { compiledPolicyOf } from './compile-policy.js';
import { conditionsHold } from './evaluate-condition.js';
import type { PolicyDocument } from './policy-document.js';
import { variablesResolve } from './policy-template.js';
import type { PrincipalMatch } from './principal-element.js';
import { matchPrincipal, notPrincipalExempts } from './principal-element.js';
import type { EvaluationContext, RequestContext } from './request-context.js';
import { buildEvaluationContext } from './request-context.js';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
export type PolicyType = 'identity' | 'resource' | 'permissionsBoundary' | 'session';

/** A statement that decided the outcome, for the access review report. */
export interface MatchedStatement {
  policyType: PolicyType;
  /** Index into the list of that type (0 for the boundary). */
  policyIndex: number;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

export interface EvaluationInput {
  identityPolicies: readonly PolicyDocument[];
  resourcePolicies?: readonly PolicyDocument[];
  permissionsBoundary?: PolicyDocument;
  /** Session policies passed when the session was created; none (or []) means no limit. */
  sessionPolicies?: readonly PolicyDocument[];
  context: RequestContext;
}

export interface EvaluationResult {
  decision: Decision;
  /** Denies for ExplicitDeny; the granting Allows (and boundary/session Allows) for Allow; none for ImplicitDeny. */
  matchedStatements: MatchedStatement[];
}

interface Tally {
  readonly denies: MatchedStatement[];
  /** Resource-policy Allows naming the caller itself: not reduced by boundary or session policies. */
  readonly directAllows: MatchedStatement[];
  readonly allows: Record<PolicyType, MatchedStatement[]>;
}

function statementMatchesRequest(
  statement: CompiledStatement,
  context: EvaluationContext,
): boolean {
  return (
    statement.action(context.action, context) !== statement.notAction &&
    // AWS: if a variable "cannot resolve ... the entire statement" is invalid, so it never applies.
    variablesResolve(statement.variables, context) &&
    statement.resource(context.resource, context) !== statement.notResource &&
    conditionsHold(statement.conditions, context)
  );
}

/** How a resource-policy statement's Principal/NotPrincipal reaches the caller. */
function resourcePrincipalMatch(
  statement: CompiledStatement,
  context: EvaluationContext,
  hasBoundary: boolean,
): PrincipalMatch {
  if (statement.principal !== undefined) return matchPrincipal(statement.principal, context);
  if (statement.notPrincipal === undefined) return 'none';
  // AWS: a NotPrincipal Deny "will always deny any IAM principal that has a permissions
  // boundary policy attached, regardless of the values specified in the NotPrincipal element".
  if (hasBoundary) return 'direct';
  return notPrincipalExempts(statement.notPrincipal, context) ? 'none' : 'direct';
}

function tallyPolicy(
  tally: Tally,
  policyType: PolicyType,
  policyIndex: number,
  document: PolicyDocument,
  context: EvaluationContext,
  hasBoundary: boolean,
): void {
  for (const statement of compiledPolicyOf(document).statements) {
    // Principal elements only mean something in resource policies.
    const reach =
      policyType === 'resource'
        ? resourcePrincipalMatch(statement, context, hasBoundary)
        : 'delegated';
    if (reach === 'none' || !statementMatchesRequest(statement, context)) continue;
    const { effect } = statement;
    const matched: MatchedStatement = {
      policyType,
      policyIndex,
      statementIndex: statement.index,
      effect,
    };
    if (statement.sid !== undefined) matched.sid = statement.sid;
    if (effect === 'Deny') tally.denies.push(matched);
    else if (reach === 'direct') tally.directAllows.push(matched);
    else tally.allows[policyType].push(matched);
  }
}

function decide(tally: Tally, hasBoundary: boolean, hasSession: boolean): EvaluationResult {
  if (tally.denies.length > 0) return { decision: 'ExplicitDeny', matchedStatements: tally.denies };
  if (tally.directAllows.length > 0)
    return { decision: 'Allow', matchedStatements: tally.directAllows };
  const { identity, resource, permissionsBoundary, session } = tally.allows;
  const granted = [...identity, ...resource];
  const withinBoundary = !hasBoundary || permissionsBoundary.length > 0;
  const withinSession = !hasSession || session.length > 0;
  if (granted.length === 0 || !withinBoundary || !withinSession) {
    return { decision: 'ImplicitDeny', matchedStatements: [] };
  }
  return { decision: 'Allow', matchedStatements: [...granted, ...permissionsBoundary, ...session] };
}

/** Decides one request against every policy that applies to it; throws on a malformed document. */
export function evaluatePolicies(input: EvaluationInput): EvaluationResult {
  const context = buildEvaluationContext(input.context);
  const hasBoundary = input.permissionsBoundary !== undefined;
  const sessions = input.sessionPolicies ?? [];
  const tally: Tally = {
    denies: [],
    directAllows: [],
    allows: { identity: [], resource: [], permissionsBoundary: [], session: [] },
  };
  const sets: [PolicyType, readonly PolicyDocument[]][] = [
    ['identity', input.identityPolicies],
    ['resource', input.resourcePolicies ?? []],
    [
      'permissionsBoundary',
      input.permissionsBoundary === undefined ? [] : [input.permissionsBoundary],
    ],
    ['session', sessions],
  ];
  for (const [policyType, documents] of sets) {
    documents.forEach((document, index) =>
      tallyPolicy(tally, policyType, index, document, context, hasBoundary),
    );
  }
  return decide(tally, hasBoundary, sessions.length > 0);
}
