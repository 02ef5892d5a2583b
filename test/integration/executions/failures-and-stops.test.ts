/**
 * Runs that do not succeed: a command that fails, StopPipelineExecution with abandon (the
 * running command's process must die) and without (the running action finishes, nothing new
 * starts), and actions of providers Lockstep cannot run, which fail at once with a reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  GetPipelineStateCommand,
  StopPipelineExecutionCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectServiceError } from '../../e2e/support/sdk-client.js';
import { FIXTURE, loadFixture } from '../../e2e/support/pipeline-fixtures.js';
import { startTestServer, type TestServer } from '../../support/in-process-server.js';
import {
  actionExecution,
  actionExecutions,
  actionLog,
  commandsAction,
  createConnection,
  createGitRepo,
  firstRun,
  getExecution,
  gitSource,
  markedSleepSeconds,
  processesWith,
  unique,
  v2Pipeline,
  waitFor,
  waitForAction,
  waitForStatus,
} from './support.js';

describe('runs that fail or are stopped', () => {
  let t: TestServer;
  let scratch: string;
  let connectionArn: string;
  let repositoryId: string;

  /** Creates a pipeline; resolves with the run CreatePipeline started. */
  const create = async (pipeline: PipelineDeclaration) => {
    await t.client.send(new CreatePipelineCommand({ pipeline }));
    return firstRun(t.client, pipeline.name ?? '');
  };

  beforeAll(async () => {
    t = await startTestServer();
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-exec-repos-'));
    const repo = await createGitRepo(scratch);
    await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
    repositoryId = repo.repositoryId;
    connectionArn = await createConnection(
      { url: t.server.url, dataDir: t.dataDir },
      repo.endpoint,
    );
  });

  afterAll(async () => {
    await t?.stop();
    // A run that ended as the test expects may still have hidden a failure in the background.
    expect(t?.loggedErrors ?? []).toEqual([]);
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('fails the run at a failing command, names it, logs its stderr, and starts nothing later', async () => {
    const name = unique('failing');
    const id = await create(
      v2Pipeline(name, [
        ['Source', [gitSource(connectionArn, repositoryId)]],
        [
          'Build',
          [
            commandsAction('Compile', [
              'echo compiling',
              'ls /no-such-dir-for-lockstep',
              'echo never printed',
            ]),
          ],
        ],
        ['Later', [commandsAction('Package', ['echo packaging'])]],
      ]),
    );

    const failed = await waitForStatus(t.client, name, id, 'Failed');
    expect(failed.statusSummary).toContain('Compile');
    expect(failed.statusSummary).toContain('ls /no-such-dir-for-lockstep');

    const compile = await actionExecution(t.client, name, id, 'Compile');
    expect(compile?.status).toBe('Failed');
    const message = compile?.output?.executionResult?.errorDetails?.message ?? '';
    expect(message).toContain("Command 'ls /no-such-dir-for-lockstep' (2 of 3)");
    expect(message).toMatch(/exit code [1-9]/);

    const log = await actionLog(t.dataDir, name, id, compile?.actionExecutionId);
    expect(log).toContain('compiling');
    expect(log).toMatch(/ls: cannot access '\/no-such-dir-for-lockstep': No such file/);
    expect(log).not.toContain('never printed');

    expect((await actionExecutions(t.client, name, id)).map((a) => a.actionName).sort()).toEqual([
      'Checkout',
      'Compile',
    ]);
    const state = await t.client.send(new GetPipelineStateCommand({ name }));
    const later = state.stageStates?.find((s) => s.stageName === 'Later');
    expect(later?.latestExecution).toBeUndefined();
    expect(later?.actionStates?.[0]?.latestExecution).toBeUndefined();
    const build = state.stageStates?.find((s) => s.stageName === 'Build');
    expect(build?.latestExecution).toEqual({ pipelineExecutionId: id, status: 'Failed' });
  });

  it('stops with abandon at once and kills the running command', async () => {
    const name = unique('abandon');
    const seconds = markedSleepSeconds(61);
    const id = await create(
      v2Pipeline(name, [
        ['Source', [gitSource(connectionArn, repositoryId)]],
        ['Build', [commandsAction('Wait', [`sleep ${seconds}`])]],
        ['Later', [commandsAction('Package', ['echo packaging'])]],
      ]),
    );
    await waitFor(
      async () => (await processesWith(`sleep ${seconds}`)).length > 0,
      20_000,
      `the action's sleep ${seconds} to start`,
    );

    const stoppedAt = Date.now();
    await t.client.send(
      new StopPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId: id,
        abandon: true,
        reason: 'wrong branch',
      }),
    );
    const stopped = await waitForStatus(t.client, name, id, 'Stopped', 5_000);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(stopped.statusSummary).toBe('wrong branch');
    expect((await actionExecution(t.client, name, id, 'Wait'))?.status).toBe('Abandoned');
    await waitFor(
      async () => (await processesWith(`sleep ${seconds}`)).length === 0,
      10_000,
      `sleep ${seconds} to be killed`,
    );
    expect(await actionExecution(t.client, name, id, 'Package')).toBeUndefined();
    // A stopped run cannot be stopped again.
    await expectServiceError(
      t.client.send(
        new StopPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: id }),
      ),
      'PipelineExecutionNotStoppableException',
    );
  });

  it('stops and waits: the running action finishes, the next stage never starts', async () => {
    const name = unique('stop-wait');
    const seconds = markedSleepSeconds(3);
    const id = await create(
      v2Pipeline(name, [
        ['Source', [gitSource(connectionArn, repositoryId)]],
        ['Build', [commandsAction('Compile', [`sleep ${seconds}`, 'echo compiled'])]],
        ['Later', [commandsAction('Package', ['echo packaging'])]],
      ]),
    );
    await waitFor(
      async () => (await processesWith(`sleep ${seconds}`)).length > 0,
      20_000,
      `the action's sleep ${seconds} to start`,
    );

    const stop = () =>
      t.client.send(
        new StopPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: id }),
      );
    expect((await stop()).pipelineExecutionId).toBe(id);
    expect((await getExecution(t.client, name, id)).status).toBe('Stopping');
    await expectServiceError(stop(), 'DuplicatedStopRequestException');

    await waitForStatus(t.client, name, id, 'Stopped', 15_000);
    const compile = await actionExecution(t.client, name, id, 'Compile');
    expect(compile?.status).toBe('Succeeded');
    expect(await actionLog(t.dataDir, name, id, compile?.actionExecutionId)).toContain('compiled');
    expect(await actionExecution(t.client, name, id, 'Package')).toBeUndefined();
    const state = await t.client.send(new GetPipelineStateCommand({ name }));
    expect(state.stageStates?.find((s) => s.stageName === 'Build')?.latestExecution).toEqual({
      pipelineExecutionId: id,
      status: 'Stopped',
    });
    await expectServiceError(stop(), 'PipelineExecutionNotStoppableException');
  });

  it('abandons a run that is already stopping and waiting', async () => {
    const name = unique('wait-then-abandon');
    const seconds = markedSleepSeconds(61);
    const id = await create(
      v2Pipeline(name, [
        ['Source', [gitSource(connectionArn, repositoryId)]],
        ['Build', [commandsAction('Wait', [`sleep ${seconds}`])]],
      ]),
    );
    await waitFor(
      async () => (await processesWith(`sleep ${seconds}`)).length > 0,
      20_000,
      `the action's sleep ${seconds} to start`,
    );
    const stop = (abandon: boolean) =>
      t.client.send(
        new StopPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: id, abandon }),
      );
    await stop(false);
    expect((await getExecution(t.client, name, id)).status).toBe('Stopping');
    // Waiting for a minute-long command was the wrong call; abandoning still works.
    await stop(true);
    await waitForStatus(t.client, name, id, 'Stopped', 5_000);
    expect((await actionExecution(t.client, name, id, 'Wait'))?.status).toBe('Abandoned');
    await waitFor(
      async () => (await processesWith(`sleep ${seconds}`)).length === 0,
      10_000,
      `sleep ${seconds} to be killed`,
    );
  });

  it('fails a run at once at an S3 source its role may not read, naming the object', async () => {
    // The AWS CLI's example reads a bucket its service role here has no permission on.
    const { pipeline } = loadFixture(FIXTURE.mySecondPipeline);
    const name = unique('s3-source');
    const startedAt = Date.now();
    const id = await create({ ...pipeline, name });

    await waitForStatus(t.client, name, id, 'Failed', 10_000);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const source = await actionExecution(t.client, name, id, 'Source');
    const message = source?.output?.executionResult?.errorDetails?.message ?? '';
    const { S3Bucket, S3ObjectKey } = pipeline.stages?.[0]?.actions?.[0]?.configuration ?? {};
    expect(message).toContain(`s3://${S3Bucket}/${S3ObjectKey} could not be read`);
    expect(message).toContain('is not authorized to perform: s3:GetObject');
    expect(await actionExecution(t.client, name, id, 'CodePipelineDemoFleet')).toBeUndefined();
  });

  it('fails a CodeDeploy action after a real source, naming the provider', async () => {
    const name = unique('codedeploy');
    const id = await create(
      v2Pipeline(name, [
        ['Source', [gitSource(connectionArn, repositoryId)]],
        [
          'Deploy',
          [
            {
              name: 'ToFleet',
              actionTypeId: {
                category: 'Deploy',
                owner: 'AWS',
                provider: 'CodeDeploy',
                version: '1',
              },
              configuration: { ApplicationName: 'app', DeploymentGroupName: 'fleet' },
              inputArtifacts: [{ name: 'SourceOut' }],
            },
          ],
        ],
      ]),
    );
    const failed = await waitForStatus(t.client, name, id, 'Failed', 10_000);
    expect(failed.statusSummary).toContain('ToFleet');
    expect(failed.statusSummary).toContain('provider CodeDeploy');
    const action = await waitForAction(t.client, name, id, 'Checkout', 'Succeeded');
    expect(action.status).toBe('Succeeded');
    const deploy = await actionExecution(t.client, name, id, 'ToFleet');
    expect(deploy?.output?.executionResult?.errorDetails?.code).toBe('ConfigurationError');
  });
});
