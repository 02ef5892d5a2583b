/**
 * A secret's resource policy (PutResourcePolicy): checked with the IAM policy engine when it is
 * put, and evaluated with the caller's own policies on every call on the secret, as AWS does
 * within one account: an explicit Deny in either refuses, an Allow in either allows.
 */
import type { ResourcePolicyRule } from '../iam/authorize.js';
import { compiledPolicyOf } from '../iam/policy/compile-policy.js';
import { evaluatePolicies } from '../iam/policy/evaluate-policies.js';
import { parsePolicyDocument } from '../iam/policy/parse-policy-document.js';
import { PolicyDocumentError, type PolicyDocument } from '../iam/policy/policy-document.js';
import { MalformedPolicyDocumentException, PublicPolicyException } from './secret-errors.js';

/** Parses a resource policy; MalformedPolicyDocumentException with the engine's reason. */
export function parseSecretPolicy(text: string): PolicyDocument {
  try {
    return parsePolicyDocument(text, { kind: 'resource' });
  } catch (error) {
    if (error instanceof PolicyDocumentError) {
      throw new MalformedPolicyDocumentException(error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * BlockPublicPolicy: refuses a policy with an unconditional Allow for everyone (`"*"`). AWS
 * reasons about conditions more finely; any condition on such a grant is taken as narrowing it.
 */
export function refusePublicPolicy(policy: PolicyDocument): void {
  const open = compiledPolicyOf(policy).statements.some(
    (s) => s.effect === 'Allow' && s.principal?.everyone === true && s.conditions.length === 0,
  );
  if (open) {
    throw new PublicPolicyException(
      'The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent ' +
        'broad access to the secret.',
    );
  }
}

/** How the authorizer decides a call on a secret that has a resource policy. */
export function secretPolicyRule(policy: PolicyDocument): ResourcePolicyRule {
  return (caller) => {
    const { decision, matchedStatements } = evaluatePolicies({
      ...caller,
      resourcePolicies: [policy],
    });
    const deniedBy =
      matchedStatements[0]?.policyType === 'resource'
        ? 'a resource-based policy'
        : 'an identity-based policy';
    const reason =
      decision === 'ExplicitDeny'
        ? `with an explicit deny in ${deniedBy}`
        : 'because no identity-based policy or resource-based policy allows the ' +
          `${caller.context.action} action`;
    return { decision, reason };
  };
}
