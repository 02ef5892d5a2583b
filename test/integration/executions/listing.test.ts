/**
 * Reading runs back page by page, as the AWS CLI does with --page-size: every run and every
 * action execution must come back exactly once, including actions of one run order, which
 * start in the same instant.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/in-process-server.js';
import {
  actionExecutions,
  commandsAction,
  createConnection,
  createGitRepo,
  firstRun,
  gitSource,
  unique,
  v2Pipeline,
  waitForStatus,
} from './support.js';

describe('listing runs and action executions', () => {
  let t: TestServer;
  let scratch: string;
  const name = unique('fan-out');
  const runs: string[] = [];

  beforeAll(async () => {
    t = await startTestServer();
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-exec-repos-'));
    const repo = await createGitRepo(scratch);
    await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
    const connectionArn = await createConnection(
      { url: t.server.url, dataDir: t.dataDir },
      repo.endpoint,
    );
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: v2Pipeline(name, [
          ['Source', [gitSource(connectionArn, repo.repositoryId)]],
          [
            'Test',
            [
              commandsAction('Unit', ['echo unit']),
              commandsAction('Lint', ['echo lint']),
              commandsAction('Report', ['echo report'], { runOrder: 2 }),
            ],
          ],
        ]),
      }),
    );
    runs.push(await firstRun(t.client, name));
    for (let i = 0; i < 2; i++) {
      const { pipelineExecutionId } = await t.client.send(
        new StartPipelineExecutionCommand({ name }),
      );
      runs.push(pipelineExecutionId ?? '');
    }
    for (const id of runs) await waitForStatus(t.client, name, id, 'Succeeded');
  });

  afterAll(async () => {
    await t?.stop();
    // A run that ended as the test expects may still have hidden a failure in the background.
    expect(t?.loggedErrors ?? []).toEqual([]);
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('pages ListPipelineExecutions one run at a time, newest first, each run once', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.client.send(
        new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: 1, nextToken }),
      );
      expect(page.pipelineExecutionSummaries?.length).toBeLessThanOrEqual(1);
      seen.push(...(page.pipelineExecutionSummaries ?? []).map((s) => s.pipelineExecutionId ?? ''));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && seen.length < 10);
    expect(seen).toEqual([...runs].reverse());
  });

  it('pages ListActionExecutions one at a time without losing actions that started together', async () => {
    const id = runs[0]!;
    const all = await actionExecutions(t.client, name, id);
    expect(all.map((a) => a.actionName).sort()).toEqual(['Checkout', 'Lint', 'Report', 'Unit']);

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.client.send(
        new ListActionExecutionsCommand({
          pipelineName: name,
          filter: { pipelineExecutionId: id },
          maxResults: 1,
          nextToken,
        }),
      );
      seen.push(...(page.actionExecutionDetails ?? []).map((a) => a.actionName ?? ''));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && seen.length < 10);
    expect(seen.sort()).toEqual(['Checkout', 'Lint', 'Report', 'Unit']);
  });
});
