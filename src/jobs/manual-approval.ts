/**
 * PutApprovalResult: a Manual approval action waits as a job nobody claims until a person
 * answers with the action's token (its job id, shown in GetPipelineState). Approved succeeds
 * the action; Rejected fails it with the summary. Timeouts are the JobSupervisor's.
 */
import {
  ActionNotFoundException,
  ApprovalAlreadyCompletedException,
  InvalidApprovalTokenException,
  StageNotFoundException,
} from '../errors/codepipeline-errors.js';
import type { PipelineDeclaration } from '../pipelines/declaration.js';
import type { StateStore } from '../store/state-store.js';
import type { JobService } from './job-service.js';

export interface ApprovalInput {
  pipelineName: string;
  stageName: string;
  actionName: string;
  result: { summary: string; status: 'Approved' | 'Rejected' };
  token: string;
}

export class ManualApproval {
  constructor(
    private readonly store: StateStore,
    private readonly jobs: JobService,
  ) {}

  /** Answers a waiting approval; returns when it was approved or rejected. */
  async answer(
    input: ApprovalInput,
    declaration: PipelineDeclaration,
  ): Promise<{ approvedAt: Date }> {
    checkDeclared(input, declaration);
    const job = await this.store.executions.getJob(input.token);
    const action = job && (await this.store.executions.getActionExecution(job.actionExecutionId));
    if (
      !job ||
      !action ||
      action.pipelineName !== input.pipelineName ||
      action.stageName !== input.stageName ||
      action.actionName !== input.actionName
    ) {
      throw new InvalidApprovalTokenException(
        `The token is not the approval token of ${input.stageName}/${input.actionName} in pipeline ${input.pipelineName}.`,
      );
    }
    if (job.status !== 'Queued') {
      throw new ApprovalAlreadyCompletedException(
        `The approval of ${input.stageName}/${input.actionName} has already ended (${job.status}).`,
      );
    }
    const approved = input.result.status === 'Approved';
    await this.jobs.complete(
      job,
      ['Queued'],
      approved
        ? {
            status: 'Succeeded',
            outputArtifacts: [],
            outputVariables: {},
            summary: input.result.summary,
          }
        : {
            status: 'Failed',
            errorCode: 'JobFailed',
            message: `Rejected: ${input.result.summary}`,
          },
    );
    return { approvedAt: new Date() };
  }
}

function checkDeclared(input: ApprovalInput, declaration: PipelineDeclaration): void {
  const stage = declaration.stages.find((s) => s.name === input.stageName);
  if (!stage) {
    throw new StageNotFoundException(
      `Pipeline ${input.pipelineName} has no stage ${input.stageName}.`,
    );
  }
  const action = stage.actions.find((a) => a.name === input.actionName);
  if (!action || action.actionTypeId.category !== 'Approval') {
    throw new ActionNotFoundException(
      `Stage ${input.stageName} has no approval action named ${input.actionName}.`,
    );
  }
}
