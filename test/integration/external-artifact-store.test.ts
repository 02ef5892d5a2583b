/**
 * `--artifact-store s3://bucket/prefix?endpoint=URL`: a real `bin/lockstep serve` keeps its
 * artifacts in an external S3-compatible service instead of DIR/objects. The service here is a
 * second Lockstep server's S3 API on loopback, driven by the same SDK calls a MinIO or AWS S3
 * would get. What the service holds is sealed envelopes only; a byte changed there fails the
 * next action with an integrity error, as a changed file does; and a store that cannot be used
 * stops the server at start with a clear reason.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CodePipelineClient,
  CreatePipelineCommand,
  PutApprovalResultCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type GetObjectCommandInput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  serveUntilExit,
  startLockstep,
  type LockstepProcess,
} from '../support/lockstep-process.js';
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

const SECRET_LINE = 'internal-build-marker-0c7d3e91: do not ship';
const NOTES = `${SECRET_LINE}\n`;
const EXTERNAL_BUCKET = 'lockstep-external';
const PREFIX = 'replica-b/';

let external: TestServer;
let s3: S3Client;
let lockstep: LockstepProcess;
let client: CodePipelineClient;
let repoRoot: string;
let externalStopped = false;

beforeAll(async () => {
  external = await startTestServer({ pipelineRoles: [] });
  s3 = new S3Client({
    endpoint: external.server.url,
    region: 'us-east-1',
    credentials: external.credentials,
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: EXTERNAL_BUCKET }));
  lockstep = await startLockstep({
    extraArgs: ['--artifact-store', storeUrl(EXTERNAL_BUCKET)],
    env: storeCredentials(external.credentials),
  });
  client = new CodePipelineClient({
    endpoint: lockstep.url,
    region: 'us-east-1',
    credentials: lockstep.credentials,
    maxAttempts: 1,
  });
  repoRoot = await mkdtemp(path.join(tmpdir(), 'lockstep-external-store-'));
  const repo = await createGitRepo(repoRoot);
  await repo.commit({ 'notes.txt': NOTES }, 'first');
  const connectionArn = await createConnection(lockstep, repo.endpoint);
  const pipeline = v2Pipeline('external', [
    ['Source', [gitSource(connectionArn, repo.repositoryId)]],
    ['Gate', [approvalAction('Hold')]],
    ['Build', [commandsAction('Digest', ['sha256sum notes.txt'])]],
  ]);
  await client.send(new CreatePipelineCommand({ pipeline }));
}, 90_000);

afterAll(async () => {
  client?.destroy();
  s3?.destroy();
  await lockstep?.stop();
  if (!externalStopped) await external?.stop();
});

function storeUrl(bucket: string): string {
  return `s3://${bucket}/${PREFIX}?endpoint=${encodeURIComponent(external.server.url)}`;
}

function storeCredentials(credentials: { accessKeyId: string; secretAccessKey: string }) {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
}

/** The keys Lockstep stored in the external bucket, oldest first. */
async function storedKeys(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: EXTERNAL_BUCKET }));
  return (listed.Contents ?? [])
    .sort((a, b) => (a.LastModified?.getTime() ?? 0) - (b.LastModified?.getTime() ?? 0))
    .map((object) => object.Key ?? '');
}

async function storedBytes(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: EXTERNAL_BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function approve(executionId: string): Promise<void> {
  const token = await approvalToken(client, 'external', executionId, 'Gate', 'Hold');
  await client.send(
    new PutApprovalResultCommand({
      pipelineName: 'external',
      stageName: 'Gate',
      actionName: 'Hold',
      token,
      result: { status: 'Approved', summary: 'go' },
    }),
  );
}

describe('artifacts in an external S3-compatible bucket', () => {
  it('stores the source artifact there, sealed, and nothing under DIR/objects', async () => {
    const executionId = await firstRun(client, 'external');
    expect(await approvalToken(client, 'external', executionId, 'Gate', 'Hold')).not.toBe('');

    const keys = await storedKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^replica-b\/lockstep-test-artifacts\/[0-9a-f]{32}$/);
    const envelope = await storedBytes(keys[0]!);
    expect(envelope.subarray(0, 4).toString()).toBe('LSA1');
    expect(envelope.includes('notes.txt')).toBe(false);
    expect(await filesUnder(path.join(lockstep.dataDir, 'objects'))).toEqual([]);
    // Neither server's data directory, databases included, holds the line in clear.
    for (const dir of [lockstep.dataDir, external.dataDir]) {
      for (const file of await filesUnder(dir)) {
        expect((await readFile(file)).includes(SECRET_LINE), file).toBe(false);
      }
    }
  });

  it('hands the artifact on intact: the next stage reads the committed bytes', async () => {
    const executionId = await firstRun(client, 'external');
    await approve(executionId);
    await waitForStatus(client, 'external', executionId, 'Succeeded');
    const digest = await actionExecution(client, 'external', executionId, 'Digest');
    const log = await actionLog(
      lockstep.dataDir,
      'external',
      executionId,
      digest?.actionExecutionId,
    );
    expect(log).toContain(`${createHash('sha256').update(NOTES).digest('hex')}  notes.txt`);
  });

  it('fails the next action with an integrity error when the service changes one byte', async () => {
    const before = new Set(await storedKeys());
    const { pipelineExecutionId = '' } = await client.send(
      new StartPipelineExecutionCommand({ name: 'external' }),
    );
    await approvalToken(client, 'external', pipelineExecutionId, 'Gate', 'Hold');
    const [sourceKey] = (await storedKeys()).filter((key) => !before.has(key));
    expect(sourceKey).toBeDefined();
    const bytes = await storedBytes(sourceKey!);
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0x01;
    await s3.send(new PutObjectCommand({ Bucket: EXTERNAL_BUCKET, Key: sourceKey, Body: bytes }));

    await approve(pipelineExecutionId);
    const read = await waitForAction(client, 'external', pipelineExecutionId, 'Digest', 'Failed');
    const message = read.output?.executionResult?.errorDetails?.message ?? '';
    expect(message).toContain('failed its integrity check');
    expect(message).toContain(`external/${pipelineExecutionId}/SourceOut`);
  });
});

describe('objects larger than one upload part, through the external bucket', () => {
  const bucket = 'big-objects';
  const body = randomBytes(20 * 1024 * 1024 + 123);
  let viaLockstep: S3Client;

  beforeAll(async () => {
    viaLockstep = new S3Client({
      endpoint: lockstep.url,
      region: 'us-east-1',
      credentials: lockstep.credentials,
      forcePathStyle: true,
    });
    await viaLockstep.send(new CreateBucketCommand({ Bucket: bucket }));
    await viaLockstep.send(new PutObjectCommand({ Bucket: bucket, Key: 'big.bin', Body: body }));
  }, 60_000);

  afterAll(() => viaLockstep?.destroy());

  const get = async (input: Partial<GetObjectCommandInput> = {}) => {
    const object = await viaLockstep.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'big.bin', ...input }),
    );
    return { object, bytes: Buffer.from(await object.Body!.transformToByteArray()) };
  };

  it('stores one sealed envelope (uploaded in parts) and reads it back whole and by range', async () => {
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: EXTERNAL_BUCKET, Prefix: `${PREFIX}${bucket}/` }),
    );
    expect(listed.Contents).toHaveLength(1);
    expect(listed.Contents?.[0]?.Size).toBeGreaterThan(body.length);
    // S3's ETag of a multipart upload ends in -<parts>: the 20 MiB envelope went in 8 MiB parts.
    expect(listed.Contents?.[0]?.ETag).toMatch(/-3"$/);

    const whole = await get();
    expect(createHash('sha256').update(whole.bytes).digest('hex')).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
    const ranged = await get({ Range: 'bytes=12345678-12349999' });
    expect(ranged.object.ContentRange).toBe(`bytes 12345678-12349999/${body.length}`);
    expect(ranged.bytes.equals(body.subarray(12345678, 12350000))).toBe(true);
  });

  it('answers If-Match and If-None-Match on the ETag', async () => {
    const { object } = await get({ Range: 'bytes=0-0' });
    await expect(get({ IfMatch: '"0123456789abcdef0123456789abcdef"' })).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    expect((await get({ IfMatch: object.ETag, Range: 'bytes=0-9' })).bytes).toEqual(
      body.subarray(0, 10),
    );
    await expect(get({ IfNoneMatch: object.ETag })).rejects.toMatchObject({
      $metadata: { httpStatusCode: 304 },
    });
  });
});

describe('an artifact store that cannot be used', () => {
  /** `lockstep serve` on a fresh data directory, which must refuse to start. */
  const serveRefused = async (args: string[], env: NodeJS.ProcessEnv) =>
    serveUntilExit(await mkdtemp(path.join(tmpdir(), 'lockstep-refused-store-')), args, env);

  it('refuses to start when the bucket does not exist', async () => {
    const refused = await serveRefused(
      ['--artifact-store', storeUrl('no-such-bucket')],
      storeCredentials(external.credentials),
    );
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      `artifact store s3://no-such-bucket/${PREFIX} at ${external.server.url} cannot be used: ` +
        'the bucket does not exist',
    );
  });

  it('refuses to start when the service refuses its credentials', async () => {
    const refused = await serveRefused(['--artifact-store', storeUrl(EXTERNAL_BUCKET)], {
      ...storeCredentials(external.credentials),
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('cannot be used: access denied');
  });

  it('refuses credentials in the URL and plain http to another host', async () => {
    const inUrl = await serveRefused(
      ['--artifact-store', 's3://AKIAEXAMPLE:secret@bucket-name/?endpoint=http://127.0.0.1:9'],
      {},
    );
    expect(inUrl.status).toBe(2);
    expect(inUrl.stderr).toContain('--artifact-store must not hold credentials');
    const plain = await serveRefused(
      ['--artifact-store', 's3://bucket-name?endpoint=http://storage.example.com'],
      {},
    );
    expect(plain.status).toBe(2);
    expect(plain.stderr).toContain('refusing plain http to storage.example.com');
  });
});

describe('when the external service goes away while Lockstep runs', () => {
  it('fails the action that cannot store its artifact, naming the store and the cause', async () => {
    await external.stop();
    externalStopped = true;
    const { pipelineExecutionId = '' } = await client.send(
      new StartPipelineExecutionCommand({ name: 'external' }),
    );
    const checkout = await waitForAction(
      client,
      'external',
      pipelineExecutionId,
      'Checkout',
      'Failed',
    );
    const message = checkout.output?.executionResult?.errorDetails?.message ?? '';
    expect(message).toContain(`in s3://${EXTERNAL_BUCKET}/${PREFIX} at ${external.server.url}`);
    expect(message).toContain('connection refused');
  });
});
