/**
 * Manual approvals answered right and wrong, StartPipelineExecution's clientRequestToken, and
 * what happens to a run waiting for a person when its pipeline is updated or deleted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  DeletePipelineCommand,
  ListPipelineExecutionsCommand,
  PutApprovalResultCommand,
  StartPipelineExecutionCommand,
  UpdatePipelineCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/store/open-state-store.js';
import { expectServiceError } from '../../e2e/support/sdk-client.js';
import { startTestServer, type TestServer } from '../../support/in-process-server.js';
import {
  abandonRun,
  actionExecution,
  approvalAction,
  approvalToken,
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
  waitForStatus,
} from './support.js';

describe('approvals, request tokens, and runs of changed pipelines', () => {
  let t: TestServer;
  let scratch: string;
  let connectionArn: string;
  let repositoryId: string;

  /** Source → Approve (Gate) → After. */
  const gated = (name: string): PipelineDeclaration =>
    v2Pipeline(name, [
      ['Source', [gitSource(connectionArn, repositoryId)]],
      ['Approve', [approvalAction('Gate', 'Ship it?')]],
      ['After', [commandsAction('Announce', ['echo approved'])]],
    ]);
  const create = async (pipeline: PipelineDeclaration) => {
    await t.client.send(new CreatePipelineCommand({ pipeline }));
    return firstRun(t.client, pipeline.name ?? '');
  };
  const answer = (
    pipelineName: string,
    token: string,
    status: 'Approved' | 'Rejected',
    where: { stageName?: string; actionName?: string } = {},
  ) =>
    t.client.send(
      new PutApprovalResultCommand({
        pipelineName,
        stageName: where.stageName ?? 'Approve',
        actionName: where.actionName ?? 'Gate',
        result: { status, summary: status === 'Rejected' ? 'not this week' : 'go ahead' },
        token,
      }),
    );

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

  it('refuses wrong answers, fails a rejected run with its summary, and answers once', async () => {
    const name = unique('gated');
    const rejectedRun = await create(gated(name));
    const token = await approvalToken(t.client, name, rejectedRun, 'Approve', 'Gate');

    await expectServiceError(
      answer(name, '00000000-0000-4000-8000-000000000000', 'Approved'),
      'InvalidApprovalTokenException',
    );
    await expectServiceError(
      answer(name, token, 'Approved', { stageName: 'Nowhere' }),
      'StageNotFoundException',
    );
    await expectServiceError(
      answer(name, token, 'Approved', { actionName: 'Nobody' }),
      'ActionNotFoundException',
    );
    // None of the refusals answered the approval.
    expect((await actionExecution(t.client, name, rejectedRun, 'Gate'))?.status).toBe('InProgress');

    await answer(name, token, 'Rejected');
    const failed = await waitForStatus(t.client, name, rejectedRun, 'Failed');
    expect(failed.statusSummary).toContain('Gate');
    expect(failed.statusSummary).toContain('not this week');
    expect(await actionExecution(t.client, name, rejectedRun, 'Announce')).toBeUndefined();
    await expectServiceError(answer(name, token, 'Approved'), 'ApprovalAlreadyCompletedException');

    const { pipelineExecutionId: approvedRun } = await t.client.send(
      new StartPipelineExecutionCommand({ name }),
    );
    if (!approvedRun) throw new Error('no execution id');
    const second = await approvalToken(t.client, name, approvedRun, 'Approve', 'Gate');
    expect(second).not.toBe(token);
    const approved = await answer(name, second, 'Approved');
    expect(approved.approvedAt).toBeInstanceOf(Date);
    await expectServiceError(answer(name, second, 'Approved'), 'ApprovalAlreadyCompletedException');
    await waitForStatus(t.client, name, approvedRun, 'Succeeded');
    const gate = await actionExecution(t.client, name, approvedRun, 'Gate');
    expect(gate?.output?.executionResult?.externalExecutionSummary).toBe('go ahead');
  });

  it('starts one run per clientRequestToken, however often it is sent', async () => {
    const name = unique('token');
    await abandonRun(t.client, name, await create(gated(name)));
    const start = (clientRequestToken: string) =>
      t.client
        .send(new StartPipelineExecutionCommand({ name, clientRequestToken }))
        .then((out) => out.pipelineExecutionId);

    const first = await start('release-2026-11-21');
    expect(await start('release-2026-11-21')).toBe(first);
    // Sent at once, a new token still makes one run.
    const racing = await Promise.all([start('release-b'), start('release-b'), start('release-b')]);
    expect(new Set(racing).size).toBe(1);
    expect(racing[0]).not.toBe(first);

    const { pipelineExecutionSummaries = [] } = await t.client.send(
      new ListPipelineExecutionsCommand({ pipelineName: name }),
    );
    expect(pipelineExecutionSummaries.map((s) => s.trigger?.triggerType).sort()).toEqual([
      'CreatePipeline',
      'StartPipelineExecution',
      'StartPipelineExecution',
    ]);
    for (const id of [first, racing[0]]) await abandonRun(t.client, name, id ?? '');
  });

  it('cancels a run waiting for approval when its pipeline is updated', async () => {
    const name = unique('updated');
    const declaration = gated(name);
    const id = await create(declaration);
    const token = await approvalToken(t.client, name, id, 'Approve', 'Gate');

    const changed = gated(name);
    changed.stages![1]!.actions![0]!.configuration = { CustomData: 'Ship the new one?' };
    await t.client.send(new UpdatePipelineCommand({ pipeline: { ...changed, version: 1 } }));

    const cancelled = await getExecution(t.client, name, id);
    expect(cancelled.status).toBe('Cancelled');
    expect(cancelled.statusSummary).toContain('updated');
    expect((await actionExecution(t.client, name, id, 'Gate'))?.status).toBe('Abandoned');
    const refused = await answer(name, token, 'Approved').then(
      () => undefined,
      (error: Error) => error.name,
    );
    expect(['ApprovalAlreadyCompletedException', 'InvalidApprovalTokenException']).toContain(
      refused,
    );
    expect((await getExecution(t.client, name, id)).status).toBe('Cancelled');
  });

  it('cancels a run when its pipeline is deleted, killing the command it was running', async () => {
    const name = unique('deleted');
    const seconds = markedSleepSeconds(62);
    const id = await create(
      v2Pipeline(name, [
        ['Source', [gitSource(connectionArn, repositoryId)]],
        ['Approve', [approvalAction('Gate'), commandsAction('Meanwhile', [`sleep ${seconds}`])]],
      ]),
    );
    await approvalToken(t.client, name, id, 'Approve', 'Gate');
    await waitFor(
      async () => (await processesWith(`sleep ${seconds}`)).length > 0,
      20_000,
      `sleep ${seconds} to start`,
    );

    await t.client.send(new DeletePipelineCommand({ name }));
    await waitFor(
      async () => (await processesWith(`sleep ${seconds}`)).length === 0,
      10_000,
      `sleep ${seconds} to be killed`,
    );
    // Deleted with its history, as in CodePipeline: nothing of the run is left in the state
    // store, and a pipeline re-created under the name starts with no executions.
    const store = await openStateStore({ dataDir: t.dataDir });
    try {
      expect(await store.executions.getExecution(id)).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
