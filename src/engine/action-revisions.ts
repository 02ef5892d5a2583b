/**
 * PutActionRevision: a source action is told about a new revision (a commit) and, unless an
 * earlier run already used that revision, a run starts with it (trigger PutActionRevision).
 */
import { ActionNotFoundException, StageNotFoundException } from '../errors/codepipeline-errors.js';
import type { PipelineDeclaration } from '../pipelines/declaration.js';
import type { StateStore } from '../store/state-store.js';
import type { ExecutionService } from './execution-service.js';
import { readExecutionState } from './stored-execution-state.js';

export interface ActionRevisionInput {
  pipelineName: string;
  stageName: string;
  actionName: string;
  actionRevision: { revisionId: string; revisionChangeId: string; created: number };
}

export class ActionRevisions {
  constructor(
    private readonly store: StateStore,
    private readonly executions: ExecutionService,
  ) {}

  /** Starts a run with the revision, unless a recent run already used it. */
  async put(
    input: ActionRevisionInput,
    declaration: PipelineDeclaration,
    version: number,
    caller: string,
  ) {
    checkSourceAction(input, declaration);
    const earlier = await this.runUsing(
      input.pipelineName,
      input.actionName,
      input.actionRevision.revisionId,
    );
    if (earlier) return { newRevision: false, pipelineExecutionId: earlier };
    const started = await this.executions.start({
      pipelineName: input.pipelineName,
      pipelineVersion: version,
      declaration,
      trigger: { triggerType: 'PutActionRevision', triggerDetail: caller },
      sourceRevisions: [
        {
          actionName: input.actionName,
          revisionType: 'COMMIT_ID',
          revisionValue: input.actionRevision.revisionId,
        },
      ],
    });
    return { newRevision: true, pipelineExecutionId: started.pipelineExecutionId };
  }

  private async runUsing(pipelineName: string, actionName: string, revision: string) {
    const recent = await this.store.executions.listExecutions(pipelineName, undefined, 100);
    for (const record of recent) {
      const state = await readExecutionState(this.store.executions, record);
      const used =
        state.sourceRevisions[actionName]?.revisionValue === revision ||
        state.stages[0]?.actions.some(
          (run) =>
            run.actionName === actionName &&
            run.outputArtifacts?.some((a) => a.revision === revision),
        );
      if (used) return record.id;
    }
    return undefined;
  }
}

function checkSourceAction(input: ActionRevisionInput, declaration: PipelineDeclaration): void {
  const stage = declaration.stages.find((s) => s.name === input.stageName);
  if (!stage) {
    throw new StageNotFoundException(
      `Pipeline ${input.pipelineName} has no stage named ${input.stageName}.`,
    );
  }
  const action = stage.actions.find((a) => a.name === input.actionName);
  if (!action || action.actionTypeId.category !== 'Source') {
    throw new ActionNotFoundException(
      `Stage ${input.stageName} has no source action named ${input.actionName}.`,
    );
  }
}
