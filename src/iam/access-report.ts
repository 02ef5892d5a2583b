/**
 * The access review (`lockstep iam report`): for every principal, what it may do on which
 * pipeline, decided by the real policy engine, plus the findings a reviewer acts on: unused
 * and old access keys, active users without MFA, and wildcard grants. Pure: the loader
 * (access-report-loader.ts) reads the store, this decides.
 */
import type { PolicyDocument } from './policy/policy-document.js';
import { accessFindings, type AccessFinding } from './access-findings.js';
import { PrincipalAccess, type ActionAccess } from './principal-access.js';

export type { ActionAccess, AccessLevel } from './principal-access.js';
export type { AccessFinding, FindingKind } from './access-findings.js';

/** CodePipeline actions whose resource is a pipeline ARN: checked on every pipeline. */
export const PIPELINE_ACTIONS = [
  'GetPipeline',
  'GetPipelineState',
  'GetPipelineExecution',
  'ListPipelineExecutions',
  'ListActionExecutions',
  'UpdatePipeline',
  'DeletePipeline',
  'StartPipelineExecution',
  'StopPipelineExecution',
  'RetryStageExecution',
  'PutActionRevision',
  'DisableStageTransition',
  'EnableStageTransition',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
] as const;

/**
 * Actions checked on resource `*`. CreatePipeline names the new pipeline's ARN; on `*` it
 * answers "may create a pipeline of any name".
 */
export const ACCOUNT_ACTIONS = [
  'ListPipelines',
  'CreatePipeline',
  'ListActionTypes',
  'PollForJobs',
  'PutJobSuccessResult',
] as const;

/** A policy as the report names it. */
export interface NamedPolicy {
  /** Unique in the report: the managed policy's ARN, or `inline:<type>/<name>/<policy>`. */
  id: string;
  name: string;
  /** `managed`, or the entity holding the inline policy: `user/alice`, `group/dev`. */
  attachedTo: string;
  document: PolicyDocument;
}

export interface ReportKeyInput {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createdMs: number;
  /** The newest audit record made with this key; undefined if none. */
  lastUsedMs: number | undefined;
}

export interface ReportPrincipalInput {
  /** `root` is the bootstrap administrator: allowed everything, never evaluated. */
  type: 'root' | 'user' | 'role';
  name: string;
  arn: string;
  /** Every identity policy that applies: own inline and attached, and its groups'. */
  policies: NamedPolicy[];
  permissionsBoundary?: NamedPolicy;
  accessKeys: ReportKeyInput[];
  /** Whether an MFA device is enabled; undefined when that cannot be known. */
  mfaEnabled: boolean | undefined;
}

export interface AccessReportInput {
  accountId: string;
  principals: ReportPrincipalInput[];
  /** Each pipeline with the `stage/action` paths of its Manual approvals. */
  pipelines: { name: string; arn: string; approvals?: string[] }[];
  /** False when the server keeps no MFA devices: MFA is then reported unknown, not guessed. */
  mfaAvailable: boolean;
  nowMs: number;
}

export interface PipelineAccess {
  pipelineName: string;
  pipelineArn: string;
  /** Only the actions not denied. */
  actions: ActionAccess[];
}

export interface KeyReport {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: Date;
  lastUsedDate: Date | null;
}

export type MfaState = 'enabled' | 'not-enabled' | 'unknown' | 'not-applicable';

export interface PrincipalReport {
  type: 'root' | 'user' | 'role';
  name: string;
  arn: string;
  rootEquivalent: boolean;
  mfa: MfaState;
  policies: string[];
  permissionsBoundary: string | null;
  accessKeys: KeyReport[];
  /** Account-level actions (resource `*`) not denied. */
  accountActions: ActionAccess[];
  /** Pipelines on which at least one action is not denied. */
  pipelines: PipelineAccess[];
}

export interface AccessReport {
  accountId: string;
  generatedAt: Date;
  mfaStatus: 'available' | 'unknown (not available)';
  actionsChecked: { pipeline: string[]; account: string[] };
  principals: PrincipalReport[];
  findings: AccessFinding[];
}

const everything = (actions: readonly string[]): ActionAccess[] =>
  actions.map((action) => ({ action: `codepipeline:${action}`, access: 'allowed' }));

function mfaState(principal: ReportPrincipalInput, mfaAvailable: boolean): MfaState {
  if (principal.type === 'role') return 'not-applicable';
  if (!mfaAvailable || principal.mfaEnabled === undefined) return 'unknown';
  return principal.mfaEnabled ? 'enabled' : 'not-enabled';
}

function accessOf(
  principal: ReportPrincipalInput,
  pipelines: AccessReportInput['pipelines'],
  nowMs: number,
): Pick<PrincipalReport, 'accountActions' | 'pipelines'> {
  // The bootstrap administrator is the account's root, allowed everything as authorize.ts does.
  const evaluator = principal.type === 'root' ? undefined : new PrincipalAccess(principal, nowMs);
  const check = (actions: readonly string[], resource: string) =>
    evaluator
      ? actions
          .map((action) => evaluator.access(`codepipeline:${action}`, resource))
          .filter((a) => a.access !== 'denied')
      : everything(actions);
  const perPipeline = pipelines.map((p) => ({
    pipelineName: p.name,
    pipelineArn: p.arn,
    actions: [...check(PIPELINE_ACTIONS, p.arn), ...approvalAccess(p, check)],
  }));
  return {
    accountActions: check(ACCOUNT_ACTIONS, '*'),
    pipelines: perPipeline.filter((p) => p.actions.length > 0),
  };
}

/**
 * PutApprovalResult is authorized on `pipeline/stage/action`: the best access over the
 * pipeline's approval actions (allowed beats allowed-with-MFA beats conditional).
 */
function approvalAccess(
  pipeline: { arn: string; approvals?: string[] },
  check: (actions: readonly string[], resource: string) => ActionAccess[],
): ActionAccess[] {
  const rank = { allowed: 0, 'allowed-with-mfa': 1, conditional: 2, denied: 3 } as const;
  const found = (pipeline.approvals ?? [])
    .flatMap((path) => check(['PutApprovalResult'], `${pipeline.arn}/${path}`))
    .sort((a, b) => rank[a.access] - rank[b.access]);
  return found.slice(0, 1);
}

function principalReport(
  principal: ReportPrincipalInput,
  input: AccessReportInput,
): PrincipalReport {
  return {
    type: principal.type,
    name: principal.name,
    arn: principal.arn,
    rootEquivalent: principal.type === 'root',
    mfa: mfaState(principal, input.mfaAvailable),
    policies: principal.policies.map((p) => p.name),
    permissionsBoundary: principal.permissionsBoundary?.name ?? null,
    accessKeys: principal.accessKeys.map((k) => ({
      accessKeyId: k.accessKeyId,
      status: k.status,
      createDate: new Date(k.createdMs),
      lastUsedDate: k.lastUsedMs === undefined ? null : new Date(k.lastUsedMs),
    })),
    ...accessOf(principal, input.pipelines, input.nowMs),
  };
}

/** Builds the access review from what the loader read, as of `input.nowMs`. */
export function buildAccessReport(input: AccessReportInput): AccessReport {
  return {
    accountId: input.accountId,
    generatedAt: new Date(input.nowMs),
    mfaStatus: input.mfaAvailable ? 'available' : 'unknown (not available)',
    actionsChecked: {
      // PutApprovalResult is checked on each approval action (pipeline/stage/action).
      pipeline: [...PIPELINE_ACTIONS, 'PutApprovalResult'].map((a) => `codepipeline:${a}`),
      account: ACCOUNT_ACTIONS.map((a) => `codepipeline:${a}`),
    },
    principals: input.principals.map((p) => principalReport(p, input)),
    findings: accessFindings(input),
  };
}
