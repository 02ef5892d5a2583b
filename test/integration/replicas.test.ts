/**
 * Two server replicas on one PostgreSQL database, sharing a root key: jobs are claimed once
 * (every action of a wide stage runs exactly once, on one replica or the other), and the
 * runs they drive complete. Skipped without LOCKSTEP_TEST_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import {
  CreatePipelineCommand,
  ListActionExecutionsCommand,
  StartPipelineExecutionCommand,
  type ActionDeclaration,
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
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';

reportPostgresSkipped('replicas');
const WIDTH = 12;

describe.skipIf(!TEST_DATABASE_URL)('two replicas on one PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let first: TestServer;
  let second: TestServer;
  let secondClient: CodePipelineClient;
  let source: GitSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    const keyDir = await mkdtemp(path.join(tmpdir(), 'lockstep-key-'));
    const rootKeyFile = path.join(keyDir, 'root.key');
    await writeFile(rootKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    // Replicas share what they must: the database, the root key and the artifact store.
    const artifactDir = path.join(keyDir, 'artifacts');
    first = await startTestServer({ databaseUrl: database.url, rootKeyFile, artifactDir });
    second = await startTestServer({
      databaseUrl: database.url,
      rootKeyFile,
      artifactDir,
      credentials: first.credentials,
    });
    secondClient = second.client;
    source = await gitSource(first);
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await database?.drop();
  });

  it('runs every action of a wide stage exactly once across both replicas', async () => {
    const actions: ActionDeclaration[] = Array.from({ length: WIDTH }, (_, i) => ({
      name: `Step${i}`,
      actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
      commands: [`echo step ${i}`],
      inputArtifacts: [{ name: 'Code' }],
    }));
    const sourceAction = gitSourceAction(source);
    sourceAction.configuration = { ...sourceAction.configuration, DetectChanges: 'false' };
    await first.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name: 'wide',
          pipelineType: 'V2',
          executionMode: 'PARALLEL',
          roleArn: 'arn:aws:iam::123456789012:role/pipeline',
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [sourceAction] },
            { name: 'Wide', actions },
          ],
        },
      }),
    );
    // A second run, started through the other replica.
    const started = await secondClient.send(new StartPipelineExecutionCommand({ name: 'wide' }));
    let status: string | undefined;
    await eventually(async () => {
      status = await executionStatus(first.client, 'wide', started.pipelineExecutionId ?? '');
      expect(status).not.toBe('InProgress');
    }, 60_000);
    expect(status).toBe('Succeeded');
    const all = await first.client.send(new ListActionExecutionsCommand({ pipelineName: 'wide' }));
    const details = all.actionExecutionDetails ?? [];
    const ofSecondRun = details.filter(
      (d) => d.pipelineExecutionId === started.pipelineExecutionId,
    );
    expect(ofSecondRun.filter((d) => d.actionName?.startsWith('Step'))).toHaveLength(WIDTH);

    // Each action execution's log was written by exactly one replica.
    const logs = async (t: TestServer) => {
      const dir = path.join(t.dataDir, 'logs', 'wide', started.pipelineExecutionId ?? '');
      return readdir(dir).catch(() => [] as string[]);
    };
    const written = [...(await logs(first)), ...(await logs(second))];
    const stepIds = ofSecondRun
      .filter((d) => d.actionName?.startsWith('Step'))
      .map((d) => `${d.actionExecutionId}.log`);
    for (const id of stepIds) expect(written.filter((f) => f === id)).toHaveLength(1);
    expect(first.loggedErrors).toEqual([]);
    expect(second.loggedErrors).toEqual([]);
  });
});
