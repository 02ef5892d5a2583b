/**
 * How an external job worker reaches its artifacts: the `artifactCredentials` of its job data,
 * and, when it reports success, the objects it uploaded recorded as the action's outputs.
 *
 * The credentials are a session of the action's role (else the pipeline role, as for built-in
 * actions) narrowed by a session policy to exactly this job's objects: s3:GetObject on each
 * input object, s3:PutObject on each output key. That is what CodePipeline's artifact
 * credentials are for, and the intersection means a worker can never do more than the role
 * allows nor reach another job's artifacts even when the role could. Without a usable role the
 * job carries no credentials: the only other identity the server has is its administrator, and
 * an administrator session is not bound by session policies, so it is never handed out.
 */
import type { ArtifactRef } from '../engine/execution-state.js';
import { InvalidArtifactKeyError } from '../artifacts/artifact-errors.js';
import type { ObjectArtifactStore } from '../artifacts/object-artifact-store.js';
import type { JobRecord } from '../store/execution-store.js';
import { issueRoleSession, type RoleSessionDeps } from './action-credentials.js';
import type { ArtifactCredentials, JobPayload, WireArtifact, WireJobData } from './job-data.js';

export class JobArtifactAccess {
  constructor(
    private readonly deps: Omit<RoleSessionDeps, 'nowMs'>,
    private readonly artifacts: Pick<ObjectArtifactStore, 'recordUpload' | 'ensureBucket'>,
  ) {}

  /** The job's data as a worker receives it: with artifactCredentials when it has artifacts. */
  async jobDataFor(job: JobRecord, payload: JobPayload): Promise<WireJobData> {
    const credentials = await this.credentialsFor(job, payload);
    return credentials ? { ...payload.jobData, artifactCredentials: credentials } : payload.jobData;
  }

  /** A session scoped to the job's artifact objects, lasting as long as the job may. */
  async credentialsFor(
    job: JobRecord,
    payload: JobPayload,
  ): Promise<ArtifactCredentials | undefined> {
    const policy = artifactSessionPolicy(payload.jobData);
    if (policy === undefined) return undefined;
    // The worker may be the first to write to the pipeline's bucket (a custom source action).
    // A location that cannot name a bucket leaves the job without credentials; its action then
    // fails at PutJobSuccessResult, naming the object it could not have written.
    try {
      for (const output of payload.jobData.outputArtifacts) {
        await this.artifacts.ensureBucket(output.location.s3Location.bucketName);
      }
    } catch (error) {
      if (error instanceof InvalidArtifactKeyError) return undefined;
      throw error;
    }
    const nowMs = Date.now();
    const session = await issueRoleSession(
      { ...this.deps, nowMs },
      payload,
      Math.max(0, job.timeoutAtMs - nowMs),
      policy,
    );
    if (!session.credentials) return undefined;
    return {
      accessKeyId: session.credentials.AccessKeyId,
      secretAccessKey: session.credentials.SecretAccessKey,
      sessionToken: session.credentials.SessionToken,
    };
  }

  /**
   * The job's declared outputs as artifacts: each the object the worker uploaded to the key its
   * job data names, with the SHA-256 of its bytes now. ArtifactNotUploadedError names a
   * missing one.
   */
  async recordOutputs(payload: JobPayload, revision: string | undefined): Promise<ArtifactRef[]> {
    const { pipelineName, pipelineExecutionId } = payload.jobData.pipelineContext;
    const outputs: ArtifactRef[] = [];
    for (const output of payload.jobData.outputArtifacts) {
      const stored = await this.artifacts.recordUpload({
        pipelineName,
        executionId: pipelineExecutionId,
        artifactName: output.name,
        bucketName: output.location.s3Location.bucketName,
      });
      outputs.push({ name: output.name, ...stored, ...(revision ? { revision } : {}) });
    }
    return outputs;
  }
}

/**
 * The session policy of a job's artifact credentials: read its inputs, write its outputs,
 * and use the pipeline's own KMS key for both when it has one (S3 uses it on the caller's
 * behalf). Undefined for a job without artifacts.
 */
export function artifactSessionPolicy(jobData: WireJobData): string | undefined {
  const arns = (artifacts: WireArtifact[]) =>
    artifacts.map(
      ({ location }) =>
        `arn:aws:s3:::${location.s3Location.bucketName}/${location.s3Location.objectKey}`,
    );
  const inputs = arns(jobData.inputArtifacts);
  const outputs = arns(jobData.outputArtifacts);
  if (inputs.length === 0 && outputs.length === 0) return undefined;
  const statements: object[] = [];
  if (inputs.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: inputs,
    });
  }
  if (outputs.length > 0) {
    statements.push({ Effect: 'Allow', Action: 's3:PutObject', Resource: outputs });
  }
  if (jobData.encryptionKey) {
    statements.push({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}
