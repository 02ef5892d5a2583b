/**
 * Artifacts at rest and between stages: the source artifact is stored encrypted (no line of the
 * repository's files anywhere in the data directory), and one byte flipped in the stored object
 * while the run waits for an approval fails the next action that reads it with an integrity
 * error, which the run's action event and the audit trail both carry. Artifacts are objects of
 * the pipeline's artifact bucket, so the stored object is the one file of that bucket in
 * DIR/objects once the source has run.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreatePipelineCommand, PutApprovalResultCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/store/open-state-store.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  actionExecution,
  actionLog,
  approvalAction,
  approvalToken,
  commandsAction,
  createConnection,
  createGitRepo,
  firstRun,
  gitSource,
  v2Pipeline,
  waitForAction,
  waitForStatus,
} from './executions/support.js';

const SECRET_LINE = 'internal-build-marker-5f1c9e2a: do not ship';

let t: TestServer;
let stopped = false;
let repoRoot: string;
let executionId: string;
let connectionArn: string;

beforeAll(async () => {
  t = await startTestServer();
  repoRoot = await mkdtemp(path.join(tmpdir(), 'lockstep-integrity-'));
  const repo = await createGitRepo(repoRoot);
  await repo.commit({ 'notes.txt': `${SECRET_LINE}\n` }, 'first');
  connectionArn = await createConnection({ url: t.server.url, dataDir: t.dataDir }, repo.endpoint);
  const pipeline = v2Pipeline('tamper', [
    ['Source', [gitSource(connectionArn, repo.repositoryId)]],
    ['Gate', [approvalAction('Hold')]],
    ['Build', [commandsAction('Read', ['cat notes.txt'])]],
  ]);
  await t.client.send(new CreatePipelineCommand({ pipeline }));
  executionId = await firstRun(t.client, 'tamper');
}, 60_000);

afterAll(async () => {
  if (!stopped) await t.stop();
});

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('artifacts between stages', () => {
  it('keeps no byte of the source in clear on disk, database included', async () => {
    const token = await approvalToken(t.client, 'tamper', executionId, 'Gate', 'Hold');
    expect(token).not.toBe('');
    for (const file of await filesUnder(t.dataDir)) {
      expect((await readFile(file)).includes(Buffer.from(SECRET_LINE)), file).toBe(false);
    }
    // A zip names its files in clear, compressed or not: no object of the bucket does.
    const objects = await filesUnder(path.join(t.dataDir, 'objects'));
    expect(objects).toContain(await firstObject());
    for (const object of objects) {
      const bytes = await readFile(object);
      expect(bytes.subarray(0, 4).toString(), object).toBe('LSA1');
      expect(bytes.includes('notes.txt'), object).toBe(false);
    }
    // The same scan finds the line where it is in clear: the test's own repository.
    const inRepo = await Promise.all(
      (await filesUnder(repoRoot)).map(async (f) => (await readFile(f)).includes(SECRET_LINE)),
    );
    expect(inRepo).toContain(true);
  });

  it('keeps no line of the source in clear once an action has printed it to its log', async () => {
    const pipeline = {
      ...v2Pipeline('printed', [
        ['Source', [gitSource(connectionArn, 'acme/app')]],
        ['Build', [commandsAction('Print', ['cat notes.txt'])]],
      ]),
      // A bucket of its own: the tests below count the objects of the other one.
      artifactStore: { type: 'S3' as const, location: 'lockstep-printed-artifacts' },
    };
    await t.client.send(new CreatePipelineCommand({ pipeline }));
    const printedRun = await firstRun(t.client, 'printed');
    await waitForStatus(t.client, 'printed', printedRun, 'Succeeded');
    const print = await actionExecution(t.client, 'printed', printedRun, 'Print');
    // The log holds the line, as `lockstep logs` and GetLogEvents show it ...
    expect(await actionLog(t.dataDir, 'printed', printedRun, print?.actionExecutionId)).toContain(
      SECRET_LINE,
    );
    // ... and no file of the data directory holds it in clear: logs are sealed at rest.
    for (const file of await filesUnder(t.dataDir)) {
      expect((await readFile(file)).includes(Buffer.from(SECRET_LINE)), file).toBe(false);
    }
  });

  it('fails the next action with an integrity error when one stored byte changes', async () => {
    const object = await firstObject();
    const bytes = await readFile(object);
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0x01;
    await writeFile(object, bytes);

    const token = await approvalToken(t.client, 'tamper', executionId, 'Gate', 'Hold');
    await t.client.send(
      new PutApprovalResultCommand({
        pipelineName: 'tamper',
        stageName: 'Gate',
        actionName: 'Hold',
        token,
        result: { status: 'Approved', summary: 'go' },
      }),
    );
    const read = await waitForAction(t.client, 'tamper', executionId, 'Read', 'Failed');
    const message = read.output?.executionResult?.errorDetails?.message ?? '';
    expect(message).toContain('failed its integrity check');
    expect(message).toContain(`tamper/${executionId}/SourceOut`);
    await waitForStatus(t.client, 'tamper', executionId, 'Failed');
  });

  it('records the failure, with its reason, in the audit trail', async () => {
    await t.stop();
    stopped = true;
    const store = await openStateStore({ dataDir: t.dataDir });
    try {
      const records = await store.listAudit(0, 1_000);
      const failed = records
        .filter((r) => r.eventName === 'CodePipeline Action Execution State Change')
        .map((r) => JSON.parse(r.requestParametersJson ?? '{}') as Record<string, unknown>)
        .find((d) => d.action === 'Read' && d.state === 'FAILED');
      expect(failed).toMatchObject({
        pipeline: 'tamper',
        'execution-id': executionId,
        'execution-result': {
          'error-message': expect.stringContaining('failed its integrity check') as string,
        },
      });
    } finally {
      await store.close();
    }
  });
});

/** The stored SourceOut object of the run: the only object of the artifact bucket so far. */
async function firstObject(): Promise<string> {
  const bucket = path.join(t.dataDir, 'objects', 'lockstep-test-artifacts');
  const files = await filesUnder(bucket);
  expect(files).toHaveLength(1);
  return files[0] ?? '';
}
