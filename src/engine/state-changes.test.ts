import { describe, expect, it } from 'vitest';
import type { ExecutionState } from './execution-state.js';
import { stateChanges } from './state-changes.js';

const base: ExecutionState = {
  executionId: 'e',
  pipelineName: 'p',
  pipelineVersion: 2,
  status: 'InProgress',
  declaration: { name: 'p', roleArn: 'r', stages: [] },
  variables: {},
  trigger: { triggerType: 't', triggerDetail: 'd' },
  sourceRevisions: {},
  stages: [],
  startedMs: 0,
  updatedMs: 0,
};

const run = (status: 'InProgress' | 'Succeeded') => ({
  actionExecutionId: 'a1',
  stageName: 'S',
  actionName: 'Build',
  runOrder: 1,
  status,
  startedMs: 0,
  updatedMs: 0,
  resolvedConfiguration: {},
  inputArtifacts: [],
});

describe('stateChanges', () => {
  it('reports a start of the run, its first stage and action', () => {
    const after: ExecutionState = {
      ...base,
      stages: [{ name: 'S', status: 'InProgress', runOrder: 1, actions: [run('InProgress')] }],
    };
    expect(
      stateChanges(base, after).map((c) => [c.detailType.split(' ')[1], c.detail.state]),
    ).toEqual([
      ['Pipeline', 'STARTED'],
      ['Stage', 'STARTED'],
      ['Action', 'STARTED'],
    ]);
  });

  it('reports only what changed, and the final statuses upper-cased as EventBridge does', () => {
    const before: ExecutionState = {
      ...base,
      stages: [{ name: 'S', status: 'InProgress', runOrder: 1, actions: [run('InProgress')] }],
    };
    const after: ExecutionState = {
      ...base,
      status: 'Succeeded',
      stages: [{ name: 'S', status: 'Succeeded', runOrder: 1, actions: [run('Succeeded')] }],
    };
    const changes = stateChanges(before, after);
    expect(changes.map((c) => c.detail.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(changes[2]?.detail).toMatchObject({
      pipeline: 'p',
      'execution-id': 'e',
      version: 2,
      action: 'Build',
    });
    expect(stateChanges(after, after)).toEqual([]);
  });
});
