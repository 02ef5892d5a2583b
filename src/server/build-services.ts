/**
 * Builds the domain services of one server and the background parts that run actions: the
 * execution runner, the built-in job workers and the job supervisor.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import type { ServerServices } from '../api/server-services.js';
import { FsArtifactStore } from '../artifacts/fs-artifact-store.js';
import { ObjectArtifactStore } from '../artifacts/object-artifact-store.js';
import { ConnectionService } from '../connections/connection-service.js';
import {
  ExecutionRunner,
  JobSignals,
  type StateChangeObserver,
} from '../engine/execution-runner.js';
import { ExecutionService } from '../engine/execution-service.js';
import { ActionLogs } from '../engine/action-logs.js';
import { ActionRevisions } from '../engine/action-revisions.js';
import { ExecutionViews } from '../engine/execution-views.js';
import { PipelineLifecycle } from '../engine/pipeline-lifecycle.js';
import { StageTransitions } from '../engine/stage-transitions.js';
import { roleSecretResolver } from '../jobs/action-secrets.js';
import { BuiltInWorkers } from '../jobs/built-in-workers.js';
import { JobArtifactAccess } from '../jobs/job-artifact-access.js';
import { JobService } from '../jobs/job-service.js';
import { JobSupervisor } from '../jobs/job-supervisor.js';
import { JobWorkerProtocol } from '../jobs/job-worker-protocol.js';
import { ManualApproval } from '../jobs/manual-approval.js';
import { ThirdPartyJobProtocol } from '../jobs/third-party-job-protocol.js';
import { AccessReportLoader } from '../iam/access-report-loader.js';
import { IamPolicyService } from '../iam/iam-policy-service.js';
import { IamRoleService } from '../iam/iam-role-service.js';
import { IamUserService } from '../iam/iam-user-service.js';
import { KeyService } from '../kms/key-service.js';
import type { EnvelopeStorage } from '../objects/envelope-storage.js';
import type { DefaultRetention } from '../store/object-metadata-store.js';
import { buildObjectStore } from '../objects/object-store.js';
import { ActionLogCipher } from '../logs/sealed-log.js';
import { createAuthorizer, type ResourcePolicyLookup } from '../iam/authorize.js';
import { PrincipalPolicyLoader } from '../iam/principal-policies.js';
import { SecretService } from '../secrets/secret-service.js';
import type { RootKey } from '../kms/root-key.js';
import type { IamPrincipalType } from '../store/iam-store.js';
import { ActionTypeService } from '../pipelines/action-type-service.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import { PipelineService } from '../pipelines/pipeline-service.js';
import { TagService } from '../pipelines/tag-service.js';
import { builtInProviders } from '../providers/built-in-providers.js';
import type { GitTransport } from '../providers/git-source/git-transport.js';
import { SourceChangeDetector } from '../providers/git-source/source-change-detector.js';
import type { StateStore } from '../store/state-store.js';
import { LOCKSTEP_VERSION } from './version.js';

/** How often KMS keys are checked for a due rotation or an ended deletion window. */
const KMS_MAINTENANCE_MS = 60_000;

export interface ExecutionOptions {
  dataDir: string;
  artifactDir: string;
  /** Where the object store keeps its sealed bytes (object-store.ts openEnvelopeStorage). */
  envelopeStorage: EnvelopeStorage;
  /** The default retention of the artifact buckets Lockstep creates; null for none. */
  artifactRetention: DefaultRetention | null;
  /** How long a built-in worker's claim on a job lasts without renewal. */
  jobLeaseMs: number;
  /** How often overdue jobs are looked for, and other replicas' jobs polled. */
  sweepIntervalMs: number;
  workerConcurrency: number;
  /** How often git sources with DetectChanges are polled for new commits. */
  sourcePollMs: number;
  /** Whether ThirdParty action types wait for partner workers instead of failing at once. */
  thirdPartyWorkers: boolean;
  /** Accept credential-like values outside secret properties in declarations. */
  allowPlaintextCredentials: boolean;
  /** The operator's CA, credentials, ssh key and known hosts for https and ssh git hosts. */
  gitTransport?: GitTransport;
}

/**
 * The resources a policy of their own governs, for the authorizer: KMS keys (key policies) and
 * Secrets Manager secrets (resource policies).
 */
export function resourcePolicies(kms: KeyService, secrets: SecretService): ResourcePolicyLookup {
  return async (arn) => (await kms.accessRule(arn)) ?? secrets.catalog.policyRule(arn);
}

export interface BuiltServices {
  services: ServerServices;
  /** Where the engine reports every state change it commits. */
  observeStateChanges(observer: StateChangeObserver): void;
  /** Starts the workers and the supervisor (after recovering what a crash left). */
  startBackground(): Promise<void>;
  stopBackground(): Promise<void>;
  /** Tells the workers the server's URL once it listens; actions get it as AWS_ENDPOINT_URL. */
  setServerUrl(url: string): void;
}

/** Wires the services of a server over one store. */
export function buildServices(
  store: StateStore,
  rootKey: RootKey,
  scope: AccountScope,
  options: ExecutionOptions,
  logError: (message: string, error: unknown) => void,
): BuiltServices {
  const actionTypes = new ActionTypeService(store, scope);
  const pipelines = new PipelineService(store, scope, actionTypes, {
    refusePlaintextCredentials: !options.allowPlaintextCredentials,
  });
  const runner = new ExecutionRunner(store, scope, actionTypes, new JobSignals());
  const executions = new ExecutionService(store, runner);
  const jobs = new JobService(store, runner);
  const kms = new KeyService(store.kms, rootKey, scope);
  // What actions do as their roles (read secrets, reach S3 objects) is authorized as API calls
  // are, with key policies and secrets' resource policies.
  const authorizeAsRole = createAuthorizer(new PrincipalPolicyLoader(store), Date.now, (arn) =>
    resourcePolicies(kms, secrets)(arn),
  );
  const secrets: SecretService = new SecretService(store.secrets, kms, scope, authorizeAsRole);
  const iamRoles = new IamRoleService(store, scope);
  const secretDeps = {
    reader: secrets,
    findRole: (roleArn: string) => iamRoles.findByArn(roleArn),
    scope,
  };
  const objectStore = buildObjectStore(store.objects, options.envelopeStorage, kms);
  // Artifacts are objects of the pipeline's artifact bucket, each sealed with its own data key
  // under the pipeline's key or aws/s3; the filesystem store reads what older versions wrote.
  const artifacts = new ObjectArtifactStore(objectStore.buckets, objectStore.objects, {
    legacy: new FsArtifactStore(options.artifactDir, kms),
    retention: options.artifactRetention,
  });
  // What actions print is sealed at rest under the aws/logs key, as artifacts are under theirs.
  const logCipher = new ActionLogCipher(kms, path.join(options.dataDir, 'logs'));
  const workers = new BuiltInWorkers(
    store,
    jobs,
    runner.signals,
    artifacts,
    builtInProviders(
      options.thirdPartyWorkers,
      async (request) => {
        const { pipeline, record } = await pipelines.getUnmasked(request.pipelineName);
        return executions.start({
          pipelineName: record.name,
          pipelineVersion: record.version,
          declaration: pipeline,
          trigger: { triggerType: 'StartPipelineExecution', triggerDetail: request.invokedBy },
          variables: request.variables,
          sourceRevisions: request.sourceRevisions,
        });
      },
      options.gitTransport,
    ),
    {
      workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      dataDir: options.dataDir,
      concurrency: options.workerConcurrency,
      leaseMs: options.jobLeaseMs,
      pollIntervalMs: options.sweepIntervalMs,
      rootKey,
      scope,
      // Actions read the secrets they name as their own role (jobs/action-secrets.ts).
      secrets: secretDeps,
      objects: {
        objects: objectStore.objects,
        authorize: authorizeAsRole,
        findRole: secretDeps.findRole,
        scope,
      },
      logCipher,
    },
    logError,
  );
  const supervisor = new JobSupervisor(store, jobs, options.sweepIntervalMs, logError);
  const connections = new ConnectionService(store.connections, scope);
  const detector = new SourceChangeDetector({
    store,
    pipelines,
    executions,
    connections,
    intervalMs: options.sourcePollMs,
    gitTransport: options.gitTransport,
    readSecret: (secretArn, roleArn) =>
      roleSecretResolver(secretDeps, roleArn, 'codepipeline-source-poll').resolvePath(secretArn),
    logError,
  });
  // External workers reach their artifacts through the S3 API with the job's credentials.
  const jobProtocol = new JobWorkerProtocol(
    store,
    jobs,
    actionTypes,
    scope.accountId,
    new JobArtifactAccess({ store, rootKey, scope }, artifacts),
    secretDeps,
  );
  const iamUsers = new IamUserService(store, rootKey, scope);
  // Inline policies and attachments need their user, group or role to exist.
  const requirePrincipal = async (type: IamPrincipalType, name: string) => {
    if (type === 'user') await iamUsers.requireUser(name);
    else if (type === 'role') await iamRoles.requireRole(name);
    else await iamUsers.getGroup(name);
  };
  const services: ServerServices = {
    scope,
    pipelines,
    tags: new TagService(store, scope),
    actionTypes,
    connections,
    executions,
    lifecycle: new PipelineLifecycle(pipelines, executions, store),
    transitions: new StageTransitions(store, runner),
    actionRevisions: new ActionRevisions(store, executions),
    executionViews: new ExecutionViews(store, scope),
    actionLogs: new ActionLogs(store, options.dataDir, logCipher),
    jobProtocol,
    thirdPartyJobs: new ThirdPartyJobProtocol(
      store,
      jobs,
      jobProtocol,
      actionTypes,
      scope.accountId,
    ),
    approvals: new ManualApproval(store, jobs),
    iamUsers,
    iamRoles,
    iamPolicies: new IamPolicyService(store, scope, requirePrincipal),
    accessReport: new AccessReportLoader(store, scope),
    kms,
    secrets,
    ...objectStore,
    server: { version: LOCKSTEP_VERSION, dialect: store.dialect, startedAt: new Date() },
  };
  return {
    services,
    observeStateChanges: (observer) => runner.observe(observer),
    startBackground: async () => {
      await supervisor.start();
      kms.startMaintenance(KMS_MAINTENANCE_MS, logError);
      workers.start();
      detector.start();
    },
    stopBackground: async () => {
      await detector.stop();
      supervisor.stop();
      await kms.stopMaintenance();
      await workers.stop();
    },
    setServerUrl: (url) => workers.setServerUrl(url),
  };
}
