/**
 * Execution modes with overlapping runs on a real server: a Manual approval holds stage 2 so
 * that the overlap is deterministic. SUPERSEDED: a newer run waiting at a boundary replaces an
 * older waiting one. QUEUED: waiting runs go through one at a time in order. PARALLEL: runs
 * do not wait for each other.
 */
import {
  CreatePipelineCommand,
  GetPipelineStateCommand,
  PutApprovalResultCommand,
  StartPipelineExecutionCommand,
  type ExecutionMode,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  eventually,
  executionStatus,
  gitSource,
  gitSourceAction,
  type GitSource,
} from '../support/pipeline-runs.js';

let t: TestServer;
let source: GitSource;

beforeAll(async () => {
  t = await startTestServer();
  source = await gitSource(t);
});
afterAll(() => t.stop());

async function createPipeline(name: string, executionMode: ExecutionMode): Promise<void> {
  await t.client.send(
    new CreatePipelineCommand({
      pipeline: {
        name,
        pipelineType: 'V2',
        executionMode,
        roleArn: 'arn:aws:iam::123456789012:role/pipeline',
        artifactStore: { type: 'S3', location: 'artifacts' },
        stages: [
          {
            name: 'Source',
            actions: [gitSourceAction(source)],
          },
          {
            name: 'Hold',
            actions: [
              {
                name: 'Gate',
                actionTypeId: {
                  category: 'Approval',
                  owner: 'AWS',
                  provider: 'Manual',
                  version: '1',
                },
              },
            ],
          },
        ],
      },
    }),
  );
}

function status(pipelineName: string, id: string) {
  return executionStatus(t.client, pipelineName, id);
}

/** The run holding the approval in stage Hold, and its token. */
async function holder(pipelineName: string) {
  const state = await t.client.send(new GetPipelineStateCommand({ name: pipelineName }));
  const stage = state.stageStates?.find((s) => s.stageName === 'Hold');
  const latest = stage?.actionStates?.[0]?.latestExecution;
  return {
    executionId: stage?.latestExecution?.pipelineExecutionId,
    status: latest?.status,
    token: latest?.token,
  };
}

async function approve(pipelineName: string, token: string | undefined) {
  await t.client.send(
    new PutApprovalResultCommand({
      pipelineName,
      stageName: 'Hold',
      actionName: 'Gate',
      token,
      result: { status: 'Approved', summary: 'ok' },
    }),
  );
}

async function startRun(pipelineName: string): Promise<string> {
  const out = await t.client.send(new StartPipelineExecutionCommand({ name: pipelineName }));
  return out.pipelineExecutionId ?? '';
}

/** Starts a run and waits until it has finished Source and waits at Hold, or holds it. */
async function startAndReachHold(pipelineName: string): Promise<string> {
  const id = await startRun(pipelineName);
  await eventually(async () => {
    const state = await t.client.send(new GetPipelineStateCommand({ name: pipelineName }));
    const source = state.stageStates?.[0];
    expect(source?.latestExecution).toMatchObject({ pipelineExecutionId: id, status: 'Succeeded' });
  });
  return id;
}

describe('execution modes', () => {
  it('SUPERSEDED: a newer waiting run replaces an older one, and goes in when the stage frees', async () => {
    await createPipeline('superseded', 'SUPERSEDED');
    await eventually(async () => expect((await holder('superseded')).status).toBe('InProgress'));
    const first = await holder('superseded');
    const b = await startAndReachHold('superseded');
    const c = await startAndReachHold('superseded');
    await eventually(async () => expect(await status('superseded', b)).toBe('Superseded'));
    expect(await status('superseded', c)).toBe('InProgress');
    expect((await holder('superseded')).executionId).toBe(first.executionId);

    await approve('superseded', first.token);
    await eventually(async () => expect((await holder('superseded')).executionId).toBe(c));
    expect(await status('superseded', first.executionId ?? '')).toBe('Succeeded');
    await approve('superseded', (await holder('superseded')).token);
    await eventually(async () => expect(await status('superseded', c)).toBe('Succeeded'));
  });

  it('QUEUED: waiting runs go through in the order they arrived, none superseded', async () => {
    await createPipeline('queued', 'QUEUED');
    await eventually(async () => expect((await holder('queued')).status).toBe('InProgress'));
    const first = await holder('queued');
    const b = await startAndReachHold('queued');
    const c = await startAndReachHold('queued');

    await approve('queued', first.token);
    await eventually(async () => expect((await holder('queued')).executionId).toBe(b));
    expect(await status('queued', c)).toBe('InProgress');
    await approve('queued', (await holder('queued')).token);
    await eventually(async () => expect((await holder('queued')).executionId).toBe(c));
    await approve('queued', (await holder('queued')).token);
    await eventually(async () => expect(await status('queued', c)).toBe('Succeeded'));
    expect(await status('queued', b)).toBe('Succeeded');
  });

  it('PARALLEL: runs reach the approval together without waiting', async () => {
    await createPipeline('parallel', 'PARALLEL');
    const b = await startRun('parallel');
    const c = await startRun('parallel');
    await eventually(async () => {
      const state = await t.client.send(new GetPipelineStateCommand({ name: 'parallel' }));
      // Every run's approval is pending at once: three jobs, three tokens.
      expect(state.stageStates?.[1]?.latestExecution?.status).toBe('InProgress');
    });
    for (const id of [b, c]) {
      await eventually(async () => expect(await status('parallel', id)).toBe('InProgress'));
    }
    const { ListActionExecutionsCommand } = await import('@aws-sdk/client-codepipeline');
    await eventually(async () => {
      const actions = await t.client.send(
        new ListActionExecutionsCommand({ pipelineName: 'parallel' }),
      );
      const gates = (actions.actionExecutionDetails ?? []).filter((a) => a.actionName === 'Gate');
      expect(gates.map((g) => g.status)).toEqual(['InProgress', 'InProgress', 'InProgress']);
    });
    expect(t.loggedErrors).toEqual([]);
  });
});
