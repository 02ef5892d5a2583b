/**
 * Principal and NotPrincipal in resource policies. How a caller matches decides how far a
 * resource policy's Allow reaches (reference_policies_evaluation-logic, same account): a grant
 * naming the caller itself is "not limited by an implicit deny in an identity-based policy, a
 * permissions boundary, or session policy"; one naming the role of a session is.
 */
import { PolicyDocumentError } from './policy-document.js';
import type { EvaluationContext } from './request-context.js';

export interface CompiledPrincipal {
  readonly everyone: boolean;
  /** 12-digit account ids, from `123456789012` or `arn:aws:iam::123456789012:root`. */
  readonly accounts: ReadonlySet<string>;
  /** User, role, session and other IAM/STS ARNs, compared exactly. */
  readonly arns: ReadonlySet<string>;
}

/** `direct`: the caller is named (or everyone is); `delegated`: its account or role is. */
export type PrincipalMatch = 'direct' | 'delegated' | 'none';

const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;
const IAM_ARN = /^arn:[^:]+:(?:iam|sts)::\d{12}:[^*?]+$/;

function invalid(path: string, detail: string): PolicyDocumentError {
  return new PolicyDocumentError(`Invalid principal in policy: ${detail}`, path);
}

function principalValues(raw: unknown, path: string): string[] {
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (list.length === 0 || !list.every((v): v is string => typeof v === 'string' && v !== '')) {
    throw invalid(path, 'principal values must be non-empty strings.');
  }
  return list;
}

function addAwsValue(
  value: string,
  path: string,
  accounts: Set<string>,
  arns: Set<string>,
): boolean {
  if (value === '*') return true;
  const root = ROOT_ARN.exec(value)?.[1];
  if (ACCOUNT_ID.test(value) || root !== undefined) accounts.add(root ?? value);
  // IAM refuses wildcards in a principal ARN; only a whole `*` means everyone.
  else if (IAM_ARN.test(value)) arns.add(value);
  else throw invalid(path, `"${value}" is not an account id, an IAM ARN or "*".`);
  return false;
}

/** Validates and compiles a Principal or NotPrincipal element. */
export function compilePrincipal(raw: unknown, path: string): CompiledPrincipal {
  const accounts = new Set<string>();
  const arns = new Set<string>();
  if (raw === '*') return { everyone: true, accounts, arns };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(path, 'use "*" or an object such as {"AWS": "123456789012"}.');
  }
  let everyone = false;
  for (const [type, value] of Object.entries(raw)) {
    if (!PRINCIPAL_TYPES.has(type)) throw invalid(path, `unknown principal type ${type}.`);
    const values = principalValues(value, `${path}.${type}`);
    // Service, Federated and CanonicalUser principals are kept out: Lockstep's callers are
    // IAM users and role sessions, which never match them.
    if (type !== 'AWS') continue;
    for (const v of values)
      everyone = addAwsValue(v, `${path}.${type}`, accounts, arns) || everyone;
  }
  return { everyone, accounts, arns };
}

function isRootCaller(context: EvaluationContext): boolean {
  return context.principalArn.endsWith(':root') && ROOT_ARN.test(context.principalArn);
}

/** How a Principal element matches the caller. */
export function matchPrincipal(
  principal: CompiledPrincipal,
  context: EvaluationContext,
): PrincipalMatch {
  if (principal.everyone || principal.arns.has(context.principalArn)) return 'direct';
  if (principal.accounts.has(context.principalAccount)) {
    return isRootCaller(context) ? 'direct' : 'delegated';
  }
  const role = context.principalRoleArn;
  return role !== undefined && principal.arns.has(role) ? 'delegated' : 'none';
}

/**
 * Whether a NotPrincipal exempts the caller from its Deny. AWS checks the account, then the
 * role, then the session or user, so each of those must be listed for the caller to escape.
 */
export function notPrincipalExempts(
  principal: CompiledPrincipal,
  context: EvaluationContext,
): boolean {
  if (principal.everyone) return true;
  if (!principal.accounts.has(context.principalAccount)) return false;
  if (isRootCaller(context)) return true;
  const role = context.principalRoleArn;
  if (role !== undefined && !principal.arns.has(role)) return false;
  return principal.arns.has(context.principalArn);
}
