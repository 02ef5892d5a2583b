/**
 * The object store's metadata as the state store keeps it: buckets and object versions. The
 * bytes are elsewhere (src/objects/object-bytes.ts); the rules (versioning, object lock) are in
 * src/objects/ and reach in here only as guards run inside the store's transactions, so that
 * a check and the write it allows cannot be split by another writer.
 */
import type { MultipartUploadStore } from './object-multipart-store.js';

export type BucketVersioning = 'Enabled' | 'Suspended';
export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';

/** A bucket's default retention: a mode and exactly one of days or years. */
export interface DefaultRetention {
  mode: ObjectLockMode;
  days?: number;
  years?: number;
}

export interface BucketRecord {
  name: string;
  createdMs: number;
  /** Null until PutBucketVersioning first runs (S3 then omits Status). */
  versioning: BucketVersioning | null;
  objectLockEnabled: boolean;
  defaultRetention: DefaultRetention | null;
}

/** A version's object lock: a retention (mode and date) and a legal hold, each optional. */
export interface ObjectLockState {
  retentionMode: ObjectLockMode | null;
  retainUntilMs: number | null;
  legalHold: boolean;
}

/** One version of an object, or a delete marker. */
export interface ObjectVersionRecord extends ObjectLockState {
  bucket: string;
  key: string;
  /** S3's version id; 'null' for the version an unversioned or suspended bucket writes. */
  versionId: string;
  /** The bucket's write counter when this version was made: newer versions have larger ones. */
  seq: number;
  isLatest: boolean;
  isDeleteMarker: boolean;
  sizeBytes: number;
  /** MD5 hex of the plaintext, unquoted; '' for a delete marker. */
  etag: string;
  /** SHA-256 hex of the plaintext, checked on every read; '' for a delete marker. */
  sha256: string;
  /** The encrypted bytes' file name; null for a delete marker. */
  storageId: string | null;
  kmsKeyArn: string | null;
  /** 'aws:kms' or 'AES256', as the writer asked; null for a delete marker. */
  serverSideEncryption: string | null;
  /** Content-Type and the other stored headers, and x-amz-meta-* (lower-case names). */
  metadata: Record<string, string>;
  createdMs: number;
}

/** A version to insert: the store numbers it and makes it the key's latest. */
export type NewObjectVersion = Omit<ObjectVersionRecord, 'seq' | 'isLatest'>;

/** Where a version listing resumes: after this key's version of this sequence number. */
export interface VersionCursor {
  key: string;
  seq: number;
}

/** Thrown when a bucket of the same name exists. */
export class BucketExistsError extends Error {}

/** Thrown when the bucket a write names does not exist (any more). */
export class BucketMissingError extends Error {}

export interface ObjectMetadataStore {
  /** Multipart uploads in progress and their parts. */
  readonly multipart: MultipartUploadStore;
  /** Inserts a bucket; throws BucketExistsError when the name is taken. */
  createBucket(bucket: BucketRecord): Promise<void>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  /** Every bucket, by name. */
  listBuckets(): Promise<BucketRecord[]>;
  /** Changes a bucket's settings; false if there is no such bucket. */
  updateBucket(
    name: string,
    patch: Partial<Pick<BucketRecord, 'versioning' | 'objectLockEnabled' | 'defaultRetention'>>,
  ): Promise<boolean>;
  /** Deletes a bucket that holds no version or delete marker. */
  deleteBucket(name: string): Promise<'deleted' | 'missing' | 'not-empty'>;

  /**
   * Inserts `version` as its key's latest, numbered after every earlier write to the bucket.
   * When `replaces` names a version id of the same key (S3's 'null' version), that version is
   * removed in the same transaction and returned so its bytes can go. Throws BucketMissingError.
   */
  putVersion(
    version: NewObjectVersion,
    replaces?: string,
  ): Promise<{ stored: ObjectVersionRecord; replaced: ObjectVersionRecord | undefined }>;
  /** One version, or the key's latest (which may be a delete marker) without a version id. */
  getVersion(
    bucket: string,
    key: string,
    versionId?: string,
  ): Promise<ObjectVersionRecord | undefined>;
  /**
   * Deletes one version if `guard`, run on it inside the transaction, does not throw; the next
   * newest version of the key becomes its latest. Undefined when there is no such version.
   */
  deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    guard: (version: ObjectVersionRecord) => void,
  ): Promise<ObjectVersionRecord | undefined>;
  /**
   * Replaces a version's lock with what `change` returns for the current row, inside the
   * transaction (`change` throws to refuse). Undefined when there is no such version.
   */
  updateLock(
    bucket: string,
    key: string,
    versionId: string,
    change: (version: ObjectVersionRecord) => ObjectLockState,
  ): Promise<ObjectVersionRecord | undefined>;
  /**
   * Latest versions that are not delete markers, in key order, with keys at or after
   * `fromKey` and strictly after `afterKey`, at most `limit`.
   */
  listLatest(
    bucket: string,
    fromKey: string,
    afterKey: string | undefined,
    limit: number,
  ): Promise<ObjectVersionRecord[]>;
  /**
   * Every version and delete marker in key order, newest first within a key, with keys at or
   * after `fromKey` and after `after`, at most `limit`.
   */
  listVersions(
    bucket: string,
    fromKey: string,
    after: VersionCursor | undefined,
    limit: number,
  ): Promise<ObjectVersionRecord[]>;
}
