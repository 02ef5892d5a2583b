/**
 * Whether a role's trust policy lets a caller assume it: the trust policy evaluated as a
 * resource policy on `sts:AssumeRole`, with the caller as principal and the request's
 * sts:ExternalId, sts:RoleSessionName and the caller's MFA as condition keys.
 */
import type { IamRoleRecord } from '../../store/iam-store.js';
import { evaluatePolicies } from '../policy/evaluate-policies.js';
import { parsePolicyDocument } from '../policy/parse-policy-document.js';
import type { Principal } from '../principal.js';
import { sessionConditionKeys } from './session-condition-keys.js';

export interface TrustRequest {
  caller: Principal;
  role: IamRoleRecord;
  sessionName: string;
  externalId?: string;
  /** Set when this AssumeRole call itself proved MFA. */
  mfaAtMs?: number;
  nowMs: number;
}

/** True when the role's trust policy allows the caller to assume it. */
export function roleTrustAllows(request: TrustRequest): boolean {
  const { caller, role, nowMs } = request;
  const mfaCaller: Principal =
    request.mfaAtMs === undefined
      ? caller
      : { ...caller, session: { ...caller.session, mfaAuthenticatedAtMs: request.mfaAtMs } };
  const result = evaluatePolicies({
    identityPolicies: [],
    resourcePolicies: [parsePolicyDocument(role.assumeRolePolicy, { kind: 'trust' })],
    context: {
      principalArn: caller.arn,
      ...(caller.session?.roleArn ? { principalRoleArn: caller.session.roleArn } : {}),
      action: 'sts:AssumeRole',
      resource: role.arn,
      conditionKeys: {
        ...sessionConditionKeys(mfaCaller, nowMs),
        'aws:CurrentTime': new Date(nowMs).toISOString(),
        'aws:EpochTime': String(Math.floor(nowMs / 1000)),
        'sts:ExternalId': request.externalId,
        'sts:RoleSessionName': request.sessionName,
      },
    },
  });
  return result.decision === 'Allow';
}
