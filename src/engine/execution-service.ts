/**
 * Starting, stopping and cancelling pipeline executions: StartPipelineExecution (pipeline
 * variables, source revision overrides, clientRequestToken idempotency) and
 * StopPipelineExecution (wait or abandon); CreatePipeline starts a run as CodePipeline does,
 * and UpdatePipeline or DeletePipeline cancels the runs in flight.
 */
import { randomUUID } from 'node:crypto';
import {
  DuplicatedStopRequestException,
  NotLatestPipelineExecutionException,
  StageNotFoundException,
  StageNotRetryableException,
  PipelineExecutionNotStoppableException,
} from '../errors/codepipeline-errors.js';
import { ValidationException } from '../errors/lockstep-error.js';
import type { PipelineDeclaration } from '../pipelines/declaration.js';
import type { ExecutionRecord } from '../store/execution-store.js';
import { ClientRequestTokenTakenError } from '../store/execution-store.js';
import type { StateStore } from '../store/state-store.js';
import type { ExecutionRunner } from './execution-runner.js';
import { requireExecutionState } from './require-execution-state.js';
import type { ExecutionState, ExecutionTrigger } from './execution-state.js';
import { isFinished } from './execution-state.js';
import { readExecutionState, stateJsonOf, storedDeclaration } from './stored-execution-state.js';

export interface StartRequest {
  pipelineName: string;
  pipelineVersion: number;
  declaration: PipelineDeclaration;
  trigger: ExecutionTrigger;
  variables?: { name: string; value: string }[];
  sourceRevisions?: { actionName: string; revisionType: string; revisionValue: string }[];
  clientRequestToken?: string;
}

export class ExecutionService {
  constructor(
    private readonly store: StateStore,
    private readonly runner: ExecutionRunner,
  ) {}

  /** Starts a run; the same clientRequestToken gives back the run it started before. */
  async start(request: StartRequest): Promise<{ pipelineExecutionId: string }> {
    const token = request.clientRequestToken;
    if (token !== undefined) {
      const earlier = await this.store.executions.findExecutionByToken(request.pipelineName, token);
      if (earlier) return { pipelineExecutionId: earlier.id };
    }
    const state = initialState(request);
    const declaration = storedDeclaration(request.declaration);
    const record: ExecutionRecord = {
      id: state.executionId,
      pipelineName: request.pipelineName,
      pipelineVersion: request.pipelineVersion,
      status: state.status,
      clientRequestToken: token ?? null,
      stateJson: stateJsonOf(state, declaration.sha256),
      stateVersion: 0,
      createdMs: state.startedMs,
      updatedMs: state.startedMs,
      declarationSha256: declaration.sha256,
    };
    try {
      await this.store.executions.insertExecution(record, declaration);
    } catch (error) {
      // Two requests with one token raced; the loser answers with the winner's run.
      if (!(error instanceof ClientRequestTokenTakenError) || token === undefined) throw error;
      const winner = await this.store.executions.findExecutionByToken(request.pipelineName, token);
      if (winner) return { pipelineExecutionId: winner.id };
      throw error;
    }
    await this.runner.apply(record.id, { type: 'Start' });
    return { pipelineExecutionId: record.id };
  }

  /** StopPipelineExecution: stop and wait, or abandon what is running. */
  async stop(pipelineName: string, executionId: string, abandon: boolean, reason?: string) {
    const state = await this.requireState(pipelineName, executionId);
    if (isFinished(state.status)) {
      throw new PipelineExecutionNotStoppableException(
        `Pipeline execution ${executionId} has already finished with status ${state.status}.`,
      );
    }
    if (state.status === 'Stopping' && !abandon) {
      throw new DuplicatedStopRequestException(
        `Pipeline execution ${executionId} is already stopping; to end it at once, stop it with abandon.`,
      );
    }
    await this.runner.apply(executionId, { type: 'Stop', abandon, ...(reason ? { reason } : {}) });
    return { pipelineExecutionId: executionId };
  }

  /** RetryStageExecution: the failed stage of the latest run to reach it, again. */
  async retry(
    pipelineName: string,
    executionId: string,
    stageName: string,
    retryMode: 'FAILED_ACTIONS' | 'ALL_ACTIONS',
  ) {
    const state = await this.requireState(pipelineName, executionId);
    if (!state.declaration.stages.some((s) => s.name === stageName)) {
      throw new StageNotFoundException(`Pipeline ${pipelineName} has no stage named ${stageName}.`);
    }
    const stage = state.stages[state.stages.length - 1];
    if (state.status !== 'Failed' || stage?.name !== stageName || stage.status !== 'Failed') {
      throw new StageNotRetryableException(
        `Stage ${stageName} of execution ${executionId} did not fail, so it cannot be retried (the execution is ${state.status}).`,
      );
    }
    const newer = await this.store.executions.listExecutions(pipelineName, undefined, 100);
    for (const record of newer) {
      if (record.id === executionId) break;
      const other = await readExecutionState(this.store.executions, record);
      if (other.stages.some((s) => s.name === stageName)) {
        throw new NotLatestPipelineExecutionException(
          `Execution ${record.id}, newer than ${executionId}, has already run stage ${stageName}.`,
        );
      }
    }
    await this.runner.apply(executionId, { type: 'Retry', stageName, retryMode });
    return { pipelineExecutionId: executionId };
  }

  /** Cancels every unfinished run of a pipeline (its definition changed or it was deleted). */
  async cancelRunsOf(pipelineName: string, reason: string): Promise<void> {
    for (const record of await this.store.executions.listUnfinishedExecutions(pipelineName)) {
      await this.runner.apply(record.id, { type: 'Cancel', reason });
    }
  }

  /** The state of one execution of a pipeline, or PipelineExecutionNotFoundException. */
  requireState(pipelineName: string, executionId: string): Promise<ExecutionState> {
    return requireExecutionState(this.store, pipelineName, executionId);
  }
}

function initialState(request: StartRequest): ExecutionState {
  const nowMs = Date.now();
  return {
    executionId: randomUUID(),
    pipelineName: request.pipelineName,
    pipelineVersion: request.pipelineVersion,
    status: 'InProgress',
    declaration: request.declaration,
    variables: resolvePipelineVariables(request.declaration, request.variables ?? []),
    trigger: request.trigger,
    sourceRevisions: Object.fromEntries(
      (request.sourceRevisions ?? []).map((r) => [
        r.actionName,
        { revisionType: r.revisionType, revisionValue: r.revisionValue },
      ]),
    ),
    stages: [],
    startedMs: nowMs,
    updatedMs: nowMs,
  };
}

/** Pipeline variables: declared defaults overridden by the values given at start. */
function resolvePipelineVariables(
  declaration: PipelineDeclaration,
  given: { name: string; value: string }[],
): Record<string, string> {
  const declared = new Map((declaration.variables ?? []).map((v) => [v.name, v]));
  const values: Record<string, string> = {};
  for (const variable of given) {
    if (!declared.has(variable.name)) {
      throw new ValidationException(
        `Variable '${variable.name}' is not declared by pipeline ${declaration.name}.`,
      );
    }
    values[variable.name] = variable.value;
  }
  for (const [name, variable] of declared) {
    if (values[name] !== undefined) continue;
    if (variable.defaultValue === undefined) {
      throw new ValidationException(
        `Variable '${name}' of pipeline ${declaration.name} has no default value; give it a value.`,
      );
    }
    values[name] = variable.defaultValue;
  }
  return values;
}
