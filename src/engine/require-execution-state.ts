/** Reading one execution's state by id, as the operations that name a pipeline and run do. */
import { PipelineExecutionNotFoundException } from '../errors/codepipeline-errors.js';
import type { StateStore } from '../store/state-store.js';
import type { ExecutionState } from './execution-state.js';
import { readExecutionState } from './stored-execution-state.js';

/** The state of an execution of `pipelineName`, or PipelineExecutionNotFoundException. */
export async function requireExecutionState(
  store: StateStore,
  pipelineName: string,
  executionId: string,
): Promise<ExecutionState> {
  const record = await store.executions.getExecution(executionId);
  // An execution of another pipeline is as absent as one that never existed.
  if (!record || record.pipelineName !== pipelineName) {
    throw new PipelineExecutionNotFoundException(
      `Pipeline execution ${executionId} of pipeline ${pipelineName} does not exist.`,
    );
  }
  return readExecutionState(store.executions, record);
}
