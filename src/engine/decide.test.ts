import { describe, expect, it } from 'vitest';
import type { ActionDeclaration, PipelineDeclaration } from '../pipelines/declaration.js';
import { decide, type Effect, type EngineEvent } from './decide.js';
import type { ArtifactRef, ExecutionState } from './execution-state.js';

const source = (name: string, out: string, namespace?: string): ActionDeclaration => ({
  name,
  actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
  outputArtifacts: [{ name: out }],
  ...(namespace ? { namespace } : {}),
});
const build = (name: string, extra: Partial<ActionDeclaration> = {}): ActionDeclaration => ({
  name,
  actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
  ...extra,
});

function pipeline(...stages: ActionDeclaration[][]): PipelineDeclaration {
  return {
    name: 'p',
    roleArn: 'arn:aws:iam::123456789012:role/r',
    stages: stages.map((actions, i) => ({ name: `S${i + 1}`, actions })),
  };
}

function initial(decl: PipelineDeclaration): ExecutionState {
  return {
    executionId: 'e-1',
    pipelineName: decl.name,
    pipelineVersion: 1,
    status: 'InProgress',
    declaration: decl,
    variables: { env: 'prod' },
    trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' },
    sourceRevisions: {},
    stages: [],
    startedMs: 0,
    updatedMs: 0,
  };
}

/** Drives decide() like the runner does, keeping the state and every effect. */
function driver(decl: PipelineDeclaration) {
  let n = 0;
  let state = initial(decl);
  const effects: Effect[] = [];
  const ctx = { nowMs: 1000, newActionExecutionId: () => `a-${++n}` };
  const send = (event: EngineEvent) => {
    const before = JSON.stringify(state);
    // Frozen, so that a decision writing to any part of its input (one it shares with its
    // output included) fails on the spot.
    deepFreeze(state);
    const next = decide(state, event, ctx);
    expect(JSON.stringify(state)).toBe(before); // pure: the input is never modified
    state = next.state;
    effects.push(...next.effects);
    return next.effects;
  };
  const idOf = (action: string) => {
    for (const stage of state.stages) {
      const run = stage.actions.find((a) => a.actionName === action);
      if (run) return run.actionExecutionId;
    }
    throw new Error(`${action} has not started`);
  };
  const succeed = (
    action: string,
    extra: Partial<Extract<EngineEvent, { type: 'ActionSucceeded' }>> = {},
  ) =>
    send({
      type: 'ActionSucceeded',
      actionExecutionId: idOf(action),
      outputArtifacts: [],
      outputVariables: {},
      ...extra,
    });
  const fail = (action: string, message = 'boom') =>
    send({
      type: 'ActionFailed',
      actionExecutionId: idOf(action),
      errorCode: 'JobFailed',
      message,
    });
  const run = (action: string) =>
    state.stages.flatMap((s) => s.actions).find((a) => a.actionName === action);
  return {
    send,
    succeed,
    fail,
    run,
    idOf,
    get state() {
      return state;
    },
    effects,
  };
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  for (const child of Object.values(value)) deepFreeze(child);
  Object.freeze(value);
}

const artifact = (name: string): ArtifactRef => ({
  name,
  location: `fs:${name}`,
  sha256: 'ab',
  sizeBytes: 1,
});
const dispatched = (effects: Effect[]) =>
  effects
    .filter((e) => e.type === 'DispatchAction')
    .map((e) => (e as { actionExecutionId: string }).actionExecutionId);

describe('decide', () => {
  it('runs stages in order and succeeds when the last one does', () => {
    const d = driver(
      pipeline([source('Src', 'Out')], [build('Build', { inputArtifacts: [{ name: 'Out' }] })]),
    );
    expect(dispatched(d.send({ type: 'Start' }))).toEqual(['a-1']);
    expect(d.state.stages.map((s) => [s.name, s.status])).toEqual([['S1', 'InProgress']]);
    expect(dispatched(d.succeed('Src', { outputArtifacts: [artifact('Out')] }))).toEqual(['a-2']);
    expect(d.run('Build')?.inputArtifacts).toEqual([artifact('Out')]);
    const last = d.succeed('Build');
    expect(last).toEqual([{ type: 'ExecutionFinished', status: 'Succeeded' }]);
    expect(d.state.status).toBe('Succeeded');
    expect(d.state.stages.map((s) => s.status)).toEqual(['Succeeded', 'Succeeded']);
  });

  it('runs equal run orders in parallel and higher ones after', () => {
    const d = driver(
      pipeline(
        [source('Src', 'Out')],
        [build('A', { runOrder: 2 }), build('B', { runOrder: 2 }), build('C', { runOrder: 7 })],
      ),
    );
    d.send({ type: 'Start' });
    expect(dispatched(d.succeed('Src'))).toEqual(['a-2', 'a-3']);
    expect(d.run('C')).toBeUndefined();
    expect(dispatched(d.succeed('A'))).toEqual([]);
    expect(dispatched(d.succeed('B'))).toEqual(['a-4']);
    d.succeed('C');
    expect(d.state.status).toBe('Succeeded');
  });

  it('fails the stage and the run only after running siblings finish', () => {
    const d = driver(
      pipeline(
        [source('Src', 'Out')],
        [build('A'), build('B'), build('Later', { runOrder: 2 })],
        [build('Never')],
      ),
    );
    d.send({ type: 'Start' });
    d.succeed('Src');
    expect(d.fail('A', 'tests failed')).toEqual([]);
    expect(d.state.status).toBe('InProgress');
    expect(d.succeed('B')).toEqual([{ type: 'ExecutionFinished', status: 'Failed' }]);
    expect(d.state.status).toBe('Failed');
    expect(d.state.statusSummary).toBe('Action A in stage S2 failed: tests failed');
    expect(d.state.stages.map((s) => s.status)).toEqual(['Succeeded', 'Failed']);
    expect(d.run('Later')).toBeUndefined();
    expect(d.run('Never')).toBeUndefined();
  });

  it('resolves pipeline, execution and namespace variables before an action starts', () => {
    const d = driver(
      pipeline(
        [source('Src', 'Out', 'SourceVariables')],
        [
          build('Build', {
            configuration: {
              Ref: '#{SourceVariables.CommitId}@#{variables.env}',
              Run: '#{codepipeline.PipelineExecutionId}',
            },
            commands: ['echo #{SourceVariables.BranchName}'],
            environmentVariables: [{ name: 'X', value: '#{variables.env}' }],
          }),
        ],
      ),
    );
    d.send({ type: 'Start' });
    d.succeed('Src', { outputVariables: { CommitId: 'abc123', BranchName: 'main' } });
    const run = d.run('Build');
    expect(run?.resolvedConfiguration).toEqual({ Ref: 'abc123@prod', Run: 'e-1' });
    expect(run?.resolvedCommands).toEqual(['echo main']);
    expect(run?.resolvedEnvironment).toEqual([{ name: 'X', value: 'prod' }]);
  });

  it('fails an action whose variable cannot be resolved, without dispatching it', () => {
    const d = driver(
      pipeline(
        [source('Src', 'Out', 'Src1')],
        [build('Build', { configuration: { X: '#{Src1.Missing}' } })],
      ),
    );
    d.send({ type: 'Start' });
    const effects = d.succeed('Src');
    expect(dispatched(effects)).toEqual([]);
    expect(d.run('Build')).toMatchObject({ status: 'Failed', errorCode: 'ConfigurationError' });
    expect(d.run('Build')?.errorMessage).toContain("namespace 'Src1' has no variable 'Missing'");
    expect(d.state.status).toBe('Failed');
  });

  it('fails on a reference to a namespace no action has produced', () => {
    const d = driver(
      pipeline([source('Src', 'Out')], [build('Build', { configuration: { X: '#{Nope.Key}' } })]),
    );
    d.send({ type: 'Start' });
    d.succeed('Src');
    expect(d.run('Build')?.errorMessage).toContain("namespace 'Nope'");
  });

  it('stop-and-wait lets running actions finish, then starts nothing more', () => {
    const d = driver(
      pipeline([source('Src', 'Out')], [build('A'), build('B', { runOrder: 2 })], [build('C')]),
    );
    d.send({ type: 'Start' });
    d.succeed('Src');
    expect(d.send({ type: 'Stop', abandon: false, reason: 'hold' })).toEqual([]);
    expect(d.state.status).toBe('Stopping');
    expect(d.succeed('A')).toEqual([{ type: 'ExecutionFinished', status: 'Stopped' }]);
    expect(d.state.status).toBe('Stopped');
    expect(d.state.statusSummary).toBe('hold');
    expect(d.run('B')).toBeUndefined();
    expect(d.run('A')?.status).toBe('Succeeded');
  });

  it('stop-and-abandon drops running actions at once', () => {
    const d = driver(pipeline([source('Src', 'Out')], [build('A'), build('B')]));
    d.send({ type: 'Start' });
    d.succeed('Src');
    const effects = d.send({ type: 'Stop', abandon: true });
    expect(effects).toEqual([
      { type: 'AbandonAction', actionExecutionId: 'a-2' },
      { type: 'AbandonAction', actionExecutionId: 'a-3' },
      { type: 'ExecutionFinished', status: 'Stopped' },
    ]);
    expect(d.run('A')?.status).toBe('Abandoned');
    expect(d.state.stages[1]?.status).toBe('Stopped');
    // A worker reporting afterwards changes nothing.
    expect(d.succeed('A')).toEqual([]);
    expect(d.run('A')?.status).toBe('Abandoned');
  });

  it('abandon after a stop-and-wait is allowed and ends the run', () => {
    const d = driver(pipeline([source('Src', 'Out')], [build('A')]));
    d.send({ type: 'Start' });
    d.succeed('Src');
    d.send({ type: 'Stop', abandon: false });
    d.send({ type: 'Stop', abandon: true });
    expect(d.state.status).toBe('Stopped');
    expect(d.run('A')?.status).toBe('Abandoned');
  });

  it('cancels a run whose pipeline definition changed', () => {
    const d = driver(pipeline([source('Src', 'Out')], [build('A')]));
    d.send({ type: 'Start' });
    d.send({ type: 'Cancel', reason: 'the pipeline was updated' });
    expect(d.state.status).toBe('Cancelled');
    expect(d.state.stages[0]?.status).toBe('Cancelled');
    expect(d.run('Src')?.status).toBe('Abandoned');
  });

  it('ignores every event once the run has finished, and a second Start', () => {
    const d = driver(pipeline([source('Src', 'Out')], [build('A')]));
    d.send({ type: 'Start' });
    expect(d.send({ type: 'Start' })).toEqual([]);
    d.fail('Src');
    expect(d.state.status).toBe('Failed');
    expect(d.send({ type: 'Stop', abandon: true })).toEqual([]);
    expect(d.send({ type: 'Cancel', reason: 'x' })).toEqual([]);
    expect(d.state.status).toBe('Failed');
  });

  it('passes an artifact from any earlier stage, not only the previous one', () => {
    const d = driver(
      pipeline(
        [source('Src', 'Code')],
        [
          build('Build', {
            inputArtifacts: [{ name: 'Code' }],
            outputArtifacts: [{ name: 'Bin' }],
          }),
        ],
        [build('Deploy', { inputArtifacts: [{ name: 'Code' }, { name: 'Bin' }] })],
      ),
    );
    d.send({ type: 'Start' });
    d.succeed('Src', { outputArtifacts: [artifact('Code')] });
    d.succeed('Build', { outputArtifacts: [artifact('Bin')] });
    expect(d.run('Deploy')?.inputArtifacts.map((a) => a.name)).toEqual(['Code', 'Bin']);
  });
});

describe('decide with stage locks', () => {
  function lockedDriver(locked: Set<string>) {
    let n = 0;
    let state = initial(pipeline([source('Src', 'Out')], [build('Build')]));
    const ctx = {
      nowMs: 5,
      newActionExecutionId: () => `b-${++n}`,
      isStageLocked: (name: string) => locked.has(name),
    };
    const send = (event: EngineEvent) => {
      const next = decide(state, event, ctx);
      state = next.state;
      return next.effects;
    };
    return {
      send,
      get state() {
        return state;
      },
    };
  }

  it('waits at the boundary of a locked stage and enters once it is unlocked', () => {
    const locked = new Set(['S2']);
    const d = lockedDriver(locked);
    d.send({ type: 'Start' });
    const effects = d.send({
      type: 'ActionSucceeded',
      actionExecutionId: 'b-1',
      outputArtifacts: [],
      outputVariables: {},
    });
    expect(effects).toEqual([{ type: 'WaitingForStage', stageName: 'S2' }]);
    expect(d.state.waitingToEnter).toBe('S2');
    expect(d.state.status).toBe('InProgress');
    expect(d.send({ type: 'StageUnlocked' })).toEqual([
      { type: 'WaitingForStage', stageName: 'S2' },
    ]);
    locked.clear();
    expect(dispatched(d.send({ type: 'StageUnlocked' }))).toEqual(['b-2']);
    expect(d.state.waitingToEnter).toBeUndefined();
    expect(d.state.stages.map((s) => s.name)).toEqual(['S1', 'S2']);
  });

  it('waits for a locked first stage before anything runs', () => {
    const d = lockedDriver(new Set(['S1']));
    expect(d.send({ type: 'Start' })).toEqual([{ type: 'WaitingForStage', stageName: 'S1' }]);
    expect(d.state.stages).toEqual([]);
  });

  it('ends Superseded when a newer run takes its place, and ignores Supersede otherwise', () => {
    const d = lockedDriver(new Set(['S2']));
    d.send({ type: 'Start' });
    expect(d.send({ type: 'Supersede', byExecutionId: 'e-2' })).toEqual([]);
    d.send({
      type: 'ActionSucceeded',
      actionExecutionId: 'b-1',
      outputArtifacts: [],
      outputVariables: {},
    });
    expect(d.send({ type: 'Supersede', byExecutionId: 'e-2' })).toEqual([
      { type: 'ExecutionFinished', status: 'Superseded' },
    ]);
    expect(d.state.status).toBe('Superseded');
    expect(d.state.statusSummary).toBe('Superseded by the newer execution e-2.');
  });

  it('stops at once while waiting, even when asked to wait', () => {
    const d = lockedDriver(new Set(['S2']));
    d.send({ type: 'Start' });
    d.send({
      type: 'ActionSucceeded',
      actionExecutionId: 'b-1',
      outputArtifacts: [],
      outputVariables: {},
    });
    d.send({ type: 'Stop', abandon: false });
    expect(d.state.status).toBe('Stopped');
    expect(d.state.waitingToEnter).toBeUndefined();
  });
});

describe('decide: RetryStageExecution', () => {
  it('FAILED_ACTIONS reruns only what failed, keeps what succeeded, then goes on', () => {
    const d = driver(
      pipeline(
        [source('Src', 'Out')],
        [build('A'), build('B'), build('C', { runOrder: 2 })],
        [build('D')],
      ),
    );
    d.send({ type: 'Start' });
    d.succeed('Src');
    const firstB = d.idOf('B');
    d.succeed('A');
    d.fail('B');
    expect(d.state.status).toBe('Failed');
    const effects = d.send({ type: 'Retry', stageName: 'S2', retryMode: 'FAILED_ACTIONS' });
    expect(dispatched(effects)).toHaveLength(1);
    expect(d.state.status).toBe('InProgress');
    expect(d.state.statusSummary).toBeUndefined();
    expect(d.idOf('B')).not.toBe(firstB);
    expect(d.run('A')?.status).toBe('Succeeded');
    d.succeed('B');
    expect(d.run('C')?.status).toBe('InProgress');
    d.succeed('C');
    d.succeed('D');
    expect(d.state.status).toBe('Succeeded');
  });

  it('ALL_ACTIONS reruns the whole stage from its first group', () => {
    const d = driver(pipeline([source('Src', 'Out')], [build('A'), build('B', { runOrder: 2 })]));
    d.send({ type: 'Start' });
    d.succeed('Src');
    const firstA = d.idOf('A');
    d.succeed('A');
    d.fail('B');
    d.send({ type: 'Retry', stageName: 'S2', retryMode: 'ALL_ACTIONS' });
    expect(d.idOf('A')).not.toBe(firstA);
    expect(d.run('A')?.status).toBe('InProgress');
    expect(d.run('B')).toBeUndefined();
  });

  it('does nothing for a run that did not fail in that stage', () => {
    const d = driver(pipeline([source('Src', 'Out')], [build('A')]));
    d.send({ type: 'Start' });
    expect(d.send({ type: 'Retry', stageName: 'S1', retryMode: 'ALL_ACTIONS' })).toEqual([]);
    d.fail('Src');
    expect(d.send({ type: 'Retry', stageName: 'S2', retryMode: 'ALL_ACTIONS' })).toEqual([]);
    expect(d.state.status).toBe('Failed');
  });
});
