/**
 * The object store under the S3 API, on SQLite (always) and PostgreSQL (with
 * LOCKSTEP_TEST_DATABASE_URL), with the real KMS key service and real files: the envelope
 * streamed and whole, objects too large for memory checked before their first byte is served,
 * range reads, versions swapped on disk, concurrent writers to one key, and listings that roll
 * more than a batch of keys up into one common prefix.
 */
import { mkdtemp, open, readdir, readFile, rename, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSealingStream,
  createOpeningStream,
  openEnvelope,
  openEnvelopeKey,
  sealEnvelope,
} from '../../src/artifacts/artifact-envelope.js';
import { KeyService } from '../../src/kms/key-service.js';
import { RootKey } from '../../src/kms/root-key.js';
import { ObjectIntegrityError } from '../../src/objects/object-errors.js';
import { buildObjectStore, type ObjectStoreServices } from '../../src/objects/object-store.js';
import { FileEnvelopeStorage } from '../../src/objects/file-envelope-storage.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import type { StateStore } from '../../src/store/state-store.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';

reportPostgresSkipped('object-store');

const MANAGED = { mode: 'aws:kms' as const };

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Bytes that differ at every position, so a misplaced range cannot match by accident. */
function pattern(bytes: number): Buffer {
  const data = Buffer.alloc(bytes + 4);
  for (let i = 0; i < bytes; i += 4) data.writeUInt32BE(i, i);
  return data.subarray(0, bytes);
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !TEST_DATABASE_URL)(
    `the object store on ${engine}`,
    () => {
      let dataDir: string;
      let store: StateStore;
      let kms: KeyService;
      let objects: ObjectStoreServices;
      let dropDatabase: (() => Promise<void>) | undefined;

      const put = (bucket: string, key: string, body: Buffer) =>
        objects.objects.put({
          bucket,
          key,
          body: Readable.from([body]),
          metadata: {},
          encryption: MANAGED,
          maxBytes: 64 * 1024 * 1024,
        });
      const filesOf = async (bucket: string) =>
        (await readdir(path.join(dataDir, 'objects', bucket))).map((name) =>
          path.join(dataDir, 'objects', bucket, name),
        );

      beforeAll(async () => {
        dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-objects-'));
        if (engine === 'sqlite') {
          store = await openStateStore({ dataDir });
        } else {
          const database = await createTestDatabase();
          store = await openStateStore({ dataDir, databaseUrl: database.url });
          dropDatabase = () => database.drop();
        }
        const rootKey = await RootKey.loadOrCreate(path.join(dataDir, 'keys', 'root.key'), true);
        kms = new KeyService(store.kms, rootKey, {
          accountId: '123456789012',
          region: 'us-east-1',
        });
        objects = buildObjectStore(
          store.objects,
          new FileEnvelopeStorage(path.join(dataDir, 'objects')),
          kms,
        );
      });
      afterAll(async () => {
        await store?.close();
        await dropDatabase?.();
        await rm(dataDir, { recursive: true, force: true });
      });

      it('the envelope is one format, sealed whole or streamed, and bound to its context', async () => {
        const keyArn = await kms.managedKeyArn('alias/aws/s3');
        const context = { 'aws:s3:arn': 'arn:aws:s3:::b/k' };
        const plaintext = pattern(100_003);
        const streamed = await createSealingStream(kms, keyArn, context);
        const sealed = await collect(Readable.from([plaintext]).pipe(streamed.stream));
        expect((await openEnvelope(kms, context, sealed)).equals(plaintext)).toBe(true);
        await expect(
          openEnvelope(kms, { 'aws:s3:arn': 'arn:aws:s3:::b/other' }, sealed),
        ).rejects.toThrow(/data key could not be decrypted/);
        const whole = await sealEnvelope(kms, keyArn, context, plaintext);
        const { dataKey, nonce, bodyStart } = await openEnvelopeKey(kms, context, whole.sealed);
        const opened = await collect(
          Readable.from([whole.sealed.subarray(bodyStart)]).pipe(
            createOpeningStream(dataKey, nonce),
          ),
        );
        expect(opened.equals(plaintext)).toBe(true);
      });

      it('serves a large object whole and by range, and refuses it whole when a byte is flipped', async () => {
        await objects.buckets.create('large-objects', { objectLockEnabled: false });
        const data = pattern(9 * 1024 * 1024 + 5); // past the in-memory limit: streamed twice
        await put('large-objects', 'big', data);
        expect(
          (
            await collect((await objects.objects.get('large-objects', 'big', undefined)).body)
          ).equals(data),
        ).toBe(true);
        for (const [first, last] of [
          [0, 0],
          [15, 16],
          [17, 4_000_000],
          [data.length - 3, undefined],
        ]) {
          const { body, range } = await objects.objects.get('large-objects', 'big', undefined, {
            first,
            ...(last === undefined ? {} : { last }),
          });
          const end = last ?? data.length - 1;
          expect(range).toEqual({ start: first, end });
          expect((await collect(body)).equals(data.subarray(first, end + 1))).toBe(true);
        }
        const [file] = await filesOf('large-objects');
        const handle = await open(file ?? '', 'r+');
        await handle.write(Buffer.of(0x5a), 0, 1, 8 * 1024 * 1024);
        await handle.close();
        // Refused before a single byte is handed out: the promise rejects, no stream is returned.
        await expect(objects.objects.get('large-objects', 'big', undefined)).rejects.toBeInstanceOf(
          ObjectIntegrityError,
        );
        await expect(
          objects.objects.get('large-objects', 'big', undefined, { first: 0, last: 9 }),
        ).rejects.toThrow(/s3:\/\/large-objects\/big \(version null\) failed its integrity check/);
      });

      it('reads a large version whole in one pass, failing at its end when a byte is flipped', async () => {
        await objects.buckets.create('one-pass', { objectLockEnabled: false });
        const data = pattern(9 * 1024 * 1024 + 7);
        await put('one-pass', 'big', data);
        const whole = await objects.objects.getWhole('one-pass', 'big', undefined);
        expect(whole.bytes.equals(data)).toBe(true);
        expect(whole.version.sizeBytes).toBe(data.length);
        const [file] = await filesOf('one-pass');
        const handle = await open(file ?? '', 'r+');
        await handle.write(Buffer.of(0x5a), 0, 1, 5 * 1024 * 1024);
        await handle.close();
        await expect(objects.objects.getWhole('one-pass', 'big', undefined)).rejects.toThrow(
          /s3:\/\/one-pass\/big \(version null\) failed its integrity check: expected SHA-256/,
        );
      });

      it('a multipart upload whose stored part was changed does not complete, and keeps nothing', async () => {
        await objects.buckets.create('multipart-tamper', { objectLockEnabled: false });
        const { uploadId } = await objects.multipartUploads.create({
          bucket: 'multipart-tamper',
          key: 'joined',
          metadata: {},
          encryption: MANAGED,
        });
        const target = { bucket: 'multipart-tamper', key: 'joined', uploadId };
        const first = await objects.multipartUploads.uploadPart(
          { ...target, partNumber: 1 },
          Readable.from([pattern(9 * 1024 * 1024)]),
        );
        const second = await objects.multipartUploads.uploadPart(
          { ...target, partNumber: 2 },
          Readable.from([pattern(1024)]),
        );
        const partFile = path.join(dataDir, 'objects', 'multipart-tamper', first.storageId);
        const handle = await open(partFile, 'r+');
        await handle.write(Buffer.of(0x5a), 0, 1, 4 * 1024 * 1024);
        await handle.close();
        await expect(
          objects.multipartUploads.complete(target, [
            { partNumber: 1, etag: first.etag },
            { partNumber: 2, etag: second.etag },
          ]),
        ).rejects.toThrow(/upload .* part 1\) failed its integrity check/);
        await expect(objects.objects.head('multipart-tamper', 'joined')).rejects.toMatchObject({
          code: 'NoSuchKey',
        });
        // Only the two parts' envelopes remain: the half-written version was removed.
        expect(await filesOf('multipart-tamper')).toHaveLength(2);
      });

      it('refuses versions swapped or truncated on disk', async () => {
        await objects.buckets.create('swapped', { objectLockEnabled: false });
        await objects.buckets.putVersioning('swapped', 'Enabled');
        const one = await put('swapped', 'k', Buffer.from('same size one'));
        const two = await put('swapped', 'k', Buffer.from('same size two'));
        const fileOf = (storageId: string | null) =>
          path.join(dataDir, 'objects', 'swapped', storageId ?? '');
        await rename(fileOf(one.storageId), `${fileOf(one.storageId)}.tmp`);
        await rename(fileOf(two.storageId), fileOf(one.storageId));
        await rename(`${fileOf(one.storageId)}.tmp`, fileOf(two.storageId));
        // Each file now sits where the other version's row points: its context no longer fits.
        await expect(objects.objects.get('swapped', 'k', one.versionId)).rejects.toThrow(
          /failed its integrity check: its data key could not be decrypted/,
        );
        await truncate(fileOf(one.storageId), 40);
        await expect(objects.objects.get('swapped', 'k', one.versionId)).rejects.toBeInstanceOf(
          ObjectIntegrityError,
        );
        await rm(fileOf(one.storageId));
        await expect(objects.objects.get('swapped', 'k', one.versionId)).rejects.toThrow(
          /its stored bytes are missing/,
        );
      });

      it('an unversioned bucket keeps one null version per key and removes the bytes it replaces', async () => {
        await objects.buckets.create('unversioned', { objectLockEnabled: false });
        await put('unversioned', 'k', Buffer.from('first'));
        const second = await put('unversioned', 'k', Buffer.from('second'));
        expect(second.versionId).toBe('null');
        expect(await filesOf('unversioned')).toHaveLength(1);
        expect(await readFile((await filesOf('unversioned'))[0] ?? '')).not.toContain('second');
        expect(await objects.objects.delete('unversioned', 'k', undefined, false)).toEqual({
          deleteMarker: false,
        });
        expect(await filesOf('unversioned')).toHaveLength(0);
        await objects.buckets.delete('unversioned');
      });

      it('numbers concurrent writes to one key: every version kept, exactly one latest', async () => {
        await objects.buckets.create('concurrent', { objectLockEnabled: false });
        await objects.buckets.putVersioning('concurrent', 'Enabled');
        const written = await Promise.all(
          Array.from({ length: 12 }, (_, n) => put('concurrent', 'k', Buffer.from(`writer ${n}`))),
        );
        const page = await objects.objectListing.listVersions('concurrent', {
          prefix: '',
          maxKeys: 100,
        });
        const versions = page.entries.flatMap((e) => ('version' in e ? [e.version] : []));
        expect(versions).toHaveLength(12);
        expect(new Set(versions.map((v) => v.seq)).size).toBe(12);
        expect(versions.filter((v) => v.isLatest)).toHaveLength(1);
        const newest = written.reduce((a, b) => (a.seq > b.seq ? a : b));
        expect(versions[0]?.versionId).toBe(newest.versionId);
        const latest = await objects.objects.get('concurrent', 'k', undefined);
        expect((await collect(latest.body)).toString()).toBe(
          (
            await collect((await objects.objects.get('concurrent', 'k', newest.versionId)).body)
          ).toString(),
        );
      });

      it('rolls more than a batch of keys up into one common prefix and pages past it', async () => {
        await objects.buckets.create('many-keys', { objectLockEnabled: false });
        const row = (key: string) => ({
          bucket: 'many-keys',
          key,
          versionId: 'null',
          isDeleteMarker: false,
          sizeBytes: 0,
          etag: '',
          sha256: '',
          storageId: null,
          kmsKeyArn: null,
          serverSideEncryption: null,
          metadata: {},
          createdMs: 1,
          retentionMode: null,
          retainUntilMs: null,
          legalHold: false,
        });
        // Rows only: listing reads no bytes, and 1,205 encrypted puts would test nothing more.
        for (let n = 0; n < 1_200; n++) {
          await store.objects.putVersion(row(`logs/${String(n).padStart(5, '0')}`));
        }
        for (const key of ['a', 'logs', 'logs0', 'm/1', 'z'])
          await store.objects.putVersion(row(key));
        const pages: string[][] = [];
        let token: string | undefined;
        do {
          const page = await objects.objectListing.listObjects('many-keys', {
            prefix: '',
            delimiter: '/',
            maxKeys: 2,
            ...(token === undefined ? {} : { continuationToken: token }),
          });
          pages.push([...page.contents.map((v) => v.key), ...page.commonPrefixes]);
          token = page.nextContinuationToken;
        } while (token !== undefined);
        // Byte order: 'logs' < 'logs/...' < 'logs0'; the 1,200 keys under logs/ are one entry.
        expect(pages).toEqual([
          ['a', 'logs'],
          ['logs0', 'logs/'],
          ['z', 'm/'],
        ]);
        const under = await objects.objectListing.listObjects('many-keys', {
          prefix: 'logs/',
          maxKeys: 1000,
        });
        expect(under.contents).toHaveLength(1000);
        expect(under.isTruncated).toBe(true);
        const rest = await objects.objectListing.listObjects('many-keys', {
          prefix: 'logs/',
          maxKeys: 1000,
          continuationToken: under.nextContinuationToken ?? '',
        });
        expect(rest.contents.map((v) => v.key)[0]).toBe('logs/01000');
        expect(rest.contents).toHaveLength(200);
        expect(rest.isTruncated).toBe(false);
      });
    },
  );
}
