/**
 * The partner (ThirdParty) variant of the job-worker protocol: PollForThirdPartyJobs,
 * GetThirdPartyJobDetails, AcknowledgeThirdPartyJob, PutThirdPartyJobSuccessResult and
 * PutThirdPartyJobFailureResult, for action types of owner ThirdParty when the operator hands
 * them to partner workers (LOCKSTEP_THIRD_PARTY_WORKERS). Lockstep has no partner registry:
 * partners are IAM principals like any caller, and the clientToken given at acknowledgement
 * binds the job to that worker, so another worker's token is refused afterwards.
 */
import { createHash } from 'node:crypto';
import {
  ActionTypeNotFoundException,
  InvalidClientTokenException,
  InvalidNonceException,
} from '../errors/codepipeline-errors.js';
import { ValidationException } from '../errors/lockstep-error.js';
import { actionTypeKey, type ActionTypeService } from '../pipelines/action-type-service.js';
import type { ActionTypeId } from '../pipelines/declaration.js';
import type { JobRecord } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import type { JobService } from './job-service.js';
import type { JobWorkerProtocol, SuccessInput } from './job-worker-protocol.js';

export class ThirdPartyJobProtocol {
  constructor(
    private readonly store: StateStore,
    private readonly jobs: JobService,
    private readonly workerProtocol: JobWorkerProtocol,
    private readonly actionTypes: Pick<ActionTypeService, 'resolver'>,
    private readonly accountId: string,
  ) {}

  /** PollForThirdPartyJobs: queued jobs of one ThirdParty action type. */
  async poll(actionTypeId: ActionTypeId, maxBatchSize = 1) {
    if (actionTypeId.owner !== 'ThirdParty') {
      throw new ValidationException(
        `ActionType with owner '${actionTypeId.owner}' is not supported`,
      );
    }
    if (!(await this.actionTypes.resolver())(actionTypeId)) {
      throw new ActionTypeNotFoundException(
        `Action type ${actionTypeKey(actionTypeId)} does not exist.`,
      );
    }
    const found = await this.store.executions.pollJobs(
      actionTypeKey(actionTypeId),
      undefined,
      maxBatchSize,
      Date.now(),
    );
    return {
      jobs: found.map((job) => ({ clientId: `lockstep-${this.accountId}`, jobId: job.id })),
    };
  }

  /** GetThirdPartyJobDetails: the job's data without pipeline ARN or execution id, and its nonce. */
  async details(jobId: string, clientToken: string) {
    const job = await this.jobs.require(jobId);
    checkClient(job, clientToken);
    const jobData = await this.workerProtocol.jobDataFor(job);
    const { pipelineName, stage, action } = jobData.pipelineContext;
    return {
      jobDetails: {
        id: job.id,
        data: { ...jobData, pipelineContext: { pipelineName, stage, action } },
        nonce: job.nonce,
      },
    };
  }

  /** AcknowledgeThirdPartyJob: claims the job and binds it to this client token. */
  async acknowledge(jobId: string, nonce: string, clientToken: string) {
    const job = await this.jobs.require(jobId);
    if (job.nonce !== nonce)
      throw new InvalidNonceException(`The nonce does not match job ${jobId}.`);
    checkClient(job, clientToken);
    if (job.status === 'InProgress') return { status: job.status };
    const claimed = await this.store.executions.transitionJob(
      jobId,
      ['Queued', 'Dispatched'],
      'InProgress',
      {
        nowMs: Date.now(),
        nonce,
        workerId: clientKey(clientToken),
      },
    );
    return { status: claimed?.status ?? (await this.jobs.require(jobId)).status };
  }

  /** PutThirdPartyJobSuccessResult (no output variables in the partner protocol). */
  async succeed(input: Omit<SuccessInput, 'outputVariables'> & { clientToken: string }) {
    checkClient(await this.jobs.require(input.jobId), input.clientToken);
    const { clientToken, ...rest } = input;
    void clientToken;
    await this.workerProtocol.succeed(rest);
  }

  /** PutThirdPartyJobFailureResult. */
  async fail(
    jobId: string,
    clientToken: string,
    failure: { type: string; message: string; externalExecutionId?: string },
  ) {
    checkClient(await this.jobs.require(jobId), clientToken);
    await this.workerProtocol.fail(jobId, failure);
  }
}

/** The worker id a client token binds a job to: its digest, never the token itself. */
function clientKey(clientToken: string): string {
  return `client:${createHash('sha256').update(clientToken).digest('hex').slice(0, 32)}`;
}

function checkClient(job: JobRecord, clientToken: string): void {
  if (job.workerId !== null && job.workerId !== clientKey(clientToken)) {
    throw new InvalidClientTokenException(
      `Job ${job.id} was acknowledged with another client token.`,
    );
  }
}
