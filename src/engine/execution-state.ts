/**
 * The engine's whole view of one pipeline execution. `decide()` takes this and an event and
 * returns the next state plus the effects the runner must carry out; the runner stores the
 * state as one document, so a decision is applied entirely or not at all.
 *
 * Status names are CodePipeline's own (PipelineExecutionStatus, StageExecutionStatus,
 * ActionExecutionStatus in the service model).
 */
import type { PipelineDeclaration } from '../pipelines/declaration.js';

export type PipelineExecutionStatus =
  'InProgress' | 'Stopping' | 'Stopped' | 'Succeeded' | 'Superseded' | 'Failed' | 'Cancelled';
export type StageExecutionStatus =
  'InProgress' | 'Stopping' | 'Stopped' | 'Succeeded' | 'Failed' | 'Cancelled';
export type ActionExecutionStatus = 'InProgress' | 'Abandoned' | 'Succeeded' | 'Failed';

/** An artifact as the engine passes it between actions: where it is and what it must hash to. */
export interface ArtifactRef {
  name: string;
  location: string;
  sha256: string;
  sizeBytes: number;
  /** The source revision it came from (a commit id), when there is one. */
  revision?: string;
}

export interface ActionRun {
  actionExecutionId: string;
  stageName: string;
  actionName: string;
  runOrder: number;
  status: ActionExecutionStatus;
  startedMs: number;
  updatedMs: number;
  /** The configuration with every `#{...}` reference replaced, as it was handed to the job. */
  resolvedConfiguration: Record<string, string>;
  resolvedCommands?: string[];
  resolvedEnvironment?: { name: string; value: string; type?: string }[];
  inputArtifacts: ArtifactRef[];
  outputArtifacts?: ArtifactRef[];
  outputVariables?: Record<string, string>;
  summary?: string;
  externalExecutionId?: string;
  externalExecutionUrl?: string;
  errorCode?: string;
  errorMessage?: string;
  /** For a Manual approval: the token PutApprovalResult must present. */
  approvalToken?: string;
}

export interface StageRun {
  name: string;
  status: StageExecutionStatus;
  /** The run order whose actions are running or ran last. */
  runOrder: number;
  actions: ActionRun[];
}

export interface ExecutionTrigger {
  triggerType: string;
  triggerDetail: string;
}

export interface ExecutionState {
  executionId: string;
  pipelineName: string;
  pipelineVersion: number;
  status: PipelineExecutionStatus;
  statusSummary?: string;
  /** The declaration of `pipelineVersion`, which this run follows to the end. */
  declaration: PipelineDeclaration;
  /** Pipeline-level variables (`#{variables.name}`), defaults already applied. */
  variables: Record<string, string>;
  trigger: ExecutionTrigger;
  /** Source revision overrides from StartPipelineExecution, by source action name. */
  sourceRevisions: Record<string, { revisionType: string; revisionValue: string }>;
  /** Stages that have started, in pipeline order. */
  stages: StageRun[];
  stopRequest?: { abandon: boolean; reason?: string };
  /**
   * The stage this run waits to enter while another run of the pipeline holds it (execution
   * modes SUPERSEDED and QUEUED lock each stage to one run at a time).
   */
  waitingToEnter?: string;
  startedMs: number;
  updatedMs: number;
}

/** True once an execution can no longer change. */
export function isFinished(status: PipelineExecutionStatus): boolean {
  return !['InProgress', 'Stopping'].includes(status);
}

/** The action run with this id and the stage it belongs to. */
export function findRun(
  state: ExecutionState,
  actionExecutionId: string,
): { run: ActionRun; stage: StageRun } | undefined {
  for (const stage of state.stages) {
    const run = stage.actions.find((a) => a.actionExecutionId === actionExecutionId);
    if (run) return { run, stage };
  }
  return undefined;
}
