import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestKeyService } from '../../test/support/key-service.js';
import { LockstepError } from '../errors/lockstep-error.js';
import {
  ArtifactExistsError,
  ArtifactIntegrityError,
  InvalidArtifactKeyError,
} from './artifact-errors.js';
import type { ArtifactKey } from './artifact-store.js';
import { FsArtifactStore } from './fs-artifact-store.js';
import { zipDirectory } from './zip-directory.js';

const executionId = '6a1f0c52-9d3e-4b8a-b7c1-2e4d5f6a7b8c';
const key: ArtifactKey = { pipelineName: 'web-app', executionId, artifactName: 'BuildOutput' };

async function setUp() {
  const base = await mkdtemp(path.join(tmpdir(), 'lockstep-artifacts-'));
  const workspace = path.join(base, 'workspace');
  const files: Record<string, [string, number]> = {
    'README.md': ['# app', 0o644],
    '.env.example': ['PORT=80', 0o644],
    '.config/settings.json': ['{}', 0o644],
    'dist/app.js': ['console.log(1)', 0o644],
    'dist/lib/deep/util.js': ['export {}', 0o644],
    'bin/start': ['#!/bin/sh\nnode dist/app.js\n', 0o755],
  };
  for (const [name, [content, mode]] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(workspace, name)), { recursive: true });
    await writeFile(path.join(workspace, name), content);
    await chmod(path.join(workspace, name), mode);
  }
  const rootDir = path.join(base, 'data', 'artifacts');
  return { base, workspace, files, rootDir, store: new FsArtifactStore(rootDir, keys.kms) };
}

let keys: Awaited<ReturnType<typeof openTestKeyService>>;
beforeAll(async () => {
  keys = await openTestKeyService(await mkdtemp(path.join(tmpdir(), 'lockstep-artifact-kms-')));
});
afterAll(() => keys.close());

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('FsArtifactStore', () => {
  it('round-trips a tree with nested directories, dot files and an executable', async () => {
    const { base, workspace, files, rootDir, store } = await setUp();
    const stored = await store.putDirectory(key, workspace);
    expect(stored.location).toBe(`fs:web-app/${executionId}/BuildOutput.zip`);

    const object = path.join(rootDir, 'web-app', executionId, 'BuildOutput.zip');
    const zip = await store.readZip(stored);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(stored.sha256).toBe(sha256(zip));
    expect(stored.sizeBytes).toBe(zip.length);
    // On disk: the sealed envelope, with no byte of the zip in clear.
    const onDisk = await readFile(object);
    expect(onDisk.subarray(0, 4).toString()).toBe('LSA1');
    expect(onDisk.includes(zip.subarray(0, 64))).toBe(false);
    expect(onDisk.includes(Buffer.from('node dist/app.js'))).toBe(false);
    expect(await modeOf(object)).toBe(0o600);
    for (const dir of [rootDir, path.dirname(object), path.dirname(path.dirname(object))]) {
      expect(await modeOf(dir)).toBe(0o700);
    }

    const dest = path.join(base, 'next-stage', 'src');
    await store.extractTo(stored, dest);
    for (const [name, [content, mode]] of Object.entries(files)) {
      expect(await readFile(path.join(dest, name), 'utf8')).toBe(content);
      expect(await modeOf(path.join(dest, name))).toBe(mode);
    }
  });

  it('stores the selected files under their base directory', async () => {
    const { base, workspace, store } = await setUp();
    const options = { baseDirectory: 'dist', files: ['**/*.js'], discardPaths: true };
    const stored = await store.putDirectory(key, workspace, options);
    await store.extractTo(stored, path.join(base, 'out'));
    expect((await readdir(path.join(base, 'out'))).sort()).toEqual(['app.js', 'util.js']);
  });

  it('stores a ready-made zip as is', async () => {
    const { workspace, store } = await setUp();
    const zip = await zipDirectory(workspace);
    const stored = await store.putZip(key, zip);
    expect(await store.readZip(stored)).toEqual(zip);
    expect(stored.sha256).toBe(sha256(zip));
  });

  it('never writes a key twice, even when writers race', async () => {
    const { workspace, rootDir, store } = await setUp();
    const first = await store.putDirectory(key, workspace);
    await expect(store.putDirectory(key, workspace)).rejects.toThrow(ArtifactExistsError);
    await expect(store.putZip(key, Buffer.from('other'))).rejects.toThrow(ArtifactExistsError);
    expect(sha256(await store.readZip(first))).toBe(first.sha256);

    const raceKey = { ...key, artifactName: 'Raced' };
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) => store.putZip(raceKey, Buffer.from(`zip ${n}`))),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect(result.reason).toBeInstanceOf(ArtifactExistsError);
    }
    const winner = won[0]!.value;
    expect((await store.readZip(winner)).toString()).toMatch(/^zip \d$/);
    // No temporary file survives a write, won or lost.
    expect((await readdir(path.join(rootDir, 'web-app', executionId))).sort()).toEqual([
      'BuildOutput.zip',
      'Raced.zip',
    ]);
  });

  it('detects a changed byte on read and extracts nothing', async () => {
    const { base, workspace, rootDir, store } = await setUp();
    const stored = await store.putDirectory(key, workspace);
    const object = path.join(rootDir, 'web-app', executionId, 'BuildOutput.zip');
    const bytes = await readFile(object);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    await writeFile(object, bytes);

    const read = store.readZip(stored);
    await expect(read).rejects.toThrow(ArtifactIntegrityError);
    await expect(read).rejects.toMatchObject({
      code: 'ArtifactIntegrityError',
      message: expect.stringContaining(`${stored.location} failed its integrity check`) as string,
      expectedSha256: stored.sha256,
    });
    await expect(read).rejects.toThrow(/its ciphertext failed authentication/);
    await expect(read).rejects.toBeInstanceOf(LockstepError);
    const dest = path.join(base, 'dest');
    await expect(store.extractTo(stored, dest)).rejects.toThrow(ArtifactIntegrityError);
    await expect(stat(dest)).rejects.toThrow(/ENOENT/);
  });

  it('treats a vanished object or a forged digest as an integrity failure', async () => {
    const { workspace, store } = await setUp();
    const stored = await store.putDirectory(key, workspace);
    const forged = { ...stored, sha256: sha256(Buffer.from('something else')) };
    await expect(store.readZip(forged)).rejects.toThrow(ArtifactIntegrityError);
    const missing = { ...stored, location: stored.location.replace('BuildOutput', 'Gone') };
    await expect(store.readZip(missing)).rejects.toThrow(/the object is missing/);
  });

  it('refuses keys and locations that would leave the store', async () => {
    const { base, workspace, store } = await setUp();
    for (const bad of [
      { ...key, pipelineName: '../../escape' },
      { ...key, pipelineName: '..' },
      { ...key, executionId: `../${executionId}` },
      { ...key, artifactName: '../../../escape' },
    ]) {
      await expect(store.putDirectory(bad, workspace)).rejects.toThrow(InvalidArtifactKeyError);
      await expect(store.putZip(bad, Buffer.from('x'))).rejects.toThrow(InvalidArtifactKeyError);
    }
    const stored = await store.putDirectory(key, workspace);
    const forged = { ...stored, location: 'fs:../../workspace/README.md' };
    await expect(store.readZip(forged)).rejects.toThrow(InvalidArtifactKeyError);
    expect((await readdir(base)).sort()).toEqual(['data', 'workspace']);
  });

  it('refuses an object moved to another key: the encryption context names its place', async () => {
    const { workspace, rootDir, store } = await setUp();
    const stored = await store.putDirectory(key, workspace);
    const other = await store.putZip({ ...key, artifactName: 'Other' }, Buffer.from('other'));
    const dir = path.join(rootDir, 'web-app', executionId);
    await writeFile(path.join(dir, 'Other.zip'), await readFile(path.join(dir, 'BuildOutput.zip')));
    await expect(store.readZip(other)).rejects.toThrow(/data key could not be decrypted/);
    expect(sha256(await store.readZip(stored))).toBe(stored.sha256);
  });

  it("seals under the pipeline's own key when given, and cannot read once it is disabled", async () => {
    const { workspace, rootDir, store } = await setUp();
    const admin = { principalArn: 'arn:aws:iam::123456789012:user/lockstep-admin' };
    const { KeyMetadata } = await keys.kms.keys.create({}, admin);
    const keyId = KeyMetadata.KeyId;
    const own = { ...key, artifactName: 'OwnKey', encryptionKeyId: keyId };
    const stored = await store.putDirectory(own, workspace);
    const onDisk = await readFile(path.join(rootDir, 'web-app', executionId, 'OwnKey.zip'));
    // The wrapped data key names its KMS key (the blob carries the key id).
    expect(onDisk.includes(Buffer.from(keyId.replace(/-/g, ''), 'hex'))).toBe(true);
    expect(sha256(await store.readZip(stored))).toBe(stored.sha256);
    await keys.kms.keys.disable(keyId);
    await expect(store.readZip(stored)).rejects.toThrow(/DisabledException|is disabled/);
    await keys.kms.keys.enable(keyId);
    expect(sha256(await store.readZip(stored))).toBe(stored.sha256);
  });

  it('refuses to write under a key that does not exist', async () => {
    const { workspace, store } = await setUp();
    const missing = { ...key, encryptionKeyId: 'alias/never-created' };
    await expect(store.putDirectory(missing, workspace)).rejects.toThrow(/alias\/never-created/);
  });
});
