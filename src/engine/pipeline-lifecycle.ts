/**
 * What CodePipeline does to executions when a definition changes: CreatePipeline starts a run
 * at once (trigger CreatePipeline), and UpdatePipeline or DeletePipeline cancels the runs in
 * flight, which cannot go on under a definition that no longer exists.
 */
import { LockstepError } from '../errors/lockstep-error.js';
import type { PipelineDeclaration, Tag } from '../pipelines/declaration.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';
import type { StateStore } from '../store/state-store.js';
import type { ExecutionService } from './execution-service.js';

export class PipelineLifecycle {
  constructor(
    private readonly pipelines: PipelineService,
    private readonly executions: ExecutionService,
    private readonly store: Pick<
      StateStore,
      'deleteStageTransitions' | 'executions' | 'deleteSettingsWithPrefix'
    >,
  ) {}

  /** CreatePipeline, then its first run. */
  async create(decl: PipelineDeclaration, tags: Tag[] | undefined, createdBy: string) {
    const created = await this.pipelines.create(decl, tags);
    const { pipeline, record } = await this.pipelines.getUnmasked(decl.name);
    try {
      await this.executions.start({
        pipelineName: record.name,
        pipelineVersion: record.version,
        declaration: pipeline,
        trigger: { triggerType: 'CreatePipeline', triggerDetail: createdBy },
      });
    } catch (error) {
      // A pipeline whose variables have no defaults cannot run unattended; CodePipeline still
      // creates it, and the first run waits for StartPipelineExecution with values.
      if (!(error instanceof LockstepError) || error.code !== 'ValidationException') throw error;
    }
    return created;
  }

  /** UpdatePipeline: the new version, after cancelling runs of the old one. */
  async update(decl: PipelineDeclaration) {
    const updated = await this.pipelines.update(decl);
    await this.executions.cancelRunsOf(
      decl.name,
      `The pipeline was updated to version ${updated.pipeline.version} while this execution ran.`,
    );
    return updated;
  }

  /**
   * DeletePipeline: cancels its runs (which stops their processes), then deletes it with its
   * history, as CodePipeline does, so a pipeline created later under the name starts clean.
   * The audit trail keeps the record of what ran.
   */
  async delete(name: string): Promise<void> {
    await this.executions.cancelRunsOf(name, 'The pipeline was deleted while this execution ran.');
    await this.pipelines.delete(name);
    await this.store.deleteStageTransitions(name);
    await this.store.executions.deleteExecutionsOf(name);
    // The last commits seen by change detection (source-change-detector.ts) go too.
    await this.store.deleteSettingsWithPrefix(`source-head:${name}:`);
  }
}
