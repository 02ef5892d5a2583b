/**
 * The one authorization hook every operation passes through (DESIGN.md principle 2): IAM
 * policy evaluation (src/iam/policy/) of the caller's policies for the operation's action and
 * resource. The bootstrap administrator is the account's root: allowed everything, as root is
 * in AWS. Refusals name the action and resource, never the policy text.
 */
import { AccessDeniedException } from '../errors/lockstep-error.js';
import { evaluatePolicies } from './policy/evaluate-policies.js';
import type { Principal } from './principal.js';
import type { PrincipalPolicyLoader } from './principal-policies.js';

export interface AuthorizationRequest {
  principal: Principal;
  /** The IAM action, `codepipeline:GetPipeline`. */
  action: string;
  /** The resource ARN the action is on, or `*`. */
  resourceArn: string;
  /** What the request itself says about the caller (aws:SourceIp, aws:SecureTransport). */
  sourceIp: string;
  secureTransport: boolean;
}

export type Authorize = (request: AuthorizationRequest) => Promise<void>;

/** The authorization hook over the principals' stored policies. */
export function createAuthorizer(policies: PrincipalPolicyLoader): Authorize {
  return async (request) => {
    if (request.principal.isBootstrapAdmin) return;
    const { identityPolicies, permissionsBoundary } = await policies.forUser(
      request.principal.userName,
    );
    const result = evaluatePolicies({
      identityPolicies,
      ...(permissionsBoundary ? { permissionsBoundary } : {}),
      context: {
        principalArn: request.principal.arn,
        action: request.action,
        resource: request.resourceArn,
        conditionKeys: {
          'aws:SourceIp': request.sourceIp,
          'aws:SecureTransport': String(request.secureTransport),
          'aws:CurrentTime': new Date().toISOString(),
          'aws:EpochTime': String(Math.floor(Date.now() / 1000)),
          // Long-term access keys never carry MFA; MFA sessions come with STS.
          'aws:MultiFactorAuthPresent': 'false',
        },
      },
    });
    if (result.decision === 'Allow') return;
    const why =
      result.decision === 'ExplicitDeny'
        ? `with an explicit deny in an identity-based policy`
        : `because no identity-based policy allows the ${request.action} action`;
    throw new AccessDeniedException(
      `User: ${request.principal.arn} is not authorized to perform: ${request.action} ` +
        `on resource: ${request.resourceArn} ${why}`,
    );
  };
}
