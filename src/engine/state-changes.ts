/**
 * The state changes a decision made, in the shape of CodePipeline's EventBridge events
 * (pipeline, stage and action execution state changes), for the audit trail and, later, for
 * event delivery. Derived by comparing the states before and after, so decide() stays pure.
 */
import type { ActionRun, ExecutionState } from './execution-state.js';

export type StateChangeDetailType =
  | 'CodePipeline Pipeline Execution State Change'
  | 'CodePipeline Stage Execution State Change'
  | 'CodePipeline Action Execution State Change';

export interface StateChange {
  detailType: StateChangeDetailType;
  detail: {
    pipeline: string;
    'execution-id': string;
    version: number;
    state: string;
    stage?: string;
    action?: string;
    'action-execution-id'?: string;
    /** On a finished action, what it reported, as CodePipeline's action events carry it. */
    'execution-result'?: {
      'external-execution-id'?: string;
      'external-execution-summary'?: string;
      'error-code'?: string;
      'error-message'?: string;
    };
  };
}

/** Every execution, stage and action status that differs between two states. */
export function stateChanges(before: ExecutionState, after: ExecutionState): StateChange[] {
  const base = {
    pipeline: after.pipelineName,
    'execution-id': after.executionId,
    version: after.pipelineVersion,
  };
  const changes: StateChange[] = [];
  const firstDecision = before.stages.length === 0 && after.stages.length > 0;
  if (before.status !== after.status || firstDecision) {
    changes.push({
      detailType: 'CodePipeline Pipeline Execution State Change',
      detail: {
        ...base,
        state:
          after.status === 'InProgress' && firstDecision ? 'STARTED' : after.status.toUpperCase(),
      },
    });
  }
  for (const stage of after.stages) {
    const old = before.stages.find((s) => s.name === stage.name);
    if (old?.status !== stage.status) {
      changes.push({
        detailType: 'CodePipeline Stage Execution State Change',
        detail: {
          ...base,
          stage: stage.name,
          state: stage.status === 'InProgress' && !old ? 'STARTED' : stage.status.toUpperCase(),
        },
      });
    }
    for (const action of stage.actions) {
      const previous = old?.actions.find((a) => a.actionExecutionId === action.actionExecutionId);
      if (previous?.status === action.status) continue;
      changes.push({
        detailType: 'CodePipeline Action Execution State Change',
        detail: {
          ...base,
          stage: stage.name,
          action: action.actionName,
          'action-execution-id': action.actionExecutionId,
          state:
            action.status === 'InProgress' && !previous ? 'STARTED' : action.status.toUpperCase(),
          ...executionResult(action),
        },
      });
    }
  }
  return changes;
}

/** The result members of a finished action's event; none while it runs. */
function executionResult(action: ActionRun): Pick<StateChange['detail'], 'execution-result'> {
  if (action.status === 'InProgress') return {};
  const result = {
    ...(action.externalExecutionId && { 'external-execution-id': action.externalExecutionId }),
    ...(action.summary && { 'external-execution-summary': action.summary }),
    ...(action.errorCode && { 'error-code': action.errorCode }),
    ...(action.errorMessage && { 'error-message': action.errorMessage }),
  };
  return Object.keys(result).length === 0 ? {} : { 'execution-result': result };
}
