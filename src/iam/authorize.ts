/**
 * The one authorization hook every operation passes through (DESIGN.md principle 2): IAM
 * policy evaluation (src/iam/policy/) of the caller's policies for the operation's action and
 * resource. The bootstrap administrator is the account's root: allowed everything, as root is
 * in AWS, including through its own GetSessionToken sessions. A role session is evaluated with
 * its role's policies within its session policies. A resource with a policy of its own that
 * governs it (a KMS key and its key policy) is decided by that policy's rule, for the
 * administrator too. Refusals name the action and resource, never the policy text.
 */
import { AccessDeniedException } from '../errors/lockstep-error.js';
import {
  evaluatePolicies,
  type Decision,
  type EvaluationInput,
} from './policy/evaluate-policies.js';
import { parsePolicyDocument } from './policy/parse-policy-document.js';
import type { Principal } from './principal.js';
import type { PrincipalPolicyLoader } from './principal-policies.js';
import { sessionConditionKeys } from './sts/session-condition-keys.js';

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

/** A resource policy's answer; `reason` says in AWS's words why it refused. */
export interface ResourcePolicyVerdict {
  decision: Decision;
  reason: string;
}

/** How a resource's own policy decides a call on it together with the caller's policies. */
export type ResourcePolicyRule = (caller: EvaluationInput) => ResourcePolicyVerdict;

/** The rule of the resource an ARN names, when a policy of its own governs it (KMS keys). */
export type ResourcePolicyLookup = (resourceArn: string) => Promise<ResourcePolicyRule | undefined>;

// AWS: "No permissions are required to perform this operation", and for GetCallerIdentity
// not even an explicit deny takes it away; GetSessionToken still yields to an explicit deny.
const ALWAYS_ALLOWED = new Set(['sts:GetCallerIdentity']);
const NEEDS_NO_ALLOW = new Set(['sts:GetSessionToken']);
// The administrator's identity as a policy, for resources whose own policy still decides.
const ALLOWS_EVERYTHING = parsePolicyDocument(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  }),
  { kind: 'identity' },
);

/**
 * The authorization hook over the principals' stored policies; `now` is for tests, and
 * `resourcePolicy` finds the resources governed by a policy of their own.
 */
export function createAuthorizer(
  policies: PrincipalPolicyLoader,
  now: () => number = Date.now,
  resourcePolicy?: ResourcePolicyLookup,
): Authorize {
  return async (request) => {
    const { principal } = request;
    if (ALWAYS_ALLOWED.has(request.action)) return;
    // As a key policy binds even the account root in AWS, it binds the administrator here.
    const rule = await resourcePolicy?.(request.resourceArn);
    if (principal.isBootstrapAdmin && rule === undefined) return;
    const nowMs = now();
    const input: EvaluationInput = {
      ...(principal.isBootstrapAdmin
        ? { identityPolicies: [ALLOWS_EVERYTHING] }
        : await policies.forPrincipal(principal)),
      context: {
        principalArn: principal.arn,
        ...(principal.session?.roleArn ? { principalRoleArn: principal.session.roleArn } : {}),
        action: request.action,
        resource: request.resourceArn,
        conditionKeys: {
          'aws:SourceIp': request.sourceIp,
          'aws:SecureTransport': String(request.secureTransport),
          'aws:CurrentTime': new Date(nowMs).toISOString(),
          'aws:EpochTime': String(Math.floor(nowMs / 1000)),
          ...sessionConditionKeys(principal, nowMs),
        },
      },
    };
    if (rule !== undefined) {
      const verdict = rule(input);
      if (verdict.decision !== 'Allow') throw accessDenied(request, verdict.reason);
      return;
    }
    const { decision } = evaluatePolicies(input);
    if (decision === 'Allow') return;
    if (decision === 'ImplicitDeny' && NEEDS_NO_ALLOW.has(request.action)) return;
    throw accessDenied(request, denialReason(input, decision, request.action));
  };
}

function accessDenied(request: AuthorizationRequest, reason: string): Error {
  return new AccessDeniedException(
    `User: ${request.principal.arn} is not authorized to perform: ${request.action} ` +
      `on resource: ${request.resourceArn} ${reason}`,
  );
}

/** Which kind of policy refused, in AWS's words. */
function denialReason(input: EvaluationInput, decision: string, action: string): string {
  if (decision === 'ExplicitDeny') return 'with an explicit deny in an identity-based policy';
  // The identity policies allowing it on their own means the session policies limited it.
  const { sessionPolicies, ...withoutSession } = input;
  if (sessionPolicies?.length && evaluatePolicies(withoutSession).decision === 'Allow') {
    return `because no session policy allows the ${action} action`;
  }
  return `because no identity-based policy allows the ${action} action`;
}
