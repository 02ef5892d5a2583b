/**
 * The artifact store on top of the S3 object store: each artifact is an object of the pipeline's
 * artifact bucket (`artifactStore.location`) under the key the job data names, so built-in
 * workers and external job workers (GetObject/PutObject with the job's artifactCredentials)
 * share one store. The object store seals every version under its own data key (the
 * pipeline's `encryptionKey` or `aws/s3`) and checks the SHA-256 it recorded; this store checks,
 * on every read, the SHA-256 the engine recorded in the execution state as well, because that
 * digest is what an object rewritten through the S3 API cannot follow.
 *
 * A bucket this store creates has object lock on (so versioning for good) and, unless the
 * operator turned it off, a GOVERNANCE default retention: every artifact version is kept that
 * long, and only a caller allowed s3:BypassGovernanceRetention, who says so, can delete it
 * sooner. A bucket the user made keeps the configuration they gave it.
 */
import { Readable } from 'node:stream';
import type { BucketService } from '../objects/bucket-service.js';
import {
  BucketAlreadyOwnedByYou,
  InvalidBucketName,
  MethodNotAllowed,
  NoSuchBucket,
  NoSuchKey,
  NoSuchVersion,
  ObjectIntegrityError,
} from '../objects/object-errors.js';
import type { ObjectService } from '../objects/object-service.js';
import type { DefaultRetention, ObjectVersionRecord } from '../store/object-metadata-store.js';
import {
  ArtifactExistsError,
  ArtifactIntegrityError,
  ArtifactNotUploadedError,
  InvalidArtifactKeyError,
} from './artifact-errors.js';
import {
  artifactObject,
  objectArtifactLocation,
  parseObjectArtifactLocation,
} from './artifact-location.js';
import type {
  ArtifactKey,
  ArtifactStore,
  PutDirectoryOptions,
  StoredArtifact,
} from './artifact-store.js';
import { extractZip } from './extract-zip.js';
import { zipDirectory } from './zip-directory.js';

/** S3's limit on one PutObject; an artifact is written in one. */
const MAX_ARTIFACT_BYTES = 5 * 1024 ** 3;

/** How long artifacts are retained when the operator says nothing (--artifact-retention-days). */
export const DEFAULT_ARTIFACT_RETENTION: DefaultRetention = { mode: 'GOVERNANCE', days: 30 };

export interface ObjectArtifactStoreOptions {
  /**
   * Reads locations recorded before artifacts moved into the object store (`fs:...`), so runs
   * started before an upgrade can still be retried.
   */
  legacy?: ArtifactStore;
  /** The default retention of artifact buckets this store creates; null for none. */
  retention?: DefaultRetention | null;
}

export class ObjectArtifactStore implements ArtifactStore {
  private readonly legacy: ArtifactStore | undefined;
  private readonly retention: DefaultRetention | null;

  constructor(
    private readonly buckets: BucketService,
    private readonly objects: ObjectService,
    options: ObjectArtifactStoreOptions = {},
  ) {
    this.legacy = options.legacy;
    this.retention =
      options.retention === undefined ? DEFAULT_ARTIFACT_RETENTION : options.retention;
  }

  /** Zips the selected files of `dir` and stores them under `key`; refuses an existing key. */
  async putDirectory(
    key: ArtifactKey,
    dir: string,
    options?: PutDirectoryOptions,
  ): Promise<StoredArtifact> {
    artifactObject(key); // refuse a bad key before zipping a whole tree
    return this.putZip(key, await zipDirectory(dir, options));
  }

  /** Stores `zip` as a new object under `key`; refuses a key that already holds one. */
  async putZip(key: ArtifactKey, zip: Buffer): Promise<StoredArtifact> {
    const { bucket, objectKey } = artifactObject(key);
    await this.ensureBucket(bucket);
    // Artifacts are immutable. Two writers racing past this check each make their own version
    // (the bucket is versioned), and each location pins its own, so neither swaps the other's.
    if (await this.latestVersion(bucket, objectKey)) {
      throw new ArtifactExistsError(objectArtifactLocation({ bucket, objectKey }));
    }
    const version = await this.objects.put({
      bucket,
      key: objectKey,
      body: Readable.from([zip]),
      metadata: { 'content-type': 'application/zip' },
      encryption: {
        mode: 'aws:kms',
        ...(key.encryptionKeyId ? { keyId: key.encryptionKeyId } : {}),
      },
      maxBytes: MAX_ARTIFACT_BYTES,
    });
    return {
      location: objectArtifactLocation({ bucket, objectKey, versionId: version.versionId }),
      sha256: version.sha256, // the SHA-256 of exactly these bytes, taken as they were stored
      sizeBytes: zip.length,
    };
  }

  /**
   * Records what an external worker uploaded (PutObject) to `key`'s object: its latest version,
   * pinned, with the SHA-256 of its bytes, which are read back (and so checked) now.
   * ArtifactNotUploadedError if none.
   */
  async recordUpload(key: ArtifactKey): Promise<StoredArtifact> {
    const { bucket, objectKey } = artifactObject(key);
    const latest = await this.latestVersion(bucket, objectKey);
    if (!latest) throw new ArtifactNotUploadedError(bucket, objectKey);
    const location = objectArtifactLocation({ bucket, objectKey, versionId: latest });
    const { version, bytes } = await this.readObject(location, '', bucket, objectKey, latest);
    return { location, sha256: version.sha256, sizeBytes: bytes.length };
  }

  /** The zip's bytes after checking their SHA-256 against `artifact.sha256`. */
  async readZip(artifact: StoredArtifact): Promise<Buffer> {
    const object = parseObjectArtifactLocation(artifact.location);
    if (!object) {
      if (this.legacy) return this.legacy.readZip(artifact);
      throw new ArtifactIntegrityError(artifact.location, artifact.sha256, undefined);
    }
    const { bucket, objectKey, versionId } = object;
    const { version, bytes } = await this.readObject(
      artifact.location,
      artifact.sha256,
      bucket,
      objectKey,
      versionId,
    );
    // The object store has checked that the bytes hash to the version's recorded SHA-256, so
    // comparing the two digests checks the bytes against the engine's without hashing them again.
    // An object rewritten through the S3 API has a row with its own digest, and fails here.
    if (version.sha256 !== artifact.sha256) {
      throw new ArtifactIntegrityError(artifact.location, artifact.sha256, version.sha256);
    }
    return bytes;
  }

  /** Checks the SHA-256, then extracts into `destDir`, refusing entries that would escape it. */
  async extractTo(artifact: StoredArtifact, destDir: string): Promise<void> {
    await extractZip(await this.readZip(artifact), destDir);
  }

  /**
   * An object version's row and bytes, checked against the row's SHA-256; a missing or
   * unreadable object is an integrity failure of the artifact.
   */
  private async readObject(
    location: string,
    expectedSha256: string,
    bucket: string,
    objectKey: string,
    versionId: string | undefined,
  ): Promise<{ version: ObjectVersionRecord; bytes: Buffer }> {
    try {
      return await this.objects.getWhole(bucket, objectKey, versionId);
    } catch (error) {
      if (isMissing(error)) throw new ArtifactIntegrityError(location, expectedSha256, undefined);
      if (!(error instanceof ObjectIntegrityError)) throw error;
      throw new ArtifactIntegrityError(
        location,
        expectedSha256,
        undefined,
        `the stored object could not be opened: ${error.message}`,
      );
    }
  }

  /** The version id of the key's latest version, or undefined (none, or a delete marker). */
  private async latestVersion(bucket: string, objectKey: string): Promise<string | undefined> {
    try {
      return (await this.objects.head(bucket, objectKey)).versionId;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Creates the pipeline's artifact bucket, object-locked and retained, unless it exists. */
  async ensureBucket(bucket: string): Promise<void> {
    try {
      await this.buckets.get(bucket);
      return;
    } catch (error) {
      if (!(error instanceof NoSuchBucket)) throw error;
    }
    try {
      await this.buckets.create(bucket, {
        objectLockEnabled: true,
        ...(this.retention ? { defaultRetention: this.retention } : {}),
      });
    } catch (error) {
      if (error instanceof BucketAlreadyOwnedByYou) return; // another writer made it first
      if (error instanceof InvalidBucketName) {
        throw new InvalidArtifactKeyError(
          `The pipeline's artifactStore location '${bucket}' cannot name an artifact bucket. ` +
            error.message,
        );
      }
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  return (
    error instanceof NoSuchKey ||
    error instanceof NoSuchVersion ||
    error instanceof NoSuchBucket ||
    error instanceof MethodNotAllowed
  );
}
