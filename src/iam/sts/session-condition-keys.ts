/**
 * The condition keys a caller's credentials contribute to policy evaluation: MFA (present,
 * and its age in seconds, only for sessions that proved it), and for a role session the
 * role as aws:PrincipalArn, as IAM reports it.
 */
import type { Principal } from '../principal.js';

/** aws:MultiFactorAuthPresent/Age, aws:PrincipalArn and aws:PrincipalType for a caller. */
export function sessionConditionKeys(
  principal: Principal,
  nowMs: number,
): Record<string, string | undefined> {
  const mfaAtMs = principal.session?.mfaAuthenticatedAtMs;
  const roleArn = principal.session?.roleArn;
  return {
    // Long-term keys never carry MFA; only an MFA session does.
    'aws:MultiFactorAuthPresent': String(mfaAtMs !== undefined),
    'aws:MultiFactorAuthAge':
      mfaAtMs === undefined ? undefined : String(Math.max(0, Math.floor((nowMs - mfaAtMs) / 1000))),
    'aws:PrincipalType': roleArn === undefined ? 'User' : 'AssumedRole',
    // IAM: for a role session aws:PrincipalArn is the role's ARN, not the session's.
    ...(roleArn === undefined ? {} : { 'aws:PrincipalArn': roleArn }),
  };
}
