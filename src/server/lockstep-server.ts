/**
 * The composition root: opens the state store and the root key, makes sure the account and
 * its bootstrap administrator exist, wires the domain services to the API, and listens.
 */
import { mkdir, chmod, access } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../api/http-server.js';
import { codeBuildService } from '../api/codebuild-operations.js';
import { JsonProtocol } from '../api/json-protocol.js';
import { CodeBuildProjectService } from '../codebuild/project-service.js';
import { iamQueryService } from '../api/iam-operations.js';
import { stsQueryService } from '../api/sts-operations.js';
import { QueryProtocol } from '../api/query/query-protocol.js';
import { codePipelineService } from '../api/codepipeline-operations.js';
import { lockstepServiceWith } from '../api/lockstep-operations.js';
import { AuditTrailPages } from '../audit/audit-trail-pages.js';
import { codeConnectionsService } from '../api/codeconnections-operations.js';
import { cloudTrailService } from '../api/cloudtrail-operations.js';
import { kmsService } from '../api/kms-operations.js';
import { secretsManagerService } from '../api/secretsmanager-operations.js';
import { cloudWatchLogsService } from '../api/logs-operations.js';
import { ActionLogGroups } from '../logs/action-log-groups.js';
import { createAuthenticator, createS3Authenticator } from '../api/authenticate.js';
import { S3Protocol } from '../api/s3/s3-protocol.js';
import { createModelValidator } from '../api/model-validator.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { CompiledServeOptions } from '../config/serve-options.js';
import { createAuthorizer } from '../iam/authorize.js';
import { ensureBootstrapAdmin } from '../iam/bootstrap-admin.js';
import { PrincipalPolicyLoader } from '../iam/principal-policies.js';
import { RootKey } from '../kms/root-key.js';
import { confirmEnvironmentRootKey, confirmRootKey } from '../kms/root-key-rotation.js';
import { openEnvelopeStorage } from '../objects/object-store.js';
import { openStateStore } from '../store/open-state-store.js';
import { pipelineArn } from '../pipelines/pipeline-arn.js';
import { resolveAccountScope } from './account-settings.js';
import { buildServices, resourcePolicies } from './build-services.js';
import { LOCKSTEP_VERSION } from './version.js';

export interface RunningServer {
  url: string;
  port: number;
  accountId: string;
  region: string;
  /** True when this start created the administrator and wrote DIR/credentials. */
  createdAdmin: boolean;
  /** Stops accepting requests, finishes those in flight, and closes the store. */
  close(): Promise<void>;
}

/**
 * Where local object bytes live: DIR/objects, or beside the artifacts in the directory replicas
 * share when the operator names one (--artifact-dir), as artifacts are objects now.
 */
function objectsDir(options: CompiledServeOptions): string {
  const named = options.artifactDir !== path.join(options.dataDir, 'artifacts');
  return path.join(named ? options.artifactDir : options.dataDir, 'objects');
}

/** Starts a Lockstep server with compiled options; resolves once it accepts requests. */
export async function startServer(
  options: CompiledServeOptions,
  logError: (message: string, error: unknown) => void,
): Promise<RunningServer> {
  await prepareDataDir(options.dataDir);
  const rootKeyFile = options.rootKeyFile ?? path.join(options.dataDir, 'keys', 'root.key');
  const loadedKey = options.rootKeyEnv
    ? RootKey.fromEnvironment(options.rootKeyEnv)
    : await RootKey.loadOrCreate(rootKeyFile, options.rootKeyFile === undefined);
  const store = await openStateStore({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
  });
  try {
    // Refuses a key that does not open the database; finishes an interrupted key rotation.
    const rootKey = options.rootKeyEnv
      ? await confirmEnvironmentRootKey(store, options.rootKeyEnv, loadedKey)
      : await confirmRootKey(store, rootKeyFile, loadedKey);
    const scope = await resolveAccountScope(store, options);
    const admin = await ensureBootstrapAdmin(store, rootKey, {
      ...scope,
      dataDir: options.dataDir,
    });
    const envelopeStorage = await openEnvelopeStorage(options.artifactStore, objectsDir(options));
    const built = buildServices(
      store,
      rootKey,
      scope,
      {
        dataDir: options.dataDir,
        artifactDir: options.artifactDir,
        envelopeStorage,
        artifactRetention: options.artifactRetention,
        jobLeaseMs: options.jobLeaseMs,
        sweepIntervalMs: options.sweepIntervalMs,
        workerConcurrency: options.workerConcurrency,
        sourcePollMs: options.sourcePollMs,
        thirdPartyWorkers: options.thirdPartyWorkers,
        allowPlaintextCredentials: options.allowPlaintextCredentials,
        gitTransport: options.gitTransport,
      },
      logError,
    );
    const services = built.services;
    const audit = await AuditTrail.open(store, {
      keysDir: path.join(options.dataDir, 'keys'),
      logError,
    });
    const cloudTrail = cloudTrailService(audit);
    const lockstepService = lockstepServiceWith(
      new AuditTrailPages(store, path.join(options.dataDir, 'keys')),
    );
    const codeBuild = codeBuildService(new CodeBuildProjectService(store.codeBuildProjects, scope));
    const cloudWatchLogs = cloudWatchLogsService(
      new ActionLogGroups(store, services.actionLogs, scope),
    );
    // The engine's own state changes join the API calls in the one trail (issue C, point 5),
    // a decision's changes as consecutive records in one append (one commit, not one each).
    built.observeStateChanges((changes) =>
      audit
        .recordServiceEvents(
          changes.map((c) => ({
            eventName: c.detailType,
            detail: c.detail,
            resourceArn: pipelineArn(scope, c.detail.pipeline),
          })),
        )
        .catch((error: unknown) => logError('engine state changes could not be audited', error)),
    );
    const authenticate = createAuthenticator({
      store,
      rootKey,
      scope,
      bootstrapAdminKeyId: admin.accessKeyId,
    });
    // KMS keys are governed by their key policies (src/kms/key-access.ts), secrets with a
    // resource policy by it too (src/secrets/secret-resource-policy.ts).
    const authorize = createAuthorizer(
      new PrincipalPolicyLoader(store),
      Date.now,
      resourcePolicies(services.kms, services.secrets),
    );
    const protocol = new JsonProtocol({
      services: [
        codePipelineService,
        lockstepService,
        codeConnectionsService,
        cloudTrail,
        codeBuild,
        cloudWatchLogs,
        kmsService,
        secretsManagerService,
      ],
      authenticate,
      authorize,
      validate: createModelValidator([
        codePipelineService,
        lockstepService,
        codeConnectionsService,
        cloudTrail,
        codeBuild,
        cloudWatchLogs,
        kmsService,
        secretsManagerService,
      ]),
      audit,
      serverServices: services,
      logError,
    });
    // IAM (and STS later) speak the Query protocol: form-encoded bodies, XML answers.
    const queryProtocol = new QueryProtocol({
      services: [
        iamQueryService({ store, rootKey, scope }),
        stsQueryService({ store, rootKey, scope }),
      ],
      authenticate,
      authorize,
      audit,
      serverServices: services,
      logError,
    });
    // S3's REST API: path-style buckets and objects, streamed, on the same listener.
    const s3 = new S3Protocol({
      authenticate: createS3Authenticator({
        store,
        rootKey,
        scope,
        bootstrapAdminKeyId: admin.accessKeyId,
      }),
      authorize,
      audit,
      serverServices: services,
      logError,
    });
    const app = await createHttpServer(protocol, queryProtocol, {
      maxBodyBytes: options.maxBodyBytes,
      tls: options.tls,
      health: () => Promise.resolve({ stateEngine: store.dialect, version: LOCKSTEP_VERSION }),
      logError,
      s3,
    });
    await built.startBackground();
    await app.listen({ host: options.host, port: options.port });
    const port = (app.server.address() as AddressInfo).port;
    const scheme = options.tls ? 'https' : 'http';
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    // Actions reach Lockstep with their role's credentials through this URL (AWS_ENDPOINT_URL).
    built.setServerUrl(`${scheme}://${host}:${port}`);
    return {
      url: `${scheme}://${host}:${port}`,
      port,
      ...scope,
      createdAdmin: admin.created,
      close: async () => {
        await app.close();
        await built.stopBackground();
        await audit.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Creates the data directory owner-only (0700): it holds keys and credentials. */
async function prepareDataDir(dataDir: string): Promise<void> {
  const existed = await access(dataDir).then(
    () => true,
    () => false,
  );
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (!existed) await chmod(dataDir, 0o700);
}
