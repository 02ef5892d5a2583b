/**
 * What a job carries: CodePipeline's JobData shape (what PollForJobs and GetJobDetails return
 * to a worker) plus the few facts only Lockstep's own workers need, such as each input's
 * SHA-256, which is checked when the worker reads it.
 */
import {
  artifactObjectKeyOf,
  DEFAULT_ARTIFACT_BUCKET,
  parseObjectArtifactLocation,
} from '../artifacts/artifact-location.js';
import type { ArtifactRef, ActionRun, ExecutionState } from '../engine/execution-state.js';
import type { ActionDeclaration, ActionTypeId } from '../pipelines/declaration.js';

export interface WireArtifact {
  name: string;
  revision?: string;
  location: { type: 'S3'; s3Location: { bucketName: string; objectKey: string } };
}

/** CodePipeline's JobData. */
export interface WireJobData {
  actionTypeId: ActionTypeId;
  actionConfiguration: { configuration: Record<string, string> };
  pipelineContext: {
    pipelineName: string;
    stage: { name: string };
    action: { name: string; actionExecutionId: string };
    pipelineArn: string;
    pipelineExecutionId: string;
  };
  inputArtifacts: WireArtifact[];
  outputArtifacts: WireArtifact[];
  continuationToken?: string;
  /** The pipeline's artifact store key, which new artifacts are sealed under (as in AWS). */
  encryptionKey?: { id: string; type: 'KMS' };
  /** Only in what an external worker receives (job-artifact-access.ts); never stored. */
  artifactCredentials?: ArtifactCredentials;
}

/** CodePipeline's AWSSessionCredentials; the service model marks it sensitive. */
export interface ArtifactCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Everything stored with a job. */
export interface JobPayload {
  jobData: WireJobData;
  /** The inputs with their digests, for Lockstep's own workers. */
  inputs: ArtifactRef[];
  /** The declared action, with its `#{...}` references resolved. */
  action: ActionDeclaration;
  /** The pipeline's service role, through which the action's own roleArn is assumed. */
  pipelineRoleArn?: string;
  /** Source revision override for a source action, from StartPipelineExecution. */
  sourceRevision?: { revisionType: string; revisionValue: string };
  /** Set once a worker reported the job's outcome, so a crash before the engine heard of it loses nothing. */
  outcome?: JobOutcome;
}

export type JobOutcome =
  | {
      status: 'Succeeded';
      outputArtifacts: ArtifactRef[];
      outputVariables: Record<string, string>;
      summary?: string;
      externalExecutionId?: string;
      externalExecutionUrl?: string;
    }
  | { status: 'Failed'; errorCode: string; message: string; externalExecutionId?: string };

/** Builds the payload of the job that runs `run`. */
export function buildJobPayload(
  state: ExecutionState,
  run: ActionRun,
  declared: ActionDeclaration,
  pipelineArn: string,
): JobPayload {
  const bucket = state.declaration.artifactStore?.location ?? DEFAULT_ARTIFACT_BUCKET;
  // An input names the object it was written to (its recorded location); an output the key
  // its worker must write, the same one the artifact store uses (artifact-location.ts).
  const wire = (name: string, ref?: ArtifactRef): WireArtifact => {
    const stored = ref && parseObjectArtifactLocation(ref.location);
    return {
      name,
      ...(ref?.revision ? { revision: ref.revision } : {}),
      location: {
        type: 'S3',
        s3Location: {
          bucketName: stored?.bucket ?? bucket,
          objectKey:
            stored?.objectKey ?? artifactObjectKeyOf(state.pipelineName, state.executionId, name),
        },
      },
    };
  };
  const action: ActionDeclaration = {
    ...declared,
    configuration: run.resolvedConfiguration,
    ...(run.resolvedCommands ? { commands: run.resolvedCommands } : {}),
    ...(run.resolvedEnvironment ? { environmentVariables: run.resolvedEnvironment } : {}),
  };
  const override = state.sourceRevisions[run.actionName];
  const encryptionKey = state.declaration.artifactStore?.encryptionKey;
  return {
    jobData: {
      actionTypeId: declared.actionTypeId,
      actionConfiguration: { configuration: run.resolvedConfiguration },
      pipelineContext: {
        pipelineName: state.pipelineName,
        stage: { name: run.stageName },
        action: { name: run.actionName, actionExecutionId: run.actionExecutionId },
        pipelineArn,
        pipelineExecutionId: state.executionId,
      },
      inputArtifacts: run.inputArtifacts.map((ref) => wire(ref.name, ref)),
      outputArtifacts: (declared.outputArtifacts ?? []).map((out) => wire(out.name)),
      ...(encryptionKey ? { encryptionKey } : {}),
    },
    inputs: run.inputArtifacts,
    action,
    pipelineRoleArn: state.declaration.roleArn,
    ...(override ? { sourceRevision: override } : {}),
  };
}
