/**
 * How runs are stored: each decision rewrites a state row that no longer carries the pipeline
 * declaration, which is stored once per distinct content and shared by the runs that follow
 * it; rows written before that change (the declaration inside the state) still run; and a
 * deleted pipeline takes its declarations with it. On SQLite and, when configured, PostgreSQL.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  DeletePipelineCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/store/open-state-store.js';
import type { StateStore } from '../../../src/store/state-store.js';
import { startTestServer, type TestServer } from '../../support/in-process-server.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../../support/postgres.js';
import {
  actionExecutions,
  commandsAction,
  createConnection,
  createGitRepo,
  firstRun,
  getExecution,
  gitSource,
  unique,
  v2Pipeline,
  waitForStatus,
} from './support.js';

reportPostgresSkipped('executions/stored-state');

const engines = [
  { engine: 'sqlite', database: () => Promise.resolve(undefined) },
  ...(TEST_DATABASE_URL ? [{ engine: 'postgres', database: createTestDatabase }] : []),
];

describe.each(engines)('stored execution state on $engine', ({ database }) => {
  let t: TestServer;
  let store: StateStore;
  let scratch: string;
  let drop: (() => Promise<void>) | undefined;
  let pipeline: PipelineDeclaration;
  const name = unique('stored');

  beforeAll(async () => {
    const db = await database();
    drop = db && (() => db.drop());
    t = await startTestServer(db ? { databaseUrl: db.url } : {});
    store = await openStateStore({ dataDir: t.dataDir, ...(db ? { databaseUrl: db.url } : {}) });
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-exec-repos-'));
    const repo = await createGitRepo(scratch);
    await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
    const connectionArn = await createConnection(
      { url: t.server.url, dataDir: t.dataDir },
      repo.endpoint,
    );
    pipeline = v2Pipeline(name, [
      ['Source', [gitSource(connectionArn, repo.repositoryId)]],
      [
        'Steps',
        [
          { ...commandsAction('First', ['echo first']), runOrder: 1 },
          { ...commandsAction('Second', ['echo second']), runOrder: 2 },
        ],
      ],
    ]);
    await t.client.send(new CreatePipelineCommand({ pipeline }));
  });

  afterAll(async () => {
    await store?.close();
    await t?.stop();
    expect(t?.loggedErrors ?? []).toEqual([]);
    await drop?.();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('keeps the declaration out of the state row, once for every run that follows it', async () => {
    const first = await firstRun(t.client, name);
    const { pipelineExecutionId: second = '' } = await t.client.send(
      new StartPipelineExecutionCommand({ name }),
    );
    for (const id of [first, second]) await waitForStatus(t.client, name, id, 'Succeeded');

    const records = await Promise.all(
      [first, second].map((id) => store.executions.getExecution(id)),
    );
    const shas = records.map((record) => record?.declarationSha256);
    expect(shas[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(shas[1]).toBe(shas[0]);
    for (const record of records) {
      const state = JSON.parse(record?.stateJson ?? '{}') as Record<string, unknown>;
      expect(state).not.toHaveProperty('declaration');
      expect(state).toMatchObject({ executionId: record?.id, status: 'Succeeded' });
    }
    const json = (await store.executions.getDeclaration(shas[0] ?? '')) ?? '';
    expect(createHash('sha256').update(json).digest('hex')).toBe(shas[0]);
    expect(JSON.parse(json)).toMatchObject({
      name,
      executionMode: 'PARALLEL',
      stages: [{ name: 'Source' }, { name: 'Steps' }],
    });
    // What the views derive from the declaration still comes through.
    expect(await getExecution(t.client, name, second)).toMatchObject({
      status: 'Succeeded',
      executionMode: 'PARALLEL',
    });
    const actions = await actionExecutions(t.client, name, second);
    expect(actions.map((a) => [a.actionName, a.status]).sort()).toEqual([
      ['Checkout', 'Succeeded'],
      ['First', 'Succeeded'],
      ['Second', 'Succeeded'],
    ]);
  });

  it('still decides on a run stored with its declaration inside its state', async () => {
    // As migration 0011 leaves a run that was in flight: the whole state in one row.
    const id = randomUUID();
    const nowMs = Date.now();
    const state = {
      executionId: id,
      pipelineName: name,
      pipelineVersion: 1,
      status: 'InProgress',
      declaration: { ...pipeline, executionMode: 'QUEUED' },
      variables: {},
      trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'test' },
      sourceRevisions: {},
      stages: [],
      startedMs: nowMs,
      updatedMs: nowMs,
    };
    await store.executions.insertExecution(
      {
        id,
        pipelineName: name,
        pipelineVersion: 1,
        status: 'InProgress',
        clientRequestToken: null,
        stateJson: JSON.stringify(state),
        stateVersion: 0,
        createdMs: nowMs,
        updatedMs: nowMs,
        declarationSha256: null,
      },
      { sha256: 'f'.repeat(64), json: '{}' },
    );
    expect(await getExecution(t.client, name, id)).toMatchObject({ executionMode: 'QUEUED' });

    await t.client.send(
      new StopPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId: id,
        abandon: true,
      }),
    );

    expect(await getExecution(t.client, name, id)).toMatchObject({ status: 'Stopped' });
    const record = await store.executions.getExecution(id);
    expect(record?.declarationSha256).toBeNull();
    expect(JSON.parse(record?.stateJson ?? '{}')).toMatchObject({
      status: 'Stopped',
      declaration: { executionMode: 'QUEUED' },
    });
  });

  it('forgets the declarations of a deleted pipeline', async () => {
    const runs = await store.executions.listExecutions(name, undefined, 10);
    const sha = runs.find((run) => run.declarationSha256 !== null)?.declarationSha256 ?? '';
    expect(await store.executions.getDeclaration(sha)).toBeDefined();

    await t.client.send(new DeletePipelineCommand({ name }));

    expect(await store.executions.getDeclaration(sha)).toBeUndefined();
  });
});
