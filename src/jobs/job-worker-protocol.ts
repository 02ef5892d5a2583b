/**
 * CodePipeline's job-worker protocol for custom action types: PollForJobs, AcknowledgeJob,
 * GetJobDetails, PutJobSuccessResult (continuation tokens, output variables, execution
 * details) and PutJobFailureResult. A job is claimed once: AcknowledgeJob with the job's
 * nonce moves it to InProgress, and a second acknowledgement with another nonce is refused.
 */
import {
  ActionTypeNotFoundException,
  InvalidNonceException,
  OutputVariablesSizeExceededException,
} from '../errors/codepipeline-errors.js';
import { ArtifactNotUploadedError } from '../artifacts/artifact-errors.js';
import { ValidationException } from '../errors/lockstep-error.js';
import { actionTypeKey, type ActionTypeService } from '../pipelines/action-type-service.js';
import type { ArtifactRef } from '../engine/execution-state.js';
import type { ActionTypeId } from '../pipelines/declaration.js';
import type { JobRecord } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import { Redactor } from '../secrets/redaction.js';
import { hasDynamicReference, SecretResolutionError } from '../secrets/secret-references.js';
import { actionSecretResolver, redactOutcome, type ActionSecretDeps } from './action-secrets.js';
import type { JobArtifactAccess } from './job-artifact-access.js';
import type { JobOutcome, JobPayload, WireJobData } from './job-data.js';
import type { JobService } from './job-service.js';

/** CodePipeline's quota on all output variables of one action together. */
const MAX_OUTPUT_VARIABLES_BYTES = 122_880;

export interface SuccessInput {
  jobId: string;
  continuationToken?: string;
  currentRevision?: { revision: string; changeIdentifier: string; revisionSummary?: string };
  executionDetails?: { summary?: string; externalExecutionId?: string; percentComplete?: number };
  outputVariables?: Record<string, string>;
}

export class JobWorkerProtocol {
  constructor(
    private readonly store: StateStore,
    private readonly jobs: JobService,
    private readonly actionTypes: Pick<ActionTypeService, 'resolver'>,
    private readonly accountId: string,
    private readonly artifactAccess: JobArtifactAccess,
    /** How `{{resolve:secretsmanager:...}}` in a job's configuration is read, as its role. */
    private readonly secrets?: ActionSecretDeps,
  ) {}

  /** PollForJobs: queued jobs of one custom action type, optionally matching queryParam. */
  async poll(actionTypeId: ActionTypeId, maxBatchSize = 1, queryParam?: Record<string, string>) {
    if (actionTypeId.owner !== 'Custom') {
      throw new ValidationException(
        `ActionType with owner '${actionTypeId.owner}' is not supported`,
      );
    }
    const type = (await this.actionTypes.resolver())(actionTypeId);
    if (!type) {
      throw new ActionTypeNotFoundException(
        `Action type ${actionTypeKey(actionTypeId)} does not exist.`,
      );
    }
    const queryValue = queryValueFrom(type.actionType.actionConfigurationProperties, queryParam);
    const found = await this.store.executions.pollJobs(
      actionTypeKey(actionTypeId),
      queryValue,
      maxBatchSize,
      Date.now(),
    );
    const jobs = [];
    for (const job of found) {
      const payload = JSON.parse(job.dataJson) as JobPayload;
      const data = await this.workerData(job, payload).catch(async (error: unknown) => {
        if (!(error instanceof SecretResolutionError)) throw error;
        // A job whose secrets its role cannot read is never handed out: its action fails.
        const outcome = {
          status: 'Failed' as const,
          errorCode: 'JobFailed',
          message: error.message,
        };
        await this.jobs.complete(job, ['Queued', 'Dispatched'], outcome);
        return undefined;
      });
      if (data === undefined) continue;
      jobs.push({ id: job.id, data, nonce: job.nonce, accountId: this.accountId });
    }
    return { jobs };
  }

  /** AcknowledgeJob: claims the job for the worker holding its nonce. */
  async acknowledge(jobId: string, nonce: string) {
    const job = await this.jobs.require(jobId);
    if (job.nonce !== nonce)
      throw new InvalidNonceException(`The nonce does not match job ${jobId}.`);
    if (job.status === 'InProgress') return { status: job.status };
    const claimed = await this.store.executions.transitionJob(
      jobId,
      ['Queued', 'Dispatched'],
      'InProgress',
      {
        nowMs: Date.now(),
        nonce,
      },
    );
    return { status: claimed?.status ?? (await this.jobs.require(jobId)).status };
  }

  /** GetJobDetails. */
  async details(jobId: string) {
    const job = await this.jobs.require(jobId);
    const payload = JSON.parse(job.dataJson) as JobPayload;
    const data = await this.workerData(job, payload);
    return { jobDetails: { id: job.id, data, accountId: this.accountId } };
  }

  /**
   * The job's data as its worker receives it: artifactCredentials added, and the secrets its
   * configuration references resolved as the action's role (in this answer only; the stored
   * job keeps the references). Secret properties of the action type reach only the worker
   * holding the job, through this answer, and are masked everywhere else.
   */
  private async workerData(job: JobRecord, payload: JobPayload): Promise<WireJobData> {
    const data = await this.artifactAccess.jobDataFor(job, payload);
    if (this.secrets === undefined) return data;
    const resolver = actionSecretResolver(this.secrets, payload);
    const configuration = await resolver.resolveConfiguration(
      data.actionConfiguration.configuration,
    );
    return { ...data, actionConfiguration: { ...data.actionConfiguration, configuration } };
  }

  /**
   * What hides a job's secrets in what its worker reports (summary, output variables, error
   * message, and the audit record of the call): the values its configuration references, read
   * again as its role, and the credential shapes. A secret no longer readable cannot be known,
   * so only the shapes apply to it.
   */
  async reportRedactor(job: JobRecord): Promise<Redactor> {
    const payload = JSON.parse(job.dataJson) as JobPayload;
    const configuration = payload.jobData.actionConfiguration.configuration;
    if (this.secrets === undefined || !Object.values(configuration).some(hasDynamicReference)) {
      return Redactor.shapesOnly;
    }
    const resolver = actionSecretResolver(this.secrets, payload);
    await resolver.resolveConfiguration(configuration).catch(() => undefined);
    return new Redactor(resolver.values);
  }

  /** A report's parameters as the audit trail may keep them (see reportRedactor). */
  async redactedReport<T extends { jobId: string }>(input: T): Promise<T> {
    const job = await this.jobs.require(input.jobId).catch(() => undefined);
    if (job === undefined) return input;
    const redactor = await this.reportRedactor(job);
    return JSON.parse(
      JSON.stringify(input, (_key, value: unknown) =>
        typeof value === 'string' ? redactor.redact(value) : value,
      ),
    ) as T;
  }

  /** A job's data as its worker receives it, artifactCredentials included. */
  jobDataFor(job: JobRecord): Promise<WireJobData> {
    return this.artifactAccess.jobDataFor(job, JSON.parse(job.dataJson) as JobPayload);
  }

  /** PutJobSuccessResult. */
  async succeed(input: SuccessInput): Promise<void> {
    const job = await this.jobs.require(input.jobId);
    if (input.continuationToken !== undefined) {
      if (input.outputVariables) {
        throw new ValidationException(
          'outputVariables can only be given without a continuationToken.',
        );
      }
      return this.jobs.continueWith(job, input.continuationToken);
    }
    const outputVariables = input.outputVariables ?? {};
    checkOutputVariablesSize(outputVariables);
    const payload = JSON.parse(job.dataJson) as JobPayload;
    // The outputs the worker uploaded through the S3 API, digests taken now so the next
    // action's read is checked like any other. A missing one fails the action, not the call.
    let outputArtifacts: ArtifactRef[];
    try {
      outputArtifacts = await this.artifactAccess.recordOutputs(
        payload,
        input.currentRevision?.revision,
      );
    } catch (error) {
      if (!(error instanceof ArtifactNotUploadedError)) throw error;
      return this.jobs.complete(job, ['InProgress'], {
        status: 'Failed',
        errorCode: 'JobFailed',
        message: error.message,
      });
    }
    const outcome: JobOutcome = {
      status: 'Succeeded',
      outputArtifacts,
      outputVariables,
      ...(input.executionDetails?.summary ? { summary: input.executionDetails.summary } : {}),
      ...(input.executionDetails?.externalExecutionId
        ? { externalExecutionId: input.executionDetails.externalExecutionId }
        : {}),
    };
    await this.jobs.complete(
      job,
      ['InProgress'],
      redactOutcome(outcome, await this.reportRedactor(job)),
    );
  }

  /** PutJobFailureResult. */
  async fail(
    jobId: string,
    failure: { type: string; message: string; externalExecutionId?: string },
  ) {
    const job = await this.jobs.require(jobId);
    const outcome: JobOutcome = {
      status: 'Failed',
      errorCode: failure.type,
      message: failure.message,
      ...(failure.externalExecutionId ? { externalExecutionId: failure.externalExecutionId } : {}),
    };
    await this.jobs.complete(
      job,
      ['InProgress'],
      redactOutcome(outcome, await this.reportRedactor(job)),
    );
  }
}

function queryValueFrom(
  properties: { name: string; queryable?: boolean }[],
  queryParam: Record<string, string> | undefined,
): string | undefined {
  const entries = Object.entries(queryParam ?? {});
  if (entries.length === 0) return undefined;
  const [[name, value]] = entries as [[string, string]];
  const queryable = properties.find((p) => p.queryable);
  if (entries.length > 1 || !queryable || queryable.name !== name) {
    throw new ValidationException(
      `queryParam must name the action type's one queryable property${queryable ? ` ('${queryable.name}')` : ', and it has none'}.`,
    );
  }
  return value;
}

function checkOutputVariablesSize(variables: Record<string, string>): void {
  const bytes = Object.entries(variables).reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  if (bytes > MAX_OUTPUT_VARIABLES_BYTES) {
    throw new OutputVariablesSizeExceededException(
      `The output variables take ${bytes} bytes; the limit is ${MAX_OUTPUT_VARIABLES_BYTES}.`,
    );
  }
}
