/**
 * Who may use a KMS key: the key policy is the gate, as in AWS KMS ("IAM policies by
 * themselves are not sufficient to allow access to a KMS key"). With the policy engine
 * (src/iam/policy/), for one caller and one key:
 * 1. An explicit Deny anywhere (key policy, identity, boundary, session) refuses.
 * 2. A key-policy Allow naming the caller itself (or everyone), or the role of its session,
 *    allows, the latter within the session's policies.
 * 3. A key-policy Allow naming only the caller's account (the default policy's root
 *    statement) delegates to IAM: the caller's identity policies must allow it too, within
 *    its boundary and session policies.
 * 4. Anything else refuses. A key policy without the account statement therefore refuses a
 *    caller whose IAM policies allow everything.
 */
import { compiledPolicyOf } from '../iam/policy/compile-policy.js';
import {
  evaluatePolicies,
  type Decision,
  type EvaluationInput,
  type MatchedStatement,
} from '../iam/policy/evaluate-policies.js';
import type { PolicyDocument } from '../iam/policy/policy-document.js';
import type { RequestContext } from '../iam/policy/request-context.js';

export interface KeyAccessVerdict {
  decision: Decision;
  /** For a refusal, AWS's words for why (`because no resource-based policy allows ...`). */
  reason: string;
}

const DENIED_IN: Record<MatchedStatement['policyType'], string> = {
  identity: 'an identity-based policy',
  resource: 'a resource-based policy',
  permissionsBoundary: 'a permissions boundary',
  session: 'a session policy',
};

/** KMS's own condition keys that Lockstep knows for a direct call. */
function withKmsKeys(context: RequestContext): RequestContext {
  const account = context.principalArn.split(':')[4] ?? '';
  return { ...context, conditionKeys: { ...context.conditionKeys, 'kms:CallerAccount': account } };
}

/** How the Principal of a matched key-policy statement reaches the caller. */
function reach(
  keyPolicy: PolicyDocument,
  matched: MatchedStatement,
  context: RequestContext,
): 'caller' | 'account' | 'none' {
  const principal = compiledPolicyOf(keyPolicy).statements[matched.statementIndex]?.principal;
  if (principal === undefined) return 'none';
  const role = context.principalRoleArn;
  if (
    principal.everyone ||
    principal.arns.has(context.principalArn) ||
    (role !== undefined && principal.arns.has(role))
  ) {
    return 'caller';
  }
  return principal.accounts.has(context.principalArn.split(':')[4] ?? '') ? 'account' : 'none';
}

function grants(
  result: { decision: Decision; matchedStatements: MatchedStatement[] },
  keyPolicy: PolicyDocument,
  context: RequestContext,
  how: 'caller' | 'account',
): boolean {
  return (
    result.decision === 'Allow' &&
    result.matchedStatements.some(
      (m) => m.policyType === 'resource' && reach(keyPolicy, m, context) === how,
    )
  );
}

/** Decides a call on a key from its key policy and the caller's own policies. */
export function decideKeyAccess(
  caller: EvaluationInput,
  keyPolicy: PolicyDocument,
): KeyAccessVerdict {
  const context = withKmsKeys(caller.context);
  const { action } = context;
  const everything = evaluatePolicies({ ...caller, context, resourcePolicies: [keyPolicy] });
  if (everything.decision === 'ExplicitDeny') {
    const deny = everything.matchedStatements[0];
    return {
      decision: 'ExplicitDeny',
      reason: `with an explicit deny in ${DENIED_IN[deny?.policyType ?? 'identity']}`,
    };
  }
  const keyOnly = { ...caller, context, identityPolicies: [], resourcePolicies: [keyPolicy] };
  if (grants(evaluatePolicies(keyOnly), keyPolicy, context, 'caller')) {
    return { decision: 'Allow', reason: '' };
  }
  const unlimited = { identityPolicies: [], resourcePolicies: [keyPolicy], context };
  if (!grants(evaluatePolicies(unlimited), keyPolicy, context, 'account')) {
    return {
      decision: 'ImplicitDeny',
      reason: `because no resource-based policy allows the ${action} action`,
    };
  }
  const identity = evaluatePolicies({ ...caller, context, resourcePolicies: [] });
  if (identity.decision === 'Allow') return { decision: 'Allow', reason: '' };
  return {
    decision: 'ImplicitDeny',
    reason: `because no identity-based policy allows the ${action} action`,
  };
}

/**
 * AWS's lockout safety check for a new key policy: it must still let the caller (or the
 * caller's account, through IAM) put the key policy, or the key could never be managed again.
 */
export function keepsPolicyManageable(
  keyPolicy: PolicyDocument,
  caller: Pick<RequestContext, 'principalArn' | 'principalRoleArn'>,
  keyArn: string,
): boolean {
  const context = withKmsKeys({
    ...caller,
    action: 'kms:PutKeyPolicy',
    resource: keyArn,
    conditionKeys: {},
  });
  const result = evaluatePolicies({ identityPolicies: [], resourcePolicies: [keyPolicy], context });
  return result.decision === 'Allow';
}
