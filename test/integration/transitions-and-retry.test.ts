/**
 * Disabled transitions hold runs at a stage boundary until enabled again, and
 * RetryStageExecution reruns a failed stage in the same execution, on a real server with a real
 * git source and real commands.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreatePipelineCommand,
  DisableStageTransitionCommand,
  EnableStageTransitionCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  RetryStageExecutionCommand,
  StartPipelineExecutionCommand,
  type ActionDeclaration,
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

function commands(name: string, lines: string[]): ActionDeclaration {
  return {
    name,
    actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
    commands: lines,
    inputArtifacts: [{ name: 'Code' }],
  };
}

async function create(name: string, build: ActionDeclaration[], executionMode: ExecutionMode) {
  await t.client.send(
    new CreatePipelineCommand({
      pipeline: {
        name,
        pipelineType: 'V2',
        executionMode,
        roleArn: 'arn:aws:iam::123456789012:role/pipeline',
        artifactStore: { type: 'S3', location: 'artifacts' },
        stages: [
          { name: 'Source', actions: [gitSourceAction(source)] },
          { name: 'Build', actions: build },
        ],
      },
    }),
  );
}

async function firstRun(name: string): Promise<string> {
  const state = await t.client.send(new GetPipelineStateCommand({ name }));
  return state.stageStates?.[0]?.latestExecution?.pipelineExecutionId ?? '';
}

describe('stage transitions', () => {
  it('holds runs at a disabled transition, shows why, and lets the newest through when enabled', async () => {
    await create('gated', [commands('Echo', ['echo built'])], 'SUPERSEDED');
    const created = await firstRun('gated');
    await eventually(async () =>
      expect(await executionStatus(t.client, 'gated', created)).toBe('Succeeded'),
    );
    await t.client.send(
      new DisableStageTransitionCommand({
        pipelineName: 'gated',
        stageName: 'Build',
        transitionType: 'Inbound',
        reason: 'Freeze for release',
      }),
    );
    const a =
      (await t.client.send(new StartPipelineExecutionCommand({ name: 'gated' })))
        .pipelineExecutionId ?? '';
    let state = await t.client.send(new GetPipelineStateCommand({ name: 'gated' }));
    await eventually(async () => {
      state = await t.client.send(new GetPipelineStateCommand({ name: 'gated' }));
      expect(state.stageStates?.[1]?.inboundExecution?.pipelineExecutionId).toBe(a);
    });
    expect(state.stageStates?.[1]?.inboundTransitionState).toMatchObject({
      enabled: false,
      disabledReason: 'Freeze for release',
      lastChangedBy: 'arn:aws:iam::123456789012:user/lockstep-admin',
    });
    const b =
      (await t.client.send(new StartPipelineExecutionCommand({ name: 'gated' })))
        .pipelineExecutionId ?? '';
    await eventually(async () =>
      expect(await executionStatus(t.client, 'gated', a)).toBe('Superseded'),
    );
    expect(await executionStatus(t.client, 'gated', b)).toBe('InProgress');

    await t.client.send(
      new EnableStageTransitionCommand({
        pipelineName: 'gated',
        stageName: 'Build',
        transitionType: 'Inbound',
      }),
    );
    await eventually(async () =>
      expect(await executionStatus(t.client, 'gated', b)).toBe('Succeeded'),
    );
    state = await t.client.send(new GetPipelineStateCommand({ name: 'gated' }));
    expect(state.stageStates?.[1]?.inboundTransitionState?.enabled).toBe(true);
  });

  it('refuses a stage that does not exist', async () => {
    await expect(
      t.client.send(
        new DisableStageTransitionCommand({
          pipelineName: 'gated',
          stageName: 'Nope',
          transitionType: 'Inbound',
          reason: 'x',
        }),
      ),
    ).rejects.toHaveProperty('name', 'StageNotFoundException');
  });
});

/**
 * A loopback server the Flaky action asks whether to pass: it answers 500 until the test says
 * otherwise, so the first attempt fails and a retry can succeed, deterministically.
 */
async function verdictServer(): Promise<{ url: string; pass(): void; close(): Promise<void> }> {
  let passing = false;
  const server = createServer((_req, res) => {
    res.writeHead(passing ? 200 : 500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    pass: () => (passing = true),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('RetryStageExecution', () => {
  it('reruns only the failed action with FAILED_ACTIONS, in the same execution, and then succeeds', async () => {
    const verdict = await verdictServer();
    try {
      await create(
        'retried',
        [commands('Steady', ['echo steady']), commands('Flaky', [`curl -fsS ${verdict.url}`])],
        'SUPERSEDED',
      );
      const run = await firstRun('retried');
      await eventually(async () =>
        expect(await executionStatus(t.client, 'retried', run)).toBe('Failed'),
      );
      const retry = (stageName: string) =>
        t.client.send(
          new RetryStageExecutionCommand({
            pipelineName: 'retried',
            stageName,
            pipelineExecutionId: run,
            retryMode: 'FAILED_ACTIONS',
          }),
        );
      await expect(retry('Source')).rejects.toHaveProperty('name', 'StageNotRetryableException');
      verdict.pass();
      expect((await retry('Build')).pipelineExecutionId).toBe(run);
      await eventually(async () =>
        expect(await executionStatus(t.client, 'retried', run)).toBe('Succeeded'),
      );
      const actions = await t.client.send(
        new ListActionExecutionsCommand({
          pipelineName: 'retried',
          filter: { pipelineExecutionId: run },
        }),
      );
      const byName = (name: string) =>
        (actions.actionExecutionDetails ?? [])
          .filter((a) => a.actionName === name)
          .map((a) => a.status);
      expect(byName('Steady')).toEqual(['Succeeded']);
      expect(byName('Flaky').sort()).toEqual(['Failed', 'Succeeded']);
      await expect(retry('Build')).rejects.toHaveProperty('name', 'StageNotRetryableException');
    } finally {
      await verdict.close();
    }
  });

  it('reruns every action of the stage with ALL_ACTIONS', async () => {
    const verdict = await verdictServer();
    try {
      await create(
        'retried-all',
        [commands('Steady', ['echo steady']), commands('Flaky', [`curl -fsS ${verdict.url}`])],
        'SUPERSEDED',
      );
      const run = await firstRun('retried-all');
      await eventually(async () =>
        expect(await executionStatus(t.client, 'retried-all', run)).toBe('Failed'),
      );
      verdict.pass();
      await t.client.send(
        new RetryStageExecutionCommand({
          pipelineName: 'retried-all',
          stageName: 'Build',
          pipelineExecutionId: run,
          retryMode: 'ALL_ACTIONS',
        }),
      );
      await eventually(async () =>
        expect(await executionStatus(t.client, 'retried-all', run)).toBe('Succeeded'),
      );
      const actions = await t.client.send(
        new ListActionExecutionsCommand({
          pipelineName: 'retried-all',
          filter: { pipelineExecutionId: run },
        }),
      );
      const steady = (actions.actionExecutionDetails ?? []).filter(
        (a) => a.actionName === 'Steady',
      );
      expect(steady.map((a) => a.status)).toEqual(['Succeeded', 'Succeeded']);
    } finally {
      await verdict.close();
    }
  });

  it('refuses to retry a run when a newer one has run the stage since', async () => {
    const verdict = await verdictServer();
    try {
      await create('outdated', [commands('Flaky', [`curl -fsS ${verdict.url}`])], 'PARALLEL');
      const old = await firstRun('outdated');
      await eventually(async () =>
        expect(await executionStatus(t.client, 'outdated', old)).toBe('Failed'),
      );
      const newer =
        (await t.client.send(new StartPipelineExecutionCommand({ name: 'outdated' })))
          .pipelineExecutionId ?? '';
      await eventually(async () =>
        expect(await executionStatus(t.client, 'outdated', newer)).toBe('Failed'),
      );
      await expect(
        t.client.send(
          new RetryStageExecutionCommand({
            pipelineName: 'outdated',
            stageName: 'Build',
            pipelineExecutionId: old,
            retryMode: 'FAILED_ACTIONS',
          }),
        ),
      ).rejects.toHaveProperty('name', 'NotLatestPipelineExecutionException');
    } finally {
      await verdict.close();
    }
  });
});
