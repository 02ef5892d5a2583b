import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyService } from '../kms/key-service.js';
import { RootKey } from '../kms/root-key.js';
import { buildObjectStore, type ObjectStoreServices } from '../objects/object-store.js';
import { FileEnvelopeStorage } from '../objects/file-envelope-storage.js';
import { openStateStore } from '../store/open-state-store.js';
import type { StateStore } from '../store/state-store.js';
import {
  ArtifactExistsError,
  ArtifactIntegrityError,
  ArtifactNotUploadedError,
} from './artifact-errors.js';
import type { ArtifactKey } from './artifact-store.js';
import { FsArtifactStore } from './fs-artifact-store.js';
import { ObjectArtifactStore } from './object-artifact-store.js';

const executionId = '6a1f0c52-9d3e-4b8a-b7c1-2e4d5f6a7b8c';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let dataDir: string;
let store: StateStore;
let kms: KeyService;
let objects: ObjectStoreServices;
let artifacts: ObjectArtifactStore;
let legacy: FsArtifactStore;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-object-artifacts-'));
  store = await openStateStore({ dataDir });
  const rootKey = await RootKey.loadOrCreate(path.join(dataDir, 'keys', 'root.key'), true);
  kms = new KeyService(store.kms, rootKey, { accountId: '123456789012', region: 'us-east-1' });
  objects = buildObjectStore(
    store.objects,
    new FileEnvelopeStorage(path.join(dataDir, 'objects')),
    kms,
  );
  legacy = new FsArtifactStore(path.join(dataDir, 'artifacts'), kms);
  artifacts = new ObjectArtifactStore(objects.buckets, objects.objects, { legacy });
});
afterAll(() => store.close());

/** A key of its own per test, in the bucket `bucketName`. */
function keyFor(artifactName: string, bucketName = 'pipeline-artifacts'): ArtifactKey {
  return { pipelineName: 'web-app', executionId, artifactName, bucketName };
}

async function workspaceWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-object-artifacts-ws-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

describe('ObjectArtifactStore', () => {
  it('creates artifact buckets with object lock and a GOVERNANCE retention of 30 days', async () => {
    const stored = await artifacts.putZip(keyFor('Locked', 'locked-artifacts'), Buffer.from('PK'));
    expect(await objects.buckets.getObjectLock('locked-artifacts')).toEqual({
      enabled: true,
      defaultRetention: { mode: 'GOVERNANCE', days: 30 },
    });
    const objectKey = `web-app/${executionId}/Locked`;
    const version = await objects.objects.head('locked-artifacts', objectKey);
    expect(version.retentionMode).toBe('GOVERNANCE');
    expect(version.retainUntilMs! - version.createdMs).toBeGreaterThan(30 * 86_400_000 - 1_000);
    expect(version.retainUntilMs! - version.createdMs).toBeLessThanOrEqual(30 * 86_400_000);
    // The version the run pinned cannot be deleted, except by a caller allowed to bypass.
    await expect(
      objects.objects.delete('locked-artifacts', objectKey, version.versionId, false),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(await artifacts.readZip(stored)).toEqual(Buffer.from('PK'));
    await objects.objects.delete('locked-artifacts', objectKey, version.versionId, true);
    // Once it is gone, a read fails with an integrity error rather than finding anything else.
    await expect(artifacts.readZip(stored)).rejects.toThrow(/the object is missing/);
  });

  it('reads a large artifact in one pass, and fails it at the end when a byte changed', async () => {
    const large = randomBytes(9 * 1024 * 1024);
    const stored = await artifacts.putZip(keyFor('Large'), large);
    expect((await artifacts.readZip(stored)).equals(large)).toBe(true);

    const version = await objects.objects.head(
      'pipeline-artifacts',
      `web-app/${executionId}/Large`,
    );
    const file = path.join(dataDir, 'objects', 'pipeline-artifacts', version.storageId!);
    const sealed = await readFile(file);
    sealed[sealed.length >> 1] = sealed[sealed.length >> 1]! ^ 0x01;
    await writeFile(file, sealed);
    await expect(artifacts.readZip(stored)).rejects.toThrow(
      new RegExp(`failed its integrity check.*expected SHA-256 ${sha256(large)}, found`),
    );
  });

  it('keeps object lock but sets no retention when the operator turned it off', async () => {
    const unretained = new ObjectArtifactStore(objects.buckets, objects.objects, {
      retention: null,
    });
    await unretained.putZip(keyFor('Free', 'unretained-artifacts'), Buffer.from('PK'));
    expect(await objects.buckets.getObjectLock('unretained-artifacts')).toEqual({
      enabled: true,
      defaultRetention: null,
    });
    const objectKey = `web-app/${executionId}/Free`;
    const version = await objects.objects.head('unretained-artifacts', objectKey);
    expect(version.retentionMode).toBeNull();
    await objects.objects.delete('unretained-artifacts', objectKey, version.versionId, false);
  });

  it('leaves a bucket the user made as they made it', async () => {
    await objects.buckets.create('user-artifacts', { objectLockEnabled: false });
    await objects.buckets.putVersioning('user-artifacts', 'Enabled');
    await artifacts.putZip(keyFor('Theirs', 'user-artifacts'), Buffer.from('PK'));
    await expect(objects.buckets.getObjectLock('user-artifacts')).rejects.toMatchObject({
      code: 'ObjectLockConfigurationNotFoundError',
    });
  });

  it('stores an artifact as a versioned object under the key the job data names', async () => {
    const stored = await artifacts.putDirectory(
      keyFor('BuildOutput'),
      await workspaceWith({ 'dist/app.js': 'console.log(1)' }),
    );
    const objectKey = `web-app/${executionId}/BuildOutput`;
    const head = await objects.objects.head('pipeline-artifacts', objectKey);
    expect(stored.location).toBe(
      `s3://pipeline-artifacts/${objectKey}?versionId=${head.versionId}`,
    );
    expect((await objects.buckets.get('pipeline-artifacts')).versioning).toBe('Enabled');
    expect(head.kmsKeyArn).toBe(await kms.managedKeyArn('alias/aws/s3'));
    const zip = await artifacts.readZip(stored);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(stored.sha256).toBe(sha256(zip));
    const out = await mkdtemp(path.join(tmpdir(), 'lockstep-object-artifacts-out-'));
    await artifacts.extractTo(stored, out);
    expect(await readFile(path.join(out, 'dist/app.js'), 'utf8')).toBe('console.log(1)');
  });

  it("seals under the pipeline's own key when it names one", async () => {
    const created = await kms.keys.create({}, { principalArn: 'arn:aws:iam::123456789012:root' });
    const key = { ...keyFor('Sealed'), encryptionKeyId: created.KeyMetadata.KeyId };
    await artifacts.putZip(key, Buffer.from('PK-own-key'));
    const head = await objects.objects.head('pipeline-artifacts', `web-app/${executionId}/Sealed`);
    expect(head.kmsKeyArn).toBe(created.KeyMetadata.Arn);
  });

  it('refuses to write a key twice: artifacts are immutable', async () => {
    await artifacts.putZip(keyFor('Once'), Buffer.from('first'));
    await expect(artifacts.putZip(keyFor('Once'), Buffer.from('second'))).rejects.toThrow(
      ArtifactExistsError,
    );
  });

  it('reads the version it wrote, and fails on a digest other than the recorded one', async () => {
    const stored = await artifacts.putZip(keyFor('Pinned'), Buffer.from('the real bytes'));
    // Someone with PutObject on the bucket writes the key again: a new version, not a swap.
    await objects.objects.put({
      bucket: 'pipeline-artifacts',
      key: `web-app/${executionId}/Pinned`,
      body: Readable.from([Buffer.from('swapped bytes')]),
      metadata: {},
      encryption: { mode: 'aws:kms' },
      maxBytes: 1024,
    });
    expect((await artifacts.readZip(stored)).toString()).toBe('the real bytes');
    const forged = { ...stored, sha256: sha256(Buffer.from('something else')) };
    await expect(artifacts.readZip(forged)).rejects.toThrow(ArtifactIntegrityError);
    await expect(artifacts.readZip(forged)).rejects.toThrow(/failed its integrity check/);
  });

  it('fails an artifact whose object was rewritten in place, in a bucket without versioning', async () => {
    await objects.buckets.create('unversioned-artifacts', { objectLockEnabled: false });
    const stored = await artifacts.putZip(
      keyFor('InPlace', 'unversioned-artifacts'),
      Buffer.from('the real bytes'),
    );
    expect(stored.location).toContain('?versionId=null');
    expect(stored.sha256).toBe(sha256(Buffer.from('the real bytes')));
    // PutObject replaces the null version, row and digest with it: the pinned location now
    // names bytes the object store vouches for, and only the engine's digest tells them apart.
    await objects.objects.put({
      bucket: 'unversioned-artifacts',
      key: `web-app/${executionId}/InPlace`,
      body: Readable.from([Buffer.from('swapped bytes')]),
      metadata: {},
      encryption: { mode: 'aws:kms' },
      maxBytes: 1024,
    });
    await expect(artifacts.readZip(stored)).rejects.toThrow(ArtifactIntegrityError);
    await expect(artifacts.readZip(stored)).rejects.toThrow(
      `expected SHA-256 ${stored.sha256}, found ${sha256(Buffer.from('swapped bytes'))}`,
    );
  });

  it("records a worker's upload with the SHA-256 of the bytes read back", async () => {
    const objectKey = `web-app/${executionId}/Uploaded`;
    await expect(artifacts.recordUpload(keyFor('Uploaded'))).rejects.toThrow(
      ArtifactNotUploadedError,
    );
    await expect(artifacts.recordUpload(keyFor('Uploaded'))).rejects.toThrow(
      `s3://pipeline-artifacts/${objectKey} was not uploaded`,
    );
    const put = await objects.objects.put({
      bucket: 'pipeline-artifacts',
      key: objectKey,
      body: Readable.from([Buffer.from('from the worker')]),
      metadata: {},
      encryption: { mode: 'aws:kms' },
      maxBytes: 1024,
    });
    const recorded = await artifacts.recordUpload(keyFor('Uploaded'));
    expect(recorded).toEqual({
      location: `s3://pipeline-artifacts/${objectKey}?versionId=${put.versionId}`,
      sha256: sha256(Buffer.from('from the worker')),
      sizeBytes: 15,
    });
    expect((await artifacts.readZip(recorded)).toString()).toBe('from the worker');
  });

  it('refuses an artifact store location that cannot name a bucket, saying which', async () => {
    await expect(
      artifacts.putZip(keyFor('Any', 'codepipeline-us-east-1-11EXAMPLE11'), Buffer.from('x')),
    ).rejects.toThrow(
      "The pipeline's artifactStore location 'codepipeline-us-east-1-11EXAMPLE11' cannot name",
    );
  });

  it('still reads artifacts the filesystem store wrote before the upgrade', async () => {
    const old = await legacy.putZip(keyFor('Old'), Buffer.from('older bytes'));
    expect(old.location.startsWith('fs:')).toBe(true);
    expect((await artifacts.readZip(old)).toString()).toBe('older bytes');
  });
});
