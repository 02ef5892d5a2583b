/**
 * CodePipeline's execution and job-worker operations, in one table beside the definition
 * operations of codepipeline-operations.ts.
 */
import type { ActionRevisionInput } from '../engine/action-revisions.js';
import type { ApprovalInput } from '../jobs/manual-approval.js';
import type { SuccessInput } from '../jobs/job-worker-protocol.js';
import type { ActionTypeId } from '../pipelines/declaration.js';
import { pipelineArn } from '../pipelines/pipeline-arn.js';
import { defineOperation, rawString, type Operation } from './operation.js';
import type { ServerServices } from './server-services.js';

function pipelineResource(member: string) {
  return (raw: Record<string, unknown>, services: ServerServices): string => {
    const name = rawString(raw, member);
    return name === undefined ? '*' : pipelineArn(services.scope, name);
  };
}

const byPipelineName = pipelineResource('pipelineName');

interface StartInput {
  name: string;
  variables?: { name: string; value: string }[];
  clientRequestToken?: string;
  sourceRevisions?: { actionName: string; revisionType: string; revisionValue: string }[];
}

const executionOperations: Operation[] = [
  defineOperation<StartInput>({
    name: 'StartPipelineExecution',
    iamAction: 'codepipeline:StartPipelineExecution',
    readOnly: false,
    resourceArn: pipelineResource('name'),
    handle: async (input, { services, principal }) => {
      const { pipeline } = await services.pipelines.getUnmasked(input.name);
      return services.executions.start({
        pipelineName: input.name,
        pipelineVersion: pipeline.version ?? 1,
        declaration: pipeline,
        trigger: { triggerType: 'StartPipelineExecution', triggerDetail: principal.arn },
        ...input,
      });
    },
  }),
  defineOperation<{
    pipelineName: string;
    pipelineExecutionId: string;
    abandon?: boolean;
    reason?: string;
  }>({
    name: 'StopPipelineExecution',
    iamAction: 'codepipeline:StopPipelineExecution',
    readOnly: false,
    resourceArn: byPipelineName,
    handle: async (input, { services }) => {
      await services.pipelines.require(input.pipelineName);
      return services.executions.stop(
        input.pipelineName,
        input.pipelineExecutionId,
        input.abandon ?? false,
        input.reason,
      );
    },
  }),
  defineOperation<{ pipelineName: string; pipelineExecutionId: string }>({
    name: 'GetPipelineExecution',
    iamAction: 'codepipeline:GetPipelineExecution',
    readOnly: true,
    resourceArn: byPipelineName,
    handle: async (input, { services }) => {
      await services.pipelines.require(input.pipelineName);
      return services.executionViews.get(input.pipelineName, input.pipelineExecutionId);
    },
  }),
  defineOperation<{ pipelineName: string; maxResults?: number; nextToken?: string }>({
    name: 'ListPipelineExecutions',
    iamAction: 'codepipeline:ListPipelineExecutions',
    readOnly: true,
    resourceArn: byPipelineName,
    handle: async (input, { services }) => {
      await services.pipelines.require(input.pipelineName);
      return services.executionViews.list(input.pipelineName, input.maxResults, input.nextToken);
    },
  }),
  defineOperation<{ name: string }>({
    name: 'GetPipelineState',
    iamAction: 'codepipeline:GetPipelineState',
    readOnly: true,
    resourceArn: pipelineResource('name'),
    handle: async (input, { services }) => {
      const record = await services.pipelines.require(input.name);
      const { pipeline } = await services.pipelines.get(input.name);
      const transitions = await services.transitions.list(input.name);
      return services.executionViews.pipelineState(record, pipeline.stages, transitions);
    },
  }),
  defineOperation<{
    pipelineName: string;
    filter?: { pipelineExecutionId?: string };
    maxResults?: number;
    nextToken?: string;
  }>({
    name: 'ListActionExecutions',
    iamAction: 'codepipeline:ListActionExecutions',
    readOnly: true,
    resourceArn: byPipelineName,
    handle: async (input, { services }) => {
      await services.pipelines.require(input.pipelineName);
      return services.executionViews.listActions(
        input.pipelineName,
        input.filter?.pipelineExecutionId,
        input.maxResults,
        input.nextToken,
      );
    },
  }),
  defineOperation<ApprovalInput>({
    name: 'PutApprovalResult',
    iamAction: 'codepipeline:PutApprovalResult',
    readOnly: false,
    // CodePipeline authorizes an approval on the action itself, pipeline/stage/action, so a
    // policy can let someone approve one gate and no other.
    resourceArn: (raw, services) => {
      const [pipeline, stage, action] = ['pipelineName', 'stageName', 'actionName'].map((k) =>
        rawString(raw, k),
      );
      return pipeline && stage && action
        ? `${pipelineArn(services.scope, pipeline)}/${stage}/${action}`
        : '*';
    },
    handle: async (input, { services }) => {
      const { pipeline } = await services.pipelines.get(input.pipelineName);
      return services.approvals.answer(input, pipeline);
    },
  }),
  defineOperation<{
    pipelineName: string;
    stageName: string;
    pipelineExecutionId: string;
    retryMode: 'FAILED_ACTIONS' | 'ALL_ACTIONS';
  }>({
    name: 'RetryStageExecution',
    iamAction: 'codepipeline:RetryStageExecution',
    readOnly: false,
    resourceArn: byPipelineName,
    handle: async (input, { services }) => {
      await services.pipelines.require(input.pipelineName);
      return services.executions.retry(
        input.pipelineName,
        input.pipelineExecutionId,
        input.stageName,
        input.retryMode,
      );
    },
  }),
  defineOperation<TransitionInput & { reason: string }>({
    name: 'DisableStageTransition',
    iamAction: 'codepipeline:DisableStageTransition',
    readOnly: false,
    resourceArn: byPipelineName,
    handle: async (input, { services, principal }) => {
      const { pipeline } = await services.pipelines.get(input.pipelineName);
      await services.transitions.disable(
        transitionChange(input, principal.arn),
        input.reason,
        pipeline,
      );
      return {};
    },
  }),
  defineOperation<TransitionInput>({
    name: 'EnableStageTransition',
    iamAction: 'codepipeline:EnableStageTransition',
    readOnly: false,
    resourceArn: byPipelineName,
    handle: async (input, { services, principal }) => {
      const { pipeline } = await services.pipelines.get(input.pipelineName);
      await services.transitions.enable(transitionChange(input, principal.arn), pipeline);
      return {};
    },
  }),
  defineOperation<ActionRevisionInput>({
    name: 'PutActionRevision',
    iamAction: 'codepipeline:PutActionRevision',
    readOnly: false,
    resourceArn: byPipelineName,
    handle: async (input, { services, principal }) => {
      const { pipeline, record } = await services.pipelines.getUnmasked(input.pipelineName);
      return services.actionRevisions.put(input, pipeline, record.version, principal.arn);
    },
  }),
];

interface TransitionInput {
  pipelineName: string;
  stageName: string;
  transitionType: 'Inbound' | 'Outbound';
}

function transitionChange(input: TransitionInput, changedBy: string) {
  return {
    pipelineName: input.pipelineName,
    stageName: input.stageName,
    transitionType: input.transitionType,
    changedBy,
  };
}

const jobOperations: Operation[] = [
  defineOperation<{
    actionTypeId: ActionTypeId;
    maxBatchSize?: number;
    queryParam?: Record<string, string>;
  }>({
    name: 'PollForJobs',
    iamAction: 'codepipeline:PollForJobs',
    readOnly: false,
    resourceArn: () => '*',
    handle: (input, { services }) =>
      services.jobProtocol.poll(input.actionTypeId, input.maxBatchSize, input.queryParam),
    // A job's data carries its action's configuration, secret properties in clear for the
    // worker; the trail keeps only which jobs were handed out.
    auditResponse: (output) => ({
      jobs: (output as { jobs: { id: string }[] }).jobs.map((job) => ({ id: job.id })),
    }),
  }),
  defineOperation<{ jobId: string; nonce: string }>({
    name: 'AcknowledgeJob',
    iamAction: 'codepipeline:AcknowledgeJob',
    readOnly: false,
    resourceArn: () => '*',
    handle: (input, { services }) => services.jobProtocol.acknowledge(input.jobId, input.nonce),
  }),
  defineOperation<{ jobId: string }>({
    name: 'GetJobDetails',
    iamAction: 'codepipeline:GetJobDetails',
    readOnly: true,
    resourceArn: () => '*',
    handle: (input, { services }) => services.jobProtocol.details(input.jobId),
  }),
  defineOperation<SuccessInput>({
    name: 'PutJobSuccessResult',
    iamAction: 'codepipeline:PutJobSuccessResult',
    readOnly: false,
    resourceArn: () => '*',
    handle: async (input, { services }) => {
      await services.jobProtocol.succeed(input);
      return {};
    },
    // A worker may echo a secret its job was handed; the trail keeps it hidden.
    auditParameters: (input, services) => services.jobProtocol.redactedReport(input),
  }),
  defineOperation<{
    jobId: string;
    failureDetails: { type: string; message: string; externalExecutionId?: string };
  }>({
    name: 'PutJobFailureResult',
    iamAction: 'codepipeline:PutJobFailureResult',
    readOnly: false,
    resourceArn: () => '*',
    handle: async (input, { services }) => {
      await services.jobProtocol.fail(input.jobId, input.failureDetails);
      return {};
    },
    auditParameters: (input, services) => services.jobProtocol.redactedReport(input),
  }),
];

interface ThirdPartyResult {
  jobId: string;
  clientToken: string;
}

const thirdPartyJobOperations: Operation[] = [
  defineOperation<{ actionTypeId: ActionTypeId; maxBatchSize?: number }>({
    name: 'PollForThirdPartyJobs',
    iamAction: 'codepipeline:PollForThirdPartyJobs',
    readOnly: false,
    resourceArn: () => '*',
    handle: (input, { services }) =>
      services.thirdPartyJobs.poll(input.actionTypeId, input.maxBatchSize),
  }),
  defineOperation<ThirdPartyResult>({
    name: 'GetThirdPartyJobDetails',
    iamAction: 'codepipeline:GetThirdPartyJobDetails',
    readOnly: true,
    resourceArn: () => '*',
    handle: (input, { services }) =>
      services.thirdPartyJobs.details(input.jobId, input.clientToken),
  }),
  defineOperation<ThirdPartyResult & { nonce: string }>({
    name: 'AcknowledgeThirdPartyJob',
    iamAction: 'codepipeline:AcknowledgeThirdPartyJob',
    readOnly: false,
    resourceArn: () => '*',
    handle: (input, { services }) =>
      services.thirdPartyJobs.acknowledge(input.jobId, input.nonce, input.clientToken),
  }),
  defineOperation<ThirdPartyResult & Omit<SuccessInput, 'outputVariables'>>({
    name: 'PutThirdPartyJobSuccessResult',
    iamAction: 'codepipeline:PutThirdPartyJobSuccessResult',
    readOnly: false,
    resourceArn: () => '*',
    handle: async (input, { services }) => {
      await services.thirdPartyJobs.succeed(input);
      return {};
    },
  }),
  defineOperation<
    ThirdPartyResult & {
      failureDetails: { type: string; message: string; externalExecutionId?: string };
    }
  >({
    name: 'PutThirdPartyJobFailureResult',
    iamAction: 'codepipeline:PutThirdPartyJobFailureResult',
    readOnly: false,
    resourceArn: () => '*',
    handle: async (input, { services }) => {
      await services.thirdPartyJobs.fail(input.jobId, input.clientToken, input.failureDetails);
      return {};
    },
  }),
];

/** Every execution and job operation, for the CodePipeline service's table. */
export const codePipelineExecutionOperations: readonly Operation[] = [
  ...executionOperations,
  ...jobOperations,
  ...thirdPartyJobOperations,
];
