/**
 * The read side of executions, in CodePipeline's output shapes: GetPipelineExecution,
 * ListPipelineExecutions, GetPipelineState and ListActionExecutions. Everything is derived
 * from the stored execution states and action executions; nothing here writes.
 */
import { InvalidNextTokenException } from '../errors/codepipeline-errors.js';
import type { ExecutionRecord } from '../store/execution-store.js';
import type { PipelineRecord, StageTransitionRecord, StateStore } from '../store/state-store.js';
import type { ActionDeclaration } from '../pipelines/declaration.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import { decodePageToken, encodePageToken } from '../pipelines/page-token.js';
import type { ActionRun, ExecutionState } from './execution-state.js';
import { isFinished } from './execution-state.js';
import { requireExecutionState } from './require-execution-state.js';
import { readExecutionState } from './stored-execution-state.js';
import { actionLogStreamArn } from './action-logs.js';

const date = (ms: number) => new Date(ms);

export class ExecutionViews {
  constructor(
    private readonly store: StateStore,
    private readonly scope: AccountScope,
  ) {}

  /** GetPipelineExecution. */
  async get(pipelineName: string, executionId: string) {
    const state = await this.state(pipelineName, executionId);
    return {
      pipelineExecution: {
        pipelineName: state.pipelineName,
        pipelineVersion: state.pipelineVersion,
        pipelineExecutionId: state.executionId,
        status: state.status,
        ...(state.statusSummary ? { statusSummary: state.statusSummary } : {}),
        artifactRevisions: artifactRevisions(state),
        variables: Object.entries(state.variables).map(([name, resolvedValue]) => ({
          name,
          resolvedValue,
        })),
        trigger: state.trigger,
        executionMode: state.declaration.executionMode ?? 'SUPERSEDED',
        executionType: 'STANDARD',
      },
    };
  }

  /** ListPipelineExecutions: newest first, paged. */
  async list(pipelineName: string, maxResults = 100, nextToken?: string) {
    const after = decodePageToken('executions', nextToken);
    const records = await this.store.executions.listExecutions(pipelineName, after, maxResults + 1);
    const page = await this.states(records.slice(0, maxResults));
    const last = page[page.length - 1];
    return {
      pipelineExecutionSummaries: page.map((state) => ({
        pipelineExecutionId: state.executionId,
        status: state.status,
        ...(state.statusSummary ? { statusSummary: state.statusSummary } : {}),
        startTime: date(state.startedMs),
        lastUpdateTime: date(state.updatedMs),
        sourceRevisions: sourceRevisions(state),
        trigger: state.trigger,
        executionMode: state.declaration.executionMode ?? 'SUPERSEDED',
        executionType: 'STANDARD',
      })),
      ...(records.length > maxResults && last
        ? { nextToken: encodePageToken('executions', last.executionId) }
        : {}),
    };
  }

  /** GetPipelineState: each stage as the latest execution that entered it left it. */
  async pipelineState(
    pipeline: PipelineRecord,
    declaredStages: { name: string; actions: ActionDeclaration[] }[],
    transitions: StageTransitionRecord[],
  ) {
    const recent = await this.states(
      await this.store.executions.listExecutions(pipeline.name, undefined, 50),
    );
    return {
      pipelineName: pipeline.name,
      pipelineVersion: pipeline.version,
      stageStates: declaredStages.map((stage) => {
        const latest = recent.find((s) => s.stages.some((run) => run.name === stage.name));
        const run = latest?.stages.find((s) => s.name === stage.name);
        const waiting = recent.filter(
          (s) => s.waitingToEnter === stage.name && !isFinished(s.status),
        );
        return {
          stageName: stage.name,
          inboundTransitionState: transitionState(transitions, stage.name),
          ...(waiting[0]
            ? {
                inboundExecution: {
                  pipelineExecutionId: waiting[0].executionId,
                  status: 'InProgress',
                },
                inboundExecutions: waiting.map((w) => ({
                  pipelineExecutionId: w.executionId,
                  status: 'InProgress',
                })),
              }
            : {}),
          actionStates: stage.actions.map((action) => actionState(action, run?.actions)),
          ...(latest && run
            ? { latestExecution: { pipelineExecutionId: latest.executionId, status: run.status } }
            : {}),
        };
      }),
      created: date(pipeline.createdMs),
      updated: date(pipeline.updatedMs),
    };
  }

  /** ListActionExecutions, optionally of one execution. */
  async listActions(
    pipelineName: string,
    executionId?: string,
    maxResults = 100,
    nextToken?: string,
  ) {
    if (executionId !== undefined) await this.state(pipelineName, executionId);
    const after = decodePageToken('action-executions', nextToken);
    const position = after === undefined ? undefined : parsePosition(after);
    const rows = await this.store.executions.listActionExecutions(
      pipelineName,
      executionId,
      position,
      maxResults + 1,
    );
    const page = rows.slice(0, maxResults);
    const last = page[page.length - 1];
    return {
      actionExecutionDetails: page.map((row) =>
        actionExecutionDetail(row.executionId, row.detailJson, logStreamArn(this.scope, row)),
      ),
      ...(rows.length > maxResults && last
        ? { nextToken: encodePageToken('action-executions', `${last.startedMs}/${last.id}`) }
        : {}),
    };
  }

  private state(pipelineName: string, executionId: string): Promise<ExecutionState> {
    return requireExecutionState(this.store, pipelineName, executionId);
  }

  private states(records: ExecutionRecord[]): Promise<ExecutionState[]> {
    return Promise.all(records.map((record) => readExecutionState(this.store.executions, record)));
  }
}

/** The (startedMs, id) position a ListActionExecutions token carries. */
function parsePosition(token: string): { startedMs: number; id: string } {
  const [ms, id] = token.split('/');
  const startedMs = Number(ms);
  if (!Number.isFinite(startedMs) || !id) {
    throw new InvalidNextTokenException('The next token is not valid for this request.');
  }
  return { startedMs, id };
}

function transitionState(transitions: StageTransitionRecord[], stageName: string) {
  const inbound = transitions.find(
    (t) => t.stageName === stageName && t.transitionType === 'Inbound',
  );
  if (!inbound) return { enabled: true };
  return {
    enabled: inbound.enabled,
    lastChangedBy: inbound.changedBy,
    lastChangedAt: date(inbound.changedMs),
    ...(inbound.reason ? { disabledReason: inbound.reason } : {}),
  };
}

function sourceActions(state: ExecutionState): ActionRun[] {
  return (state.stages[0]?.actions ?? []).filter((run) => run.status === 'Succeeded');
}

function artifactRevisions(state: ExecutionState) {
  return sourceActions(state).flatMap((run) =>
    (run.outputArtifacts ?? []).map((artifact) => ({
      name: artifact.name,
      ...(artifact.revision ? { revisionId: artifact.revision } : {}),
      ...(run.summary ? { revisionSummary: run.summary } : {}),
      created: date(run.updatedMs),
    })),
  );
}

function sourceRevisions(state: ExecutionState) {
  return sourceActions(state).map((run) => ({
    actionName: run.actionName,
    ...(run.outputArtifacts?.[0]?.revision ? { revisionId: run.outputArtifacts[0].revision } : {}),
    ...(run.summary ? { revisionSummary: run.summary } : {}),
  }));
}

function actionState(action: ActionDeclaration, runs: ActionRun[] | undefined) {
  const run = runs?.find((r) => r.actionName === action.name);
  if (!run) return { actionName: action.name };
  return {
    actionName: action.name,
    latestExecution: {
      actionExecutionId: run.actionExecutionId,
      status: run.status,
      lastStatusChange: date(run.updatedMs),
      ...(run.summary ? { summary: run.summary } : {}),
      ...(run.externalExecutionId ? { externalExecutionId: run.externalExecutionId } : {}),
      ...(run.externalExecutionUrl ? { externalExecutionUrl: run.externalExecutionUrl } : {}),
      ...(run.errorMessage
        ? { errorDetails: { code: run.errorCode ?? 'JobFailed', message: run.errorMessage } }
        : {}),
      ...(run.approvalToken ? { token: run.approvalToken } : {}),
    },
  };
}

/**
 * Where the action's log is: the CloudWatch Logs stream CodePipeline would point at, which
 * GetLogEvents serves (src/logs/), and `lockstep logs` reads too.
 */
function logStreamArn(
  scope: AccountScope,
  row: { pipelineName: string; executionId: string; id: string },
) {
  return actionLogStreamArn(scope, row.pipelineName, row.executionId, row.id);
}

function actionExecutionDetail(executionId: string, detailJson: string, logStreamARN: string) {
  const { run, declared, pipelineVersion } = JSON.parse(detailJson) as {
    run: ActionRun;
    declared?: ActionDeclaration;
    pipelineVersion: number;
  };
  return {
    pipelineExecutionId: executionId,
    actionExecutionId: run.actionExecutionId,
    pipelineVersion,
    stageName: run.stageName,
    actionName: run.actionName,
    startTime: date(run.startedMs),
    lastUpdateTime: date(run.updatedMs),
    status: run.status,
    input: {
      ...(declared ? { actionTypeId: declared.actionTypeId } : {}),
      configuration: declared?.configuration ?? {},
      resolvedConfiguration: run.resolvedConfiguration,
      ...(declared?.roleArn ? { roleArn: declared.roleArn } : {}),
      ...(declared?.region ? { region: declared.region } : {}),
      ...(declared?.namespace ? { namespace: declared.namespace } : {}),
      inputArtifacts: run.inputArtifacts.map((a) => ({
        name: a.name,
        s3location: { bucket: 'lockstep', key: a.location },
      })),
    },
    output: {
      outputArtifacts: (run.outputArtifacts ?? []).map((a) => ({
        name: a.name,
        s3location: { bucket: 'lockstep', key: a.location },
      })),
      executionResult: {
        logStreamARN,
        ...(run.externalExecutionId ? { externalExecutionId: run.externalExecutionId } : {}),
        ...(run.summary ? { externalExecutionSummary: run.summary } : {}),
        ...(run.externalExecutionUrl ? { externalExecutionUrl: run.externalExecutionUrl } : {}),
        ...(run.errorMessage
          ? { errorDetails: { code: run.errorCode ?? 'JobFailed', message: run.errorMessage } }
          : {}),
      },
      outputVariables: run.outputVariables ?? {},
    },
  };
}
