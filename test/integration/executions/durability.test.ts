/**
 * Runs outlive the server: a real `bin/lockstep serve` is killed with SIGKILL (no chance to
 * tidy up) and started again on the same data directory. A run waiting for approval goes on
 * when approved after the restart; an action that was running when the server died fails once
 * its job's lease lapses (LOCKSTEP_JOB_LEASE_SECONDS=2), instead of staying InProgress forever.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  PutApprovalResultCommand,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectBubblewrap } from '../../../src/sandbox/detect-bubblewrap.js';
import { codePipelineClient } from '../../e2e/support/sdk-client.js';
import { stopLockstep } from '../../e2e/support/stop-lockstep.js';
import { startLockstep, type LockstepProcess } from '../../support/lockstep-process.js';
import {
  actionExecution,
  actionLog,
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
  waitForAction,
  waitForStatus,
  type GitRepo,
} from './support.js';

const LEASE_ENV = { LOCKSTEP_JOB_LEASE_SECONDS: '2' };

describe('runs across a killed server', () => {
  let scratch: string;
  let repo: GitRepo;
  let server: LockstepProcess | undefined;
  let alive = false;
  let client: CodePipelineClient | undefined;
  /** Sleeps a test started, ended in afterAll if a failed test left them running. */
  const markers: string[] = [];

  /** Starts a server, on the data directory of the one just killed when given. */
  const start = async (dataDir?: string) => {
    if (alive) throw new Error('a server is still running; kill or retire it first');
    client?.destroy();
    server = await startLockstep({ ...(dataDir ? { dataDir } : {}), env: LEASE_ENV });
    alive = true;
    client = codePipelineClient(server);
    return { server, client };
  };

  /** Sends SIGKILL to the server and waits until it is gone. */
  const killHard = async (victim: LockstepProcess) => {
    // lockstep-process.ts keeps the child to itself; its command line names the data directory.
    const marker = `--data-dir ${victim.dataDir} `;
    const found = await processesWith(marker);
    expect(found.length).toBe(1);
    process.kill(found[0]!.pid, 'SIGKILL');
    await waitFor(async () => (await processesWith(marker)).length === 0, 10_000, 'the kill');
    alive = false;
  };

  /** Stops the server (a clean exit is expected of a live one) and removes its data directory. */
  const retire = async () => {
    client?.destroy();
    client = undefined;
    if (server && alive) await stopLockstep(server);
    else if (server) await rm(server.dataDir, { recursive: true, force: true });
    server = undefined;
    alive = false;
  };

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-exec-repos-'));
    repo = await createGitRepo(scratch);
    await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
  });

  afterAll(async () => {
    await retire();
    for (const marker of markers) {
      for (const { pid } of await processesWith(marker)) process.kill(pid, 'SIGKILL');
    }
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('goes on with a run waiting for approval after a restart', async () => {
    const first = await start();
    const name = unique('durable-approval');
    const connectionArn = await createConnection(first.server, repo.endpoint);
    await first.client.send(
      new CreatePipelineCommand({
        pipeline: v2Pipeline(name, [
          ['Source', [gitSource(connectionArn, repo.repositoryId)]],
          ['Approve', [approvalAction('Gate')]],
          ['After', [commandsAction('Announce', ['echo "carried on after the restart"'])]],
        ]),
      }),
    );
    const id = await firstRun(first.client, name);
    const token = await approvalToken(first.client, name, id, 'Approve', 'Gate');

    await killHard(first.server);
    const again = await start(first.server.dataDir);
    expect((await getExecution(again.client, name, id)).status).toBe('InProgress');
    // The approval is still waiting, under the same token, and no lease ends it.
    expect(await approvalToken(again.client, name, id, 'Approve', 'Gate')).toBe(token);

    await again.client.send(
      new PutApprovalResultCommand({
        pipelineName: name,
        stageName: 'Approve',
        actionName: 'Gate',
        result: { status: 'Approved', summary: 'after the crash' },
        token,
      }),
    );
    await waitForStatus(again.client, name, id, 'Succeeded');
    const announce = await actionExecution(again.client, name, id, 'Announce');
    expect(await actionLog(again.server.dataDir, name, id, announce?.actionExecutionId)).toContain(
      'carried on after the restart',
    );
  });

  it('keeps renewing the lease of a command that outlasts it on a live server', async () => {
    await retire();
    const live = await start();
    const name = unique('durable-renewed');
    const connectionArn = await createConnection(live.server, repo.endpoint);
    await live.client.send(
      new CreatePipelineCommand({
        pipeline: v2Pipeline(name, [
          ['Source', [gitSource(connectionArn, repo.repositoryId)]],
          // Twice the 2 s lease: only renewals keep the job alive this long.
          ['Build', [commandsAction('Slow', ['sleep 4', 'echo finished'])]],
        ]),
      }),
    );
    const id = await firstRun(live.client, name);
    await waitForStatus(live.client, name, id, 'Succeeded', 20_000);
    const slow = await actionExecution(live.client, name, id, 'Slow');
    expect(await actionLog(live.server.dataDir, name, id, slow?.actionExecutionId)).toContain(
      'finished',
    );
  });

  it('fails an action whose server died under it once its lease lapses', async () => {
    await retire();
    const first = await start();
    const name = unique('durable-running');
    const seconds = markedSleepSeconds(30);
    markers.push(`sleep ${seconds}`);
    const connectionArn = await createConnection(first.server, repo.endpoint);
    await first.client.send(
      new CreatePipelineCommand({
        pipeline: v2Pipeline(name, [
          ['Source', [gitSource(connectionArn, repo.repositoryId)]],
          ['Build', [commandsAction('Slow', [`sleep ${seconds}`])]],
          ['After', [commandsAction('Announce', ['echo never'])]],
        ]),
      }),
    );
    const id = await firstRun(first.client, name);
    await waitFor(
      async () => (await processesWith(`sleep ${seconds}`)).length > 0,
      20_000,
      `sleep ${seconds} to start`,
    );

    await killHard(first.server);
    if ((await detectBubblewrap()).available) {
      // bubblewrap's --die-with-parent: an action cannot outlive the server that ran it.
      await waitFor(
        async () => (await processesWith(`sleep ${seconds}`)).length === 0,
        5_000,
        `sleep ${seconds} to die with the server`,
      );
    }
    const restartedAt = Date.now();
    const again = await start(first.server.dataDir);
    const slow = await waitForAction(again.client, name, id, 'Slow', 'Failed', 10_000);
    // Lease 2 s, swept every second: well inside the 30 s the command would have taken.
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    expect(slow.output?.executionResult?.errorDetails?.message).toContain(
      'stopped renewing its lease',
    );
    const failed = await waitForStatus(again.client, name, id, 'Failed', 5_000);
    expect(failed.statusSummary).toContain('Slow');
    expect(await actionExecution(again.client, name, id, 'Announce')).toBeUndefined();
  });
});
