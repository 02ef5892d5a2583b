/**
 * Short-lived credentials for one action, as CodePipeline hands them out: a session of the
 * action's own roleArn (which CodePipeline assumes through the pipeline role) or else of the
 * pipeline role, given to the action's process in the standard AWS_* variables with
 * AWS_ENDPOINT_URL pointing back at Lockstep.
 *
 * A role that does not exist or does not trust CodePipeline only costs the action its
 * credentials (with a reason in its summary). CreatePipeline refuses such a pipeline role
 * (pipelines/pipeline-role.ts), so this path matters for action roles, which CodePipeline only
 * assumes at run time, and for a pipeline role deleted or changed after the pipeline was made.
 */
import type { RootKey } from '../kms/root-key.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { IamRoleRecord } from '../store/iam-store.js';
import type { StateStore } from '../store/state-store.js';
import { findRoleByArn } from '../iam/iam-role-service.js';
import { evaluatePolicies } from '../iam/policy/evaluate-policies.js';
import { parsePolicyDocument } from '../iam/policy/parse-policy-document.js';
import type { PolicyDocument, Statement } from '../iam/policy/policy-document.js';
import type { Principal } from '../iam/principal.js';
import { roleTrustAllows } from '../iam/sts/role-trust.js';
import {
  issueSession,
  type SessionTemplate,
  type StsCredentials,
} from '../iam/sts/session-credentials.js';
import type { JobPayload } from './job-data.js';

/** The service principal a role must trust for CodePipeline to assume it. */
export const CODEPIPELINE_SERVICE = 'codepipeline.amazonaws.com';
/** CodePipeline's action sessions last an hour at most (role chaining's limit). */
const MAX_SESSION_SECONDS = 3_600;
/** STS refuses sessions shorter than this. */
const MIN_SESSION_SECONDS = 900;
/** Where bootstrap-admin.ts records the administrator's key id (not exported there). */
const ADMIN_KEY_SETTING = 'iam.bootstrapAdminAccessKeyId';

/** The variables an action's process is given. */
export interface AwsEnvironment {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_SESSION_TOKEN: string;
  AWS_REGION: string;
  AWS_DEFAULT_REGION: string;
  AWS_ENDPOINT_URL: string;
}

/** Credentials, or why the action runs without them (one line for its summary). */
export type ActionCredentials =
  | { environment: AwsEnvironment; roleArn: string; expiresMs: number }
  | { environment: undefined; reason: string };

export interface ActionCredentialsDeps {
  store: StateStore;
  rootKey: RootKey;
  scope: AccountScope;
  /** Lockstep's own URL as the sandbox reaches it; undefined before the server listens. */
  serverUrl: string | undefined;
  nowMs: number;
}

/** What issuing a role session needs: the state store, the root key and the account. */
export type RoleSessionDeps = Omit<ActionCredentialsDeps, 'serverUrl'>;

/** A session of the action's role (else the pipeline role), or why there is none. */
export type RoleSession =
  { credentials: StsCredentials; roleArn: string } | { credentials: undefined; reason: string };

/** Issues the action's session, or says why it cannot. */
export async function issueActionCredentials(
  deps: ActionCredentialsDeps,
  payload: JobPayload,
  remainingMs: number,
): Promise<ActionCredentials> {
  if (deps.serverUrl === undefined) return without('the server URL is not known yet');
  const session = await issueRoleSession(deps, payload, remainingMs);
  if (!session.credentials) return without(session.reason);
  const { credentials } = session;
  return {
    roleArn: session.roleArn,
    expiresMs: credentials.Expiration.getTime(),
    environment: {
      AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: credentials.SessionToken,
      AWS_REGION: deps.scope.region,
      AWS_DEFAULT_REGION: deps.scope.region,
      AWS_ENDPOINT_URL: deps.serverUrl,
    },
  };
}

/**
 * A session of the action's roleArn (assumed through the pipeline role) or else the pipeline
 * role, lasting as long as the job may (15 minutes to an hour), optionally narrowed by an
 * inline session policy, as AssumeRole's Policy narrows one.
 */
export async function issueRoleSession(
  deps: RoleSessionDeps,
  payload: JobPayload,
  remainingMs: number,
  sessionPolicy: string | null = null,
): Promise<RoleSession> {
  const pipelineRoleArn = payload.pipelineRoleArn;
  const roleArn = payload.action.roleArn ?? pipelineRoleArn;
  if (roleArn === undefined) return noSession('the pipeline has no role');
  const role = await findRole(deps, roleArn);
  if (!role) return noSession(`role ${roleArn} does not exist`);
  if (!(await codePipelineMayAssume(deps, role, pipelineRoleArn))) {
    return noSession(`role ${roleArn} does not trust ${CODEPIPELINE_SERVICE}`);
  }
  // The chain starts at the server's own administrator key: CodePipeline (the service) made
  // the session, and resolve-session.ts keeps a session only while its source key is active.
  const sourceAccessKeyId = await deps.store.getSetting(ADMIN_KEY_SETTING);
  if (sourceAccessKeyId === undefined) return noSession('the account has no administrator key');
  const { actionExecutionId } = payload.jobData.pipelineContext.action;
  const sessionName = `codepipeline-${actionExecutionId.slice(0, 8)}`;
  const template: SessionTemplate = {
    sourceAccessKeyId,
    userName: '',
    principalArn: `arn:aws:sts::${deps.scope.accountId}:assumed-role/${role.roleName}/${sessionName}`,
    roleArn: role.arn,
    roleName: role.roleName,
    roleId: role.roleId,
    sessionName,
    mfaAuthenticatedMs: null,
    sessionPolicy,
    sessionPolicyArns: [],
  };
  const seconds = Math.max(
    MIN_SESSION_SECONDS,
    Math.min(MAX_SESSION_SECONDS, role.maxSessionSeconds, Math.ceil(remainingMs / 1000)),
  );
  return { credentials: await issueSession(deps, template, seconds), roleArn: role.arn };
}

/** The summary sentence of an action that ran without credentials. */
export function withoutCredentialsNote(credentials: ActionCredentials): string {
  return credentials.environment ? '' : ` Ran without AWS credentials: ${credentials.reason}.`;
}

function without(reason: string): ActionCredentials {
  return { environment: undefined, reason };
}

function noSession(reason: string): RoleSession {
  return { credentials: undefined, reason };
}

function findRole(deps: RoleSessionDeps, arn: string): Promise<IamRoleRecord | undefined> {
  return findRoleByArn(deps.store.iam, deps.scope.accountId, arn);
}

/**
 * CodePipeline may assume a role that trusts its service principal; an action's role may
 * instead trust the pipeline role (CodePipeline assumes it from a pipeline-role session), if
 * the pipeline role itself trusts CodePipeline.
 */
async function codePipelineMayAssume(
  deps: RoleSessionDeps,
  role: IamRoleRecord,
  pipelineRoleArn: string | undefined,
): Promise<boolean> {
  if (trustsService(role, CODEPIPELINE_SERVICE, deps.nowMs)) return true;
  if (pipelineRoleArn === undefined || pipelineRoleArn === role.arn) return false;
  const pipelineRole = await findRole(deps, pipelineRoleArn);
  if (!pipelineRole || !trustsService(pipelineRole, CODEPIPELINE_SERVICE, deps.nowMs)) {
    return false;
  }
  const caller: Principal = {
    arn: `arn:aws:sts::${deps.scope.accountId}:assumed-role/${pipelineRole.roleName}/codepipeline`,
    accountId: deps.scope.accountId,
    userName: '',
    accessKeyId: '',
    isBootstrapAdmin: false,
    session: { roleArn: pipelineRole.arn, roleName: pipelineRole.roleName },
  };
  return roleTrustAllows({ caller, role, sessionName: 'codepipeline', nowMs: deps.nowMs });
}

/**
 * Whether a trust policy lets a service assume the role. The policy engine matches only IAM
 * callers (Service principals never match them), so the statements are first narrowed to the
 * service: a Principal naming it becomes `*`, one not naming it drops out, and a NotPrincipal
 * naming it exempts it. Action, conditions and Deny-over-Allow are then the engine's.
 */
export function trustsService(role: IamRoleRecord, service: string, nowMs: number): boolean {
  let statements: Statement[];
  let version: string | undefined;
  try {
    const raw = JSON.parse(role.assumeRolePolicy) as PolicyDocument;
    version = raw.Version;
    statements = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  } catch {
    return false;
  }
  const narrowed = statements.flatMap((statement): Statement[] => {
    const { Principal: principal, NotPrincipal: notPrincipal, ...rest } = statement;
    if (principal !== undefined)
      return namesService(principal, service) ? [{ ...rest, Principal: '*' }] : [];
    if (notPrincipal !== undefined)
      return namesService(notPrincipal, service) ? [] : [{ ...rest, Principal: '*' }];
    return [];
  });
  if (!narrowed.some((s) => s.Effect === 'Allow')) return false;
  const document = parsePolicyDocument(JSON.stringify({ Version: version, Statement: narrowed }), {
    kind: 'trust',
  });
  const result = evaluatePolicies({
    identityPolicies: [],
    resourcePolicies: [document],
    context: {
      principalArn: service,
      action: 'sts:AssumeRole',
      resource: role.arn,
      conditionKeys: {
        'aws:PrincipalServiceName': service,
        'aws:CurrentTime': new Date(nowMs).toISOString(),
        'aws:EpochTime': String(Math.floor(nowMs / 1000)),
      },
    },
  });
  return result.decision === 'Allow';
}

function namesService(element: Statement['Principal'], service: string): boolean {
  if (element === '*') return true;
  if (element === undefined) return false;
  const list = (value: string | string[] | undefined) =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list(element.Service).includes(service) || list(element.AWS).includes('*');
}
