/**
 * The engine's decision function (DESIGN.md principle 4): given one execution's state and an
 * event, the next state and the effects the runner must carry out. No I/O, no clock, no
 * randomness — the context supplies time and ids — so every transition is unit-tested here
 * and a crash anywhere around it loses nothing: the runner re-reads the state and goes on.
 *
 * CodePipeline's rules: stages run in order; inside a stage, actions run in groups of equal
 * runOrder, lowest first, a group in parallel; a failed action fails its stage once the rest
 * of its group has finished, and a failed stage fails the execution. Stop-and-wait lets
 * running actions finish and starts nothing new; stop-and-abandon drops them at once.
 */
import type { ActionDeclaration } from '../pipelines/declaration.js';
import type {
  ActionRun,
  ArtifactRef,
  ExecutionState,
  PipelineExecutionStatus,
  StageRun,
} from './execution-state.js';
import { findRun, isFinished } from './execution-state.js';
import {
  availableVariables,
  resolveMap,
  resolveText,
  UnresolvedVariableError,
} from './resolve-variables.js';

export type EngineEvent =
  | { type: 'Start' }
  | {
      type: 'ActionSucceeded';
      actionExecutionId: string;
      outputArtifacts: ArtifactRef[];
      outputVariables: Record<string, string>;
      summary?: string;
      externalExecutionId?: string;
      externalExecutionUrl?: string;
    }
  | {
      type: 'ActionFailed';
      actionExecutionId: string;
      errorCode: string;
      message: string;
      externalExecutionId?: string;
    }
  | { type: 'Stop'; abandon: boolean; reason?: string }
  | { type: 'Cancel'; reason: string }
  /** The stage this run waits for may be free now. */
  | { type: 'StageUnlocked' }
  /** A newer run now waits where this one waited (SUPERSEDED mode). */
  | { type: 'Supersede'; byExecutionId: string }
  /** RetryStageExecution of the failed stage: its failed actions, or all of them. */
  | { type: 'Retry'; stageName: string; retryMode: 'FAILED_ACTIONS' | 'ALL_ACTIONS' };

export type Effect =
  | { type: 'DispatchAction'; actionExecutionId: string }
  | { type: 'AbandonAction'; actionExecutionId: string }
  | { type: 'WaitingForStage'; stageName: string }
  | { type: 'ExecutionFinished'; status: PipelineExecutionStatus };

export interface DecideContext {
  nowMs: number;
  newActionExecutionId(): string;
  /** Whether another run of the pipeline holds this stage; absent means no stage is locked. */
  isStageLocked?(stageName: string): boolean;
}

export interface Decision {
  state: ExecutionState;
  effects: Effect[];
}

/** Applies one event to an execution; the input state is never modified. */
export function decide(current: ExecutionState, event: EngineEvent, ctx: DecideContext): Decision {
  const state = copyForDecision(current);
  const effects: Effect[] = [];
  const step = { state, effects, ctx };
  if (event.type === 'Retry') {
    retry(step, event.stageName, event.retryMode);
    state.updatedMs = ctx.nowMs;
    return { state, effects };
  }
  if (isFinished(state.status)) return { state, effects };
  switch (event.type) {
    case 'Start':
      if (state.stages.length === 0) enterStage(step, 0);
      break;
    case 'ActionSucceeded':
    case 'ActionFailed':
      completeAction(step, event);
      break;
    case 'Stop':
      stop(step, event.abandon, event.reason);
      break;
    case 'Cancel':
      delete state.waitingToEnter;
      abandonRunning(step, 'Cancelled');
      finish(step, 'Cancelled', event.reason);
      break;
    case 'StageUnlocked':
      if (state.waitingToEnter !== undefined) enterStage(step, state.stages.length);
      break;
    case 'Supersede':
      if (state.waitingToEnter !== undefined) {
        delete state.waitingToEnter;
        finish(step, 'Superseded', `Superseded by the newer execution ${event.byExecutionId}.`);
      }
      break;
  }
  state.updatedMs = ctx.nowMs;
  return { state, effects };
}

interface Step {
  state: ExecutionState;
  effects: Effect[];
  ctx: DecideContext;
}

/**
 * A copy of what a decision may change: the state's top level, each stage and its list of runs,
 * and the runs still in progress. Nothing else ever changes (a finished run, the declaration,
 * variables, artifacts), so the new state shares it with the old rather than copying it: in a
 * long run that is most of the state, and copying it made every decision cost more than the one
 * before.
 */
function copyForDecision(current: ExecutionState): ExecutionState {
  return {
    ...current,
    stages: current.stages.map((stage) => ({
      ...stage,
      actions: stage.actions.map((run) =>
        run.status === 'InProgress' ? structuredClone(run) : run,
      ),
    })),
  };
}

function enterStage(step: Step, index: number): void {
  const declared = step.state.declaration.stages[index];
  if (!declared) return finish(step, 'Succeeded');
  if (step.ctx.isStageLocked?.(declared.name)) {
    step.state.waitingToEnter = declared.name;
    step.effects.push({ type: 'WaitingForStage', stageName: declared.name });
    return;
  }
  delete step.state.waitingToEnter;
  const runOrders = declared.actions.map(runOrderOf);
  const stage: StageRun = {
    name: declared.name,
    status: 'InProgress',
    runOrder: Math.min(...runOrders),
    actions: [],
  };
  step.state.stages.push(stage);
  startGroup(step, stage, declared.actions);
}

function startGroup(step: Step, stage: StageRun, declared: ActionDeclaration[]): void {
  const group = declared.filter((action) => runOrderOf(action) === stage.runOrder);
  for (const action of group) {
    const run = startAction(step, stage, action);
    stage.actions.push(run);
    if (run.status === 'InProgress') {
      step.effects.push({ type: 'DispatchAction', actionExecutionId: run.actionExecutionId });
    }
  }
  // Every action of the group may have failed before it could start (an unresolved variable).
  afterActionChange(step, stage);
}

function startAction(step: Step, stage: StageRun, action: ActionDeclaration): ActionRun {
  const { nowMs } = step.ctx;
  const run: ActionRun = {
    actionExecutionId: step.ctx.newActionExecutionId(),
    stageName: stage.name,
    actionName: action.name,
    runOrder: runOrderOf(action),
    status: 'InProgress',
    startedMs: nowMs,
    updatedMs: nowMs,
    resolvedConfiguration: action.configuration ?? {},
    inputArtifacts: (action.inputArtifacts ?? []).map((input) =>
      findArtifact(step.state, input.name),
    ),
  };
  try {
    const namespaces = availableVariables(step.state);
    run.resolvedConfiguration = resolveMap(action.configuration ?? {}, namespaces);
    if (action.commands)
      run.resolvedCommands = action.commands.map((c) => resolveText(c, namespaces));
    if (action.environmentVariables) {
      run.resolvedEnvironment = action.environmentVariables.map((v) => ({
        ...v,
        value: resolveText(v.value, namespaces),
      }));
    }
  } catch (error) {
    if (!(error instanceof UnresolvedVariableError)) throw error;
    Object.assign(run, {
      status: 'Failed',
      errorCode: 'ConfigurationError',
      errorMessage: error.message,
    });
  }
  return run;
}

function completeAction(
  step: Step,
  event: Extract<EngineEvent, { type: 'ActionSucceeded' | 'ActionFailed' }>,
): void {
  const found = findRun(step.state, event.actionExecutionId);
  // A late report for an action already abandoned or finished changes nothing.
  if (!found || found.run.status !== 'InProgress') return;
  const { run, stage } = found;
  run.updatedMs = step.ctx.nowMs;
  if (event.type === 'ActionSucceeded') {
    Object.assign(run, {
      status: 'Succeeded',
      outputArtifacts: event.outputArtifacts,
      outputVariables: event.outputVariables,
      summary: event.summary,
      externalExecutionId: event.externalExecutionId,
      externalExecutionUrl: event.externalExecutionUrl,
    });
  } else {
    Object.assign(run, {
      status: 'Failed',
      errorCode: event.errorCode,
      errorMessage: event.message,
      externalExecutionId: event.externalExecutionId,
    });
  }
  afterActionChange(step, stage);
}

/** Moves a stage on once no action of its current group is still running. */
function afterActionChange(step: Step, stage: StageRun): void {
  const group = stage.actions.filter((run) => run.runOrder === stage.runOrder);
  if (group.some((run) => run.status === 'InProgress')) return;
  const failed = group.find((run) => run.status === 'Failed');
  if (failed) {
    stage.status = 'Failed';
    return finish(step, 'Failed', failureSummary(failed));
  }
  if (step.state.stopRequest) {
    stage.status = 'Stopped';
    return finish(step, 'Stopped', step.state.stopRequest.reason);
  }
  const declared = step.state.declaration.stages.find((s) => s.name === stage.name);
  const later = (declared?.actions ?? []).map(runOrderOf).filter((n) => n > stage.runOrder);
  if (later.length > 0 && declared) {
    stage.runOrder = Math.min(...later);
    return startGroup(step, stage, declared.actions);
  }
  stage.status = 'Succeeded';
  enterStage(step, step.state.stages.length);
}

/**
 * Retrying the failed stage of a failed run: FAILED_ACTIONS starts again the actions that
 * failed in the stage's current run-order group and keeps what succeeded; ALL_ACTIONS runs the
 * stage from its first group. The caller has checked that the stage is the one that failed.
 */
function retry(step: Step, stageName: string, mode: 'FAILED_ACTIONS' | 'ALL_ACTIONS'): void {
  const stage = step.state.stages[step.state.stages.length - 1];
  const declared = step.state.declaration.stages.find((s) => s.name === stageName);
  if (step.state.status !== 'Failed' || !stage || stage.name !== stageName || !declared) return;
  step.state.status = 'InProgress';
  delete step.state.statusSummary;
  delete step.state.stopRequest;
  stage.status = 'InProgress';
  if (mode === 'ALL_ACTIONS') {
    stage.actions = [];
    stage.runOrder = Math.min(...declared.actions.map(runOrderOf));
    return startGroup(step, stage, declared.actions);
  }
  const failedNames = new Set(
    stage.actions
      .filter((run) => run.runOrder === stage.runOrder && run.status === 'Failed')
      .map((r) => r.actionName),
  );
  stage.actions = stage.actions.filter((run) => !failedNames.has(run.actionName));
  startGroup(
    step,
    stage,
    declared.actions.filter((action) => failedNames.has(action.name)),
  );
}

function stop(step: Step, abandon: boolean, reason: string | undefined): void {
  step.state.stopRequest = { abandon, ...(reason === undefined ? {} : { reason }) };
  if (step.state.waitingToEnter !== undefined) {
    // Waiting between stages, nothing runs: stopping is immediate either way.
    delete step.state.waitingToEnter;
    return finish(step, 'Stopped', reason);
  }
  const stage = step.state.stages[step.state.stages.length - 1];
  if (abandon) {
    abandonRunning(step, 'Stopped');
    return finish(step, 'Stopped', reason);
  }
  step.state.status = 'Stopping';
  if (stage) {
    stage.status = 'Stopping';
    afterActionChange(step, stage);
  }
}

function abandonRunning(step: Step, stageStatus: 'Stopped' | 'Cancelled'): void {
  for (const stage of step.state.stages) {
    const running = stage.actions.filter((run) => run.status === 'InProgress');
    for (const run of running) {
      run.status = 'Abandoned';
      run.updatedMs = step.ctx.nowMs;
      step.effects.push({ type: 'AbandonAction', actionExecutionId: run.actionExecutionId });
    }
    if (stage.status === 'InProgress' || stage.status === 'Stopping') stage.status = stageStatus;
  }
}

function finish(step: Step, status: PipelineExecutionStatus, summary?: string): void {
  step.state.status = status;
  if (summary !== undefined) step.state.statusSummary = summary;
  step.effects.push({ type: 'ExecutionFinished', status });
}

function failureSummary(run: ActionRun): string {
  return `Action ${run.actionName} in stage ${run.stageName} failed: ${run.errorMessage ?? 'no reason given'}`;
}

function findArtifact(state: ExecutionState, name: string): ArtifactRef {
  for (const stage of state.stages) {
    for (const run of stage.actions) {
      const artifact = run.outputArtifacts?.find((a) => a.name === name);
      if (artifact) return artifact;
    }
  }
  // Structural rules guarantee an earlier producer, and a failed producer stops the run first.
  throw new Error(`artifact ${name} has no producer in execution ${state.executionId}`);
}

function runOrderOf(action: ActionDeclaration): number {
  return action.runOrder ?? 1;
}
