/**
 * Stage locks of the execution modes (CodePipeline's execution-modes page): in SUPERSEDED and
 * QUEUED mode a stage holds one run at a time, and a run that finishes a stage waits at the
 * boundary until the next stage is free. SUPERSEDED lets a newer waiting run replace an older
 * one at the same boundary; QUEUED lets them through in order; PARALLEL locks nothing.
 */
import type { ExecutionMode } from '../pipelines/declaration.js';
import type { StageTransitionRecord } from '../store/state-store.js';
import type { ExecutionState } from './execution-state.js';
import { isFinished } from './execution-state.js';

/** The execution mode a run follows; SUPERSEDED when the declaration names none. */
export function executionModeOf(state: ExecutionState): ExecutionMode {
  return state.declaration.executionMode ?? 'SUPERSEDED';
}

/** The stage a run holds: its latest stage, while that stage is still running. */
export function occupiedStage(state: ExecutionState): string | undefined {
  if (isFinished(state.status)) return undefined;
  const last = state.stages[state.stages.length - 1];
  return last && (last.status === 'InProgress' || last.status === 'Stopping')
    ? last.name
    : undefined;
}

/** The stages other runs hold, as seen by `self`; none in PARALLEL mode. */
export function lockedStages(self: ExecutionState, others: ExecutionState[]): Set<string> {
  if (executionModeOf(self) === 'PARALLEL') return new Set();
  return new Set(
    others
      .filter((other) => other.executionId !== self.executionId)
      .map(occupiedStage)
      .filter((name): name is string => name !== undefined),
  );
}

/** Which run waiting for `stageName` goes in when it frees: the oldest in QUEUED mode, else the newest. */
export function nextWaiter(
  mode: ExecutionMode,
  stageName: string,
  runs: ExecutionState[],
): ExecutionState | undefined {
  const waiting = runs
    .filter((run) => !isFinished(run.status) && run.waitingToEnter === stageName)
    .sort((a, b) => a.startedMs - b.startedMs);
  return mode === 'QUEUED' ? waiting[0] : waiting[waiting.length - 1];
}

/** In SUPERSEDED mode, the older runs a newly waiting run replaces. */
export function supersededBy(newcomer: ExecutionState, runs: ExecutionState[]): ExecutionState[] {
  if (executionModeOf(newcomer) !== 'SUPERSEDED' || newcomer.waitingToEnter === undefined)
    return [];
  return runs.filter(
    (run) =>
      run.executionId !== newcomer.executionId &&
      !isFinished(run.status) &&
      run.waitingToEnter === newcomer.waitingToEnter &&
      run.startedMs <= newcomer.startedMs,
  );
}

/**
 * Stages a run may not enter because a transition is disabled: the stage's own inbound
 * transition, or the outbound transition of the stage before it in the run's declaration.
 */
export function blockedStages(
  state: ExecutionState,
  transitions: StageTransitionRecord[],
): string[] {
  const disabled = transitions.filter((t) => !t.enabled);
  const stages = state.declaration.stages.map((s) => s.name);
  return stages.filter((name, index) =>
    disabled.some(
      (t) =>
        (t.transitionType === 'Inbound' && t.stageName === name) ||
        (t.transitionType === 'Outbound' && index > 0 && t.stageName === stages[index - 1]),
    ),
  );
}
