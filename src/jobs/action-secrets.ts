/**
 * Secrets an action names are read when its job is handed to a worker, as the action's role
 * (its own roleArn, else the pipeline role) with that role's policies: a pipeline can use only
 * the secrets its roles may read, never the server's own access. Resolved values live in the
 * copy of the job handed to the worker and are never written back; every one of them is then
 * hidden in what the action reports (summary, error, output variables) and logs.
 */
import type { ActionDeclaration } from '../pipelines/declaration.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { Principal } from '../iam/principal.js';
import type { Redactor } from '../secrets/redaction.js';
import { SecretResolver } from '../secrets/secret-references.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { IamRoleRecord } from '../store/iam-store.js';
import type { JobOutcome, JobPayload } from './job-data.js';

/** What reading a secret needs; the SecretService in a server. */
export type SecretReader = Pick<SecretService, 'resolveValue'>;

export interface ActionSecretDeps {
  reader: SecretReader;
  /** The role this exact ARN names in this account (IamRoleService.findByArn). */
  findRole(roleArn: string): Promise<IamRoleRecord | undefined>;
  scope: AccountScope;
}

/** The resolver of one action's secrets, reading as its role. */
export function actionSecretResolver(deps: ActionSecretDeps, payload: JobPayload): SecretResolver {
  const roleArn = payload.action.roleArn ?? payload.pipelineRoleArn;
  const { actionExecutionId } = payload.jobData.pipelineContext.action;
  return roleSecretResolver(deps, roleArn, `codepipeline-${actionExecutionId.slice(0, 8)}`);
}

/** A resolver reading as `roleArn` (CodePipeline's session of it), for work outside a job. */
export function roleSecretResolver(
  deps: ActionSecretDeps,
  roleArn: string | undefined,
  sessionName: string,
): SecretResolver {
  return new SecretResolver(async (reference) => {
    const principal = await rolePrincipal(deps, roleArn, sessionName);
    const value = await deps.reader.resolveValue(reference.secretId, principal, {
      ...(reference.versionId ? { versionId: reference.versionId } : {}),
      ...(reference.versionStage ? { versionStage: reference.versionStage } : {}),
    });
    if (value.secretString === undefined) {
      throw new Error(`secret ${value.name} holds a binary value; only strings can be resolved`);
    }
    return value.secretString;
  });
}

/**
 * The payload with every `{{resolve:secretsmanager:...}}` in the action's configuration (and
 * the job data's copy of it) replaced by its value; the stored job keeps the reference.
 */
export async function withResolvedConfiguration(
  payload: JobPayload,
  resolver: SecretResolver,
): Promise<JobPayload> {
  const configuration = payload.action.configuration;
  if (configuration === undefined) return payload;
  const resolved = await resolver.resolveConfiguration(configuration);
  const action: ActionDeclaration = { ...payload.action, configuration: resolved };
  const wire = payload.jobData.actionConfiguration;
  return {
    ...payload,
    action,
    jobData: {
      ...payload.jobData,
      actionConfiguration: {
        ...wire,
        configuration: await resolver.resolveConfiguration(wire.configuration ?? {}),
      },
    },
  };
}

/** An outcome with every secret value (and credential shape) hidden in what it reports. */
export function redactOutcome(outcome: JobOutcome, redactor: Redactor): JobOutcome {
  if (outcome.status === 'Failed') return { ...outcome, message: redactor.redact(outcome.message) };
  return {
    ...outcome,
    ...(outcome.summary === undefined ? {} : { summary: redactor.redact(outcome.summary) }),
    outputVariables: Object.fromEntries(
      Object.entries(outcome.outputVariables).map(([name, value]) => [
        name,
        redactor.redact(value),
      ]),
    ),
  };
}

/**
 * The principal CodePipeline's session of `roleArn` acts as, to authorize what an action does
 * as its role; throws when there is no such role in this account.
 */
export async function rolePrincipal(
  deps: Pick<ActionSecretDeps, 'findRole' | 'scope'>,
  roleArn: string | undefined,
  sessionName: string,
): Promise<Principal> {
  if (roleArn === undefined) throw new Error('the action has no role');
  // The exact role, path and account included: a same-named role elsewhere is another role.
  const role = await deps.findRole(roleArn);
  if (role === undefined) throw new Error(`its role ${roleArn} does not exist`);
  return roleSessionPrincipal(deps.scope, role, sessionName);
}

/** The principal an action's role session acts as, for authorizing what the action reads. */
function roleSessionPrincipal(
  scope: AccountScope,
  role: IamRoleRecord,
  sessionName: string,
): Principal {
  return {
    arn: `arn:aws:sts::${scope.accountId}:assumed-role/${role.roleName}/${sessionName}`,
    accountId: scope.accountId,
    userName: '',
    accessKeyId: '',
    isBootstrapAdmin: false,
    session: { roleArn: role.arn, roleName: role.roleName, sessionName },
  };
}
