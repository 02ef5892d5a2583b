/**
 * Objects: PutObject, GetObject, HeadObject, DeleteObject and the object lock calls on one
 * version, with S3's versioning rules. An Enabled bucket gives every write a new version and
 * every plain delete a delete marker; an unversioned or Suspended bucket keeps one 'null'
 * version per key, which a write replaces. Every version's bytes are encrypted under a KMS key
 * (the caller's, or the managed `aws/s3` key) and checked against their SHA-256 on every read.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { KeyCipher } from '../kms/key-cipher.js';
import {
  BucketMissingError,
  type BucketRecord,
  type ObjectLockState,
  type ObjectMetadataStore,
  type ObjectVersionRecord,
} from '../store/object-metadata-store.js';
import type { BucketService } from './bucket-service.js';
import {
  objectEncryptionContext,
  type ByteRange,
  type ObjectBytes,
  type StoredBytes,
} from './object-bytes.js';
import {
  BadDigest,
  InvalidRange,
  InvalidRequest,
  KeyTooLongError,
  MethodNotAllowed,
  NoSuchBucket,
  NoSuchKey,
  NoSuchObjectLockConfiguration,
  NoSuchVersion,
} from './object-errors.js';
import { changeRetention, checkDeletable, initialLock, type Retention } from './object-lock.js';

const MAX_KEY_BYTES = 1024;
/** The version id of the one version an unversioned or Suspended bucket keeps per key. */
export const NULL_VERSION_ID = 'null';

/** How a version is encrypted: S3's two server-side modes, both backed by a KMS key here. */
export interface ObjectEncryption {
  mode: 'aws:kms' | 'AES256';
  /** For aws:kms: a key id, ARN or alias; absent, the managed `alias/aws/s3` key. */
  keyId?: string;
}

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Readable;
  /** Content-Type and the other stored headers, and x-amz-meta-* (lower-case names). */
  metadata: Record<string, string>;
  encryption: ObjectEncryption;
  /** The MD5 the caller sent (Content-MD5), checked against the bytes received. */
  contentMd5?: Buffer;
  retention?: Retention;
  legalHold?: boolean;
  maxBytes: number;
  /** The ETag to record instead of the MD5: a completed multipart upload's `<md5>-<parts>`. */
  etag?: string;
  /** Absent when the service itself writes. */
  authorizeKeyUse?: AuthorizeKeyUse;
}

/**
 * Authorizes the caller's use of a customer managed key, as S3 uses it on the caller's behalf
 * (kms:GenerateDataKey to write, kms:Decrypt to read); the managed `aws/s3` key needs none.
 */
export type AuthorizeKeyUse = (
  action: 'kms:Decrypt' | 'kms:GenerateDataKey',
  keyArn: string,
) => Promise<void>;

/** A Range header's numbers: `bytes=first-last`, `bytes=first-` or `bytes=-suffix`. */
export interface RangeRequest {
  first?: number;
  last?: number;
}

export class ObjectService {
  constructor(
    private readonly store: ObjectMetadataStore,
    private readonly buckets: BucketService,
    private readonly bytes: ObjectBytes,
    private readonly keys: KeyCipher,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a new version (or replaces the null version) and returns its row. */
  async put(input: PutObjectInput): Promise<ObjectVersionRecord> {
    const bucket = await this.buckets.get(input.bucket);
    if (Buffer.byteLength(input.key, 'utf8') > MAX_KEY_BYTES) {
      throw new KeyTooLongError({ key: input.key });
    }
    const wantsLock = input.retention !== undefined || input.legalHold !== undefined;
    if (wantsLock && !bucket.objectLockEnabled) throw missingLockConfiguration(bucket.name);
    const lock = initialLock(bucket, input, this.now());
    const versionId = bucket.versioning === 'Enabled' ? newVersionId() : NULL_VERSION_ID;
    const keyId = await this.encryptionKey(input.encryption, input.authorizeKeyUse);
    const target = { bucket: bucket.name, key: input.key, versionId };
    const context = objectEncryptionContext(bucket.name, input.key, versionId);
    const written = await this.bytes.write(bucket.name, context, keyId, input.body, input.maxBytes);
    const discard = () => this.bytes.remove(bucket.name, written.storageId);
    if (input.contentMd5 && !input.contentMd5.equals(Buffer.from(written.md5, 'hex'))) {
      await discard();
      throw new BadDigest({ key: input.key });
    }
    return this.record(
      {
        ...target,
        ...lock,
        isDeleteMarker: false,
        sizeBytes: written.sizeBytes,
        etag: input.etag ?? written.md5,
        sha256: written.sha256,
        storageId: written.storageId,
        kmsKeyArn: written.keyArn,
        serverSideEncryption: input.encryption.mode,
        metadata: input.metadata,
        createdMs: this.now(),
      },
      discard,
    );
  }

  /** A version's row and its verified bytes (or `range` of them). */
  async get(
    bucket: string,
    key: string,
    versionId: string | undefined,
    range?: RangeRequest,
    authorizeKeyUse?: AuthorizeKeyUse,
  ): Promise<{ version: ObjectVersionRecord; body: Readable; range?: ByteRange }> {
    const version = await this.head(bucket, key, versionId);
    if (authorizeKeyUse && version.kmsKeyArn && !(await this.isManaged(version.kmsKeyArn))) {
      await authorizeKeyUse('kms:Decrypt', version.kmsKeyArn);
    }
    const resolved = range && resolveRange(range, version.sizeBytes);
    const body = await this.bytes.read(versionBytes(version), resolved);
    return { version, body, ...(resolved ? { range: resolved } : {}) };
  }

  /**
   * A version's row and its bytes, whole, for a caller inside the server (the artifact store):
   * the bytes hash to `version.sha256`, checked before they are returned (large ones in one
   * pass, checked at the end); ObjectIntegrityError on a mismatch.
   */
  async getWhole(
    bucket: string,
    key: string,
    versionId: string | undefined,
  ): Promise<{ version: ObjectVersionRecord; bytes: Buffer }> {
    const version = await this.head(bucket, key, versionId);
    return { version, bytes: await this.bytes.readWhole(versionBytes(version)) };
  }

  /** A version's row: the latest without a version id; never a delete marker. */
  async head(bucket: string, key: string, versionId?: string): Promise<ObjectVersionRecord> {
    const version = await this.find(bucket, key, versionId);
    if (version.isDeleteMarker) {
      if (versionId === undefined) throw new NoSuchKey(key, version.versionId);
      throw new MethodNotAllowed(key, version.versionId);
    }
    return version;
  }

  /**
   * Deletes: without a version id, a delete marker on a versioned bucket (or the null version
   * otherwise); with one, that version, unless object lock protects it. `bypassGovernance` is
   * true only for a caller allowed s3:BypassGovernanceRetention who asked for it.
   */
  async delete(
    bucketName: string,
    key: string,
    versionId: string | undefined,
    bypassGovernance: boolean,
  ): Promise<{ versionId?: string; deleteMarker: boolean }> {
    const bucket = await this.buckets.get(bucketName);
    if (versionId === undefined && bucket.versioning !== null) {
      const marker = await this.putDeleteMarker(bucket, key);
      return { versionId: marker.versionId, deleteMarker: true };
    }
    const target = versionId ?? NULL_VERSION_ID;
    const nowMs = this.now();
    const deleted = await this.store.deleteVersion(bucket.name, key, target, (version) =>
      checkDeletable(version, nowMs, bypassGovernance),
    );
    if (deleted?.storageId) await this.bytes.remove(bucket.name, deleted.storageId);
    return {
      ...(versionId === undefined ? {} : { versionId }),
      deleteMarker: deleted?.isDeleteMarker ?? false,
    };
  }

  /** Sets or (with null) removes a version's retention, under object lock's rules. */
  async putRetention(
    bucket: string,
    key: string,
    versionId: string | undefined,
    retention: Retention | null,
    bypassGovernance: boolean,
  ): Promise<ObjectVersionRecord> {
    return this.changeLock(bucket, key, versionId, (current) =>
      changeRetention(current, retention, this.now(), bypassGovernance),
    );
  }

  /** A version's retention; NoSuchObjectLockConfiguration if it never had one. */
  async getRetention(bucket: string, key: string, versionId?: string): Promise<Retention> {
    const version = await this.lockTarget(bucket, key, versionId);
    if (version.retentionMode === null || version.retainUntilMs === null) {
      throw new NoSuchObjectLockConfiguration({ key });
    }
    return { mode: version.retentionMode, retainUntilMs: version.retainUntilMs };
  }

  /** Turns a version's legal hold on or off (no retention rule limits that). */
  putLegalHold(
    bucket: string,
    key: string,
    versionId: string | undefined,
    on: boolean,
  ): Promise<ObjectVersionRecord> {
    return this.changeLock(bucket, key, versionId, (current) => ({ ...current, legalHold: on }));
  }

  /** Whether a version's legal hold is on. */
  async getLegalHold(bucket: string, key: string, versionId?: string): Promise<boolean> {
    return (await this.lockTarget(bucket, key, versionId)).legalHold;
  }

  /**
   * The ARN of the key new bytes are sealed under: the managed `aws/s3` key, or the one asked
   * for, resolved (and proved usable) before any byte is read, and authorized for the caller.
   */
  async encryptionKey(
    encryption: ObjectEncryption,
    authorizeKeyUse?: AuthorizeKeyUse,
  ): Promise<string> {
    if (encryption.keyId === undefined) return this.keys.managedKeyArn('alias/aws/s3');
    const probe = await this.keys.generateDataKey({
      keyId: encryption.keyId,
      encryptionContext: {},
    });
    probe.plaintextKey.fill(0);
    if (authorizeKeyUse && !(await this.isManaged(probe.keyArn))) {
      await authorizeKeyUse('kms:GenerateDataKey', probe.keyArn);
    }
    return probe.keyArn;
  }

  private async isManaged(keyArn: string): Promise<boolean> {
    return keyArn === (await this.keys.managedKeyArn('alias/aws/s3'));
  }

  private async putDeleteMarker(bucket: BucketRecord, key: string) {
    const versionId = bucket.versioning === 'Enabled' ? newVersionId() : NULL_VERSION_ID;
    return this.record({
      bucket: bucket.name,
      key,
      versionId,
      isDeleteMarker: true,
      sizeBytes: 0,
      etag: '',
      sha256: '',
      storageId: null,
      kmsKeyArn: null,
      serverSideEncryption: null,
      metadata: {},
      createdMs: this.now(),
      retentionMode: null,
      retainUntilMs: null,
      legalHold: false,
    });
  }

  /** Inserts a version row; the null version it replaces loses its bytes. */
  private async record(
    version: Parameters<ObjectMetadataStore['putVersion']>[0],
    discard?: () => Promise<void>,
  ): Promise<ObjectVersionRecord> {
    const replaces = version.versionId === NULL_VERSION_ID ? NULL_VERSION_ID : undefined;
    try {
      const { stored, replaced } = await this.store.putVersion(version, replaces);
      if (replaced?.storageId) await this.bytes.remove(version.bucket, replaced.storageId);
      return stored;
    } catch (error) {
      await discard?.();
      if (error instanceof BucketMissingError)
        throw new NoSuchBucket({ bucketName: version.bucket });
      throw error;
    }
  }

  private async find(bucket: string, key: string, versionId?: string) {
    // A version's row implies its bucket (a bucket is deleted only when empty), so the bucket
    // is read only to tell NoSuchBucket from NoSuchKey.
    const version = await this.store.getVersion(bucket, key, versionId);
    if (version) return version;
    await this.buckets.get(bucket);
    if (versionId === undefined) throw new NoSuchKey(key);
    throw new NoSuchVersion({ key, versionId });
  }

  private async lockTarget(bucket: string, key: string, versionId?: string) {
    const found = await this.buckets.get(bucket);
    if (!found.objectLockEnabled) throw missingLockConfiguration(bucket);
    return this.head(bucket, key, versionId);
  }

  private async changeLock(
    bucket: string,
    key: string,
    versionId: string | undefined,
    change: (current: ObjectLockState) => ObjectLockState,
  ): Promise<ObjectVersionRecord> {
    const target = await this.lockTarget(bucket, key, versionId);
    const updated = await this.store.updateLock(bucket, key, target.versionId, (current) =>
      change(current),
    );
    if (!updated) throw new NoSuchVersion({ key, versionId: target.versionId });
    return updated;
  }
}

/** Where a version's bytes are and what they must be. */
function versionBytes(version: ObjectVersionRecord): StoredBytes {
  return {
    bucket: version.bucket,
    key: version.key,
    label: `version ${version.versionId}`,
    context: objectEncryptionContext(version.bucket, version.key, version.versionId),
    storageId: version.storageId ?? '',
    sizeBytes: version.sizeBytes,
    sha256: version.sha256,
  };
}

/** S3's version ids are opaque 32-character URL-safe strings. */
function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

function missingLockConfiguration(bucket: string) {
  return new InvalidRequest({ bucketName: bucket }, 'Bucket is missing Object Lock Configuration');
}

/** The bytes a Range asks for, clamped to the object as HTTP says; InvalidRange if none. */
export function resolveRange(range: RangeRequest, size: number): ByteRange {
  if (range.first === undefined) {
    const suffix = Math.min(range.last ?? 0, size);
    if (suffix <= 0) throw new InvalidRange();
    return { start: size - suffix, end: size - 1 };
  }
  if (range.first >= size) throw new InvalidRange();
  return { start: range.first, end: Math.min(range.last ?? size - 1, size - 1) };
}
