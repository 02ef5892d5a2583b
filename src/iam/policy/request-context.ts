/**
 * The request as policy evaluation sees it (IAM's "request context"), and its normalised form
 * built once per evaluation so that every statement reads keys from one case-folded map.
 */

export interface RequestContext {
  /** `arn:aws:iam::123456789012:user/dev` or `arn:aws:sts::123456789012:assumed-role/R/s`. */
  principalArn: string;
  /**
   * For a role session, the role's own ARN (with its path): a resource policy naming the role
   * applies to its sessions, but only within the session's boundary and session policies.
   */
  principalRoleArn?: string;
  /** `codepipeline:GetPipeline` */
  action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  resource: string;
  /**
   * `aws:SourceIp` → `127.0.0.1`, `aws:RequestTag/team` → `a`, `aws:TagKeys` → [...]. Absent
   * and `undefined` mean the key is not in the request. Nothing here reads a clock: pass
   * `aws:CurrentTime` / `aws:EpochTime` for date conditions.
   */
  conditionKeys: Record<string, string | string[] | undefined>;
}

/** A single-valued key is a string; a multi-valued key (`aws:TagKeys`) an array. */
export type ContextValue = string | readonly string[];

export interface EvaluationContext {
  readonly principalArn: string;
  readonly principalAccount: string;
  readonly principalRoleArn: string | undefined;
  readonly action: string;
  readonly resource: string;
  /** By lower-cased key name: IAM condition key names are case-insensitive, values are not. */
  readonly keys: ReadonlyMap<string, ContextValue>;
}

const IAM_USER_ARN = /^arn:[^:]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/;

/** Case-folds the request's keys and adds the ones IAM always derives from the principal. */
export function buildEvaluationContext(request: RequestContext): EvaluationContext {
  const keys = new Map<string, ContextValue>();
  const principalAccount = request.principalArn.split(':')[4] ?? '';
  // Derived first so that a value the caller passes explicitly wins.
  keys.set('aws:principalarn', request.principalArn);
  if (principalAccount !== '') keys.set('aws:principalaccount', principalAccount);
  const userName = IAM_USER_ARN.exec(request.principalArn)?.[1];
  if (userName !== undefined) keys.set('aws:username', userName);
  for (const [name, value] of Object.entries(request.conditionKeys)) {
    if (value !== undefined) keys.set(name.toLowerCase(), value);
  }
  return {
    principalArn: request.principalArn,
    principalAccount,
    principalRoleArn: request.principalRoleArn,
    action: request.action,
    resource: request.resource,
    keys,
  };
}

/** The value of a key used as a policy variable: only single-valued keys resolve. */
export function singleValueOf(context: EvaluationContext, key: string): string | undefined {
  const value = context.keys.get(key);
  if (typeof value === 'string') return value;
  return value?.length === 1 ? value[0] : undefined;
}
