/**
 * DisableStageTransition and EnableStageTransition: a disabled transition holds runs at a
 * stage boundary (they wait as at a locked stage, so in SUPERSEDED mode only the newest is
 * left waiting), and enabling it lets the waiting run, or runs in PARALLEL mode, go on.
 */
import { StageNotFoundException } from '../errors/codepipeline-errors.js';
import type { PipelineDeclaration } from '../pipelines/declaration.js';
import type { StageTransitionRecord, StateStore } from '../store/state-store.js';
import type { ExecutionRunner } from './execution-runner.js';

export interface TransitionChange {
  pipelineName: string;
  stageName: string;
  transitionType: 'Inbound' | 'Outbound';
  changedBy: string;
}

export class StageTransitions {
  constructor(
    private readonly store: StateStore,
    private readonly runner: ExecutionRunner,
  ) {}

  /** DisableStageTransition, with the reason people will see in GetPipelineState. */
  async disable(
    change: TransitionChange,
    reason: string,
    declaration: PipelineDeclaration,
  ): Promise<void> {
    checkStage(change, declaration);
    await this.store.putStageTransition({
      ...change,
      enabled: false,
      reason,
      changedMs: Date.now(),
    });
  }

  /** EnableStageTransition, admitting what waited at it. */
  async enable(change: TransitionChange, declaration: PipelineDeclaration): Promise<void> {
    checkStage(change, declaration);
    await this.store.putStageTransition({
      ...change,
      enabled: true,
      reason: null,
      changedMs: Date.now(),
    });
    const index = declaration.stages.findIndex((s) => s.name === change.stageName);
    const entered =
      change.transitionType === 'Inbound' ? change.stageName : declaration.stages[index + 1]?.name;
    if (entered) await this.runner.wakeStage(change.pipelineName, entered);
  }

  /** The recorded transitions of a pipeline. */
  list(pipelineName: string): Promise<StageTransitionRecord[]> {
    return this.store.listStageTransitions(pipelineName);
  }
}

function checkStage(change: TransitionChange, declaration: PipelineDeclaration): void {
  if (!declaration.stages.some((s) => s.name === change.stageName)) {
    throw new StageNotFoundException(
      `Pipeline ${change.pipelineName} has no stage named ${change.stageName}.`,
    );
  }
}
