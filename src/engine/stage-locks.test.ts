import { describe, expect, it } from 'vitest';
import type { ExecutionMode } from '../pipelines/declaration.js';
import type { ExecutionState, StageExecutionStatus } from './execution-state.js';
import { lockedStages, nextWaiter, occupiedStage, supersededBy } from './stage-locks.js';

function run(
  id: string,
  startedMs: number,
  opts: {
    mode?: ExecutionMode;
    stage?: [string, StageExecutionStatus];
    waiting?: string;
    status?: ExecutionState['status'];
  } = {},
): ExecutionState {
  return {
    executionId: id,
    pipelineName: 'p',
    pipelineVersion: 1,
    status: opts.status ?? 'InProgress',
    declaration: {
      name: 'p',
      roleArn: 'r',
      stages: [],
      ...(opts.mode ? { executionMode: opts.mode } : {}),
    },
    variables: {},
    trigger: { triggerType: 't', triggerDetail: 'd' },
    sourceRevisions: {},
    stages: opts.stage
      ? [{ name: opts.stage[0], status: opts.stage[1], runOrder: 1, actions: [] }]
      : [],
    ...(opts.waiting ? { waitingToEnter: opts.waiting } : {}),
    startedMs,
    updatedMs: startedMs,
  };
}

describe('stage locks', () => {
  it('a run holds only its latest stage, and only while that stage runs', () => {
    expect(occupiedStage(run('a', 1, { stage: ['Build', 'InProgress'] }))).toBe('Build');
    expect(
      occupiedStage(run('a', 1, { stage: ['Build', 'Succeeded'], waiting: 'Deploy' })),
    ).toBeUndefined();
    expect(
      occupiedStage(run('a', 1, { stage: ['Build', 'InProgress'], status: 'Failed' })),
    ).toBeUndefined();
  });

  it('locks the stages other runs hold, except in PARALLEL mode', () => {
    const self = run('me', 3);
    const others = [
      run('a', 1, { stage: ['Build', 'InProgress'] }),
      run('me', 3, { stage: ['X', 'InProgress'] }),
    ];
    expect([...lockedStages(self, others)]).toEqual(['Build']);
    expect([...lockedStages(run('me', 3, { mode: 'PARALLEL' }), others)]).toEqual([]);
  });

  it('admits the oldest waiter in QUEUED mode and the newest otherwise', () => {
    const runs = [
      run('old', 1, { waiting: 'Build' }),
      run('new', 2, { waiting: 'Build' }),
      run('other', 3, { waiting: 'Deploy' }),
    ];
    expect(nextWaiter('QUEUED', 'Build', runs)?.executionId).toBe('old');
    expect(nextWaiter('SUPERSEDED', 'Build', runs)?.executionId).toBe('new');
    expect(nextWaiter('QUEUED', 'Test', runs)).toBeUndefined();
  });

  it('supersedes older runs waiting at the same boundary in SUPERSEDED mode only', () => {
    const newcomer = run('new', 5, { waiting: 'Build' });
    const runs = [
      run('old', 1, { waiting: 'Build' }),
      run('elsewhere', 2, { waiting: 'Deploy' }),
      newcomer,
    ];
    expect(supersededBy(newcomer, runs).map((r) => r.executionId)).toEqual(['old']);
    expect(supersededBy(run('new', 5, { waiting: 'Build', mode: 'QUEUED' }), runs)).toEqual([]);
    expect(supersededBy(run('new', 5), runs)).toEqual([]);
  });
});
