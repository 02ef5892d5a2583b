/**
 * The findings of the access review that a reviewer acts on: access keys never used or unused
 * for 90 days, keys older than 90 days, active users without MFA, and Allow statements that
 * grant every action (`*`, `service:*`, NotAction) or every resource (`*`, NotResource).
 */
import type { AccessReportInput, NamedPolicy, ReportPrincipalInput } from './access-report.js';
import type { Statement } from './policy/policy-document.js';

export type FindingKind =
  | 'key-never-used'
  | 'key-unused-90-days'
  | 'key-older-than-90-days'
  | 'user-without-mfa'
  | 'wildcard-action'
  | 'wildcard-resource';

export interface AccessFinding {
  kind: FindingKind;
  /** The principals concerned, by name. */
  principals: string[];
  accessKeyId?: string;
  /** For wildcard grants: the policy's name, where it is attached, and the statement. */
  policy?: string;
  attachedTo?: string;
  sid?: string;
  statementIndex?: number;
  detail: string;
}

const DAY_MS = 86_400_000;
const STALE_DAYS = 90;

/**
 * Actions IAM knows only on resource `*`: a `*` resource beside them alone is the only way to
 * grant them, not a finding.
 */
const STAR_ONLY_ACTIONS = new Set(
  [
    'codepipeline:ListPipelines',
    'codepipeline:ListActionTypes',
    'codepipeline:PollForJobs',
    'codepipeline:AcknowledgeJob',
    'codepipeline:GetJobDetails',
    'codepipeline:PutJobSuccessResult',
    'codepipeline:PutJobFailureResult',
    'codepipeline:PollForThirdPartyJobs',
    'codepipeline:AcknowledgeThirdPartyJob',
    'codepipeline:GetThirdPartyJobDetails',
    'codepipeline:PutThirdPartyJobSuccessResult',
    'codepipeline:PutThirdPartyJobFailureResult',
    'cloudtrail:LookupEvents',
    'lockstep:GetServerInfo',
    'lockstep:GetAccessReport',
    'lockstep:GetAuditTrail',
    'sts:GetCallerIdentity',
  ].map((a) => a.toLowerCase()),
);

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const list = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function keyFindings(principal: ReportPrincipalInput, nowMs: number): AccessFinding[] {
  const findings: AccessFinding[] = [];
  const staleBefore = nowMs - STALE_DAYS * DAY_MS;
  for (const key of principal.accessKeys) {
    const base = { principals: [principal.name], accessKeyId: key.accessKeyId };
    const what = `${key.accessKeyId} (${key.status}, created ${day(key.createdMs)})`;
    const ageDays = Math.floor((nowMs - key.createdMs) / DAY_MS);
    if (key.lastUsedMs === undefined) {
      findings.push({ ...base, kind: 'key-never-used', detail: `${what} has never been used` });
    } else if (key.lastUsedMs < staleBefore) {
      const idle = Math.floor((nowMs - key.lastUsedMs) / DAY_MS);
      const detail = `${what} last used ${day(key.lastUsedMs)}, ${idle} days ago`;
      findings.push({ ...base, kind: 'key-unused-90-days', detail });
    }
    if (key.createdMs < staleBefore) {
      const detail = `${what} is ${ageDays} days old; rotate it`;
      findings.push({ ...base, kind: 'key-older-than-90-days', detail });
    }
  }
  return findings;
}

function mfaFinding(principal: ReportPrincipalInput): AccessFinding[] {
  // Only people sign in with MFA; a user without an active key cannot call anything.
  const active = principal.accessKeys.some((k) => k.status === 'Active');
  if (principal.type === 'role' || principal.mfaEnabled !== false || !active) return [];
  const detail = `${principal.type} with an active access key and no enabled MFA device`;
  return [{ kind: 'user-without-mfa', principals: [principal.name], detail }];
}

function wildcardKinds(statement: Statement): { kind: FindingKind; what: string }[] {
  if (statement.Effect !== 'Allow') return [];
  const kinds: { kind: FindingKind; what: string }[] = [];
  const actions = list(statement.Action);
  const wild = actions.filter((a) => a === '*' || a.endsWith(':*'));
  if (statement.NotAction !== undefined) {
    kinds.push({
      kind: 'wildcard-action',
      what: `every action but ${list(statement.NotAction).join(', ')}`,
    });
  } else if (wild.length > 0) {
    kinds.push({ kind: 'wildcard-action', what: `Action ${wild.join(', ')}` });
  }
  const starOnly = actions.every((a) => STAR_ONLY_ACTIONS.has(a.toLowerCase()));
  if (statement.NotResource !== undefined) {
    const except = list(statement.NotResource).join(', ');
    kinds.push({ kind: 'wildcard-resource', what: `every resource but ${except}` });
  } else if (list(statement.Resource).includes('*') && !(starOnly && actions.length > 0)) {
    kinds.push({ kind: 'wildcard-resource', what: 'Resource *' });
  }
  return kinds;
}

function wildcardFindings(principals: ReportPrincipalInput[]): AccessFinding[] {
  // One finding per statement, naming every principal the policy reaches.
  const byStatement = new Map<string, AccessFinding>();
  const holders = (p: ReportPrincipalInput) => p.policies.map((policy) => ({ p, policy }));
  for (const { p, policy } of principals.flatMap(holders)) {
    statementsOf(policy).forEach((statement, index) => {
      for (const { kind, what } of wildcardKinds(statement)) {
        const id = `${kind} ${policy.id} ${index}`;
        const seen = byStatement.get(id);
        if (seen) {
          if (!seen.principals.includes(p.name)) seen.principals.push(p.name);
          continue;
        }
        byStatement.set(id, wildcardFinding(kind, what, policy, statement, index, p.name));
      }
    });
  }
  return [...byStatement.values()];
}

function statementsOf(policy: NamedPolicy): Statement[] {
  const { Statement } = policy.document;
  return Array.isArray(Statement) ? Statement : [Statement];
}

function wildcardFinding(
  kind: FindingKind,
  what: string,
  policy: NamedPolicy,
  statement: Statement,
  index: number,
  principal: string,
): AccessFinding {
  const sid = statement.Sid === undefined ? `statement ${index}` : `Sid ${statement.Sid}`;
  return {
    kind,
    principals: [principal],
    policy: policy.name,
    attachedTo: policy.attachedTo,
    ...(statement.Sid === undefined ? {} : { sid: statement.Sid }),
    statementIndex: index,
    detail: `policy ${policy.name} (${policy.attachedTo}), ${sid}: Allow ${what}`,
  };
}

/** Every finding of the review, keys and MFA per principal first, then wildcard grants. */
export function accessFindings(input: AccessReportInput): AccessFinding[] {
  return [
    ...input.principals.flatMap((p) => keyFindings(p, input.nowMs)),
    ...(input.mfaAvailable ? input.principals.flatMap(mfaFinding) : []),
    ...wildcardFindings(input.principals),
  ];
}
