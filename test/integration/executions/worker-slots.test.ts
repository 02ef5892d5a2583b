/**
 * The built-in workers' slots: a job dispatched while a slot is free is handed to the worker in
 * the decision that creates it, the others wait Queued and are claimed as slots free, and a
 * server never runs more actions at once than LOCKSTEP_WORKERS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreatePipelineCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/store/open-state-store.js';
import { startTestServer, type TestServer } from '../../support/in-process-server.js';
import {
  actionExecutions,
  actionLog,
  commandsAction,
  createConnection,
  createGitRepo,
  firstRun,
  gitSource,
  unique,
  v2Pipeline,
  waitForStatus,
} from './support.js';

const WORKERS = 2;
const WIDE = 5;

describe('built-in worker slots', () => {
  let t: TestServer;
  let scratch: string;
  let connectionArn: string;
  let repositoryId: string;

  beforeAll(async () => {
    t = await startTestServer({ env: { LOCKSTEP_WORKERS: String(WORKERS) } });
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
    expect(t?.loggedErrors ?? []).toEqual([]);
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it(`runs ${WIDE} parallel actions ${WORKERS} at a time, every one exactly once`, async () => {
    const name = unique('slots');
    // Each action notes when its process started and ended, in its own log.
    const timed = ['echo "start $(date +%s%N)"', 'sleep 0.4', 'echo "end $(date +%s%N)"'];
    const wide = Array.from({ length: WIDE }, (_, i) => commandsAction(`Wide-${i + 1}`, timed));
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: v2Pipeline(name, [
          ['Source', [gitSource(connectionArn, repositoryId)]],
          ['Wide', wide],
          ['After', [commandsAction('After', ['echo after'])]],
        ]),
      }),
    );
    const id = await firstRun(t.client, name);
    await waitForStatus(t.client, name, id, 'Succeeded');

    const actions = (await actionExecutions(t.client, name, id)).filter(
      (a) => a.stageName === 'Wide',
    );
    expect(actions.map((a) => a.actionName).sort()).toEqual(wide.map((a) => a.name).sort());
    const spans = await Promise.all(
      actions.map(async (action) => {
        const log = await actionLog(t.dataDir, name, id, action.actionExecutionId);
        const at = (word: string) =>
          BigInt(new RegExp(`^${word} (\\d+)$`, 'm').exec(log)?.[1] ?? 0);
        return { start: at('start'), end: at('end') };
      }),
    );
    for (const span of spans) expect(span.end).toBeGreaterThan(span.start);
    const running = (instant: bigint) =>
      spans.filter((s) => s.start <= instant && instant < s.end).length;
    const mostAtOnce = Math.max(...spans.map((s) => running(s.start)));
    expect(mostAtOnce).toBe(WORKERS);

    // Each job was taken once, by this server's workers, and ended with its action.
    const store = await openStateStore({ dataDir: t.dataDir });
    try {
      for (const action of actions) {
        const job = await store.executions.jobOfAction(action.actionExecutionId ?? '');
        expect(job).toMatchObject({ status: 'Succeeded', leaseExpiresMs: null });
        expect(job?.workerId).toEqual(expect.stringContaining(`:${process.pid}:`));
      }
    } finally {
      await store.close();
    }
  });
});
