/**
 * Buckets: create (optionally with object lock, which turns versioning on for good), look up,
 * list, delete when empty, and their versioning and object lock configuration. S3's rules and
 * words; the state store keeps the rows (store/object-metadata-store.ts).
 */
import {
  BucketExistsError,
  type BucketRecord,
  type BucketVersioning,
  type DefaultRetention,
  type ObjectMetadataStore,
} from '../store/object-metadata-store.js';
import { checkBucketName } from './bucket-name.js';
import type { ObjectBytes } from './object-bytes.js';
import {
  BucketAlreadyOwnedByYou,
  BucketNotEmpty,
  InvalidBucketState,
  NoSuchBucket,
  ObjectLockConfigurationNotFoundError,
} from './object-errors.js';

/** A bucket's object lock configuration, as GetObjectLockConfiguration reports it. */
export interface ObjectLockConfiguration {
  enabled: boolean;
  defaultRetention: DefaultRetention | null;
}

export class BucketService {
  constructor(
    private readonly store: ObjectMetadataStore,
    private readonly bytes: ObjectBytes,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Creates a bucket; with object lock it is versioned from the start and stays so, and a
   * default retention given here applies from its first object on.
   */
  async create(
    name: string,
    options: { objectLockEnabled: boolean; defaultRetention?: DefaultRetention },
  ): Promise<BucketRecord> {
    checkBucketName(name);
    const bucket: BucketRecord = {
      name,
      createdMs: this.now(),
      versioning: options.objectLockEnabled ? 'Enabled' : null,
      objectLockEnabled: options.objectLockEnabled,
      defaultRetention: (options.objectLockEnabled && options.defaultRetention) || null,
    };
    try {
      await this.store.createBucket(bucket);
    } catch (error) {
      if (error instanceof BucketExistsError) {
        throw new BucketAlreadyOwnedByYou({ bucketName: name });
      }
      throw error;
    }
    return bucket;
  }

  /** The bucket, or NoSuchBucket. */
  async get(name: string): Promise<BucketRecord> {
    const bucket = await this.store.getBucket(name);
    if (!bucket) throw new NoSuchBucket({ bucketName: name });
    return bucket;
  }

  /** Every bucket, by name. */
  list(): Promise<BucketRecord[]> {
    return this.store.listBuckets();
  }

  /** Deletes an empty bucket: one holding no version and no delete marker. */
  async delete(name: string): Promise<void> {
    const outcome = await this.store.deleteBucket(name);
    if (outcome === 'missing') throw new NoSuchBucket({ bucketName: name });
    if (outcome === 'not-empty') throw new BucketNotEmpty({ bucketName: name });
    await this.bytes.removeBucket(name);
  }

  /** Turns versioning on or suspends it; a bucket with object lock cannot be suspended. */
  async putVersioning(name: string, status: BucketVersioning): Promise<void> {
    const bucket = await this.get(name);
    if (bucket.objectLockEnabled && status !== 'Enabled') {
      throw new InvalidBucketState(
        { bucketName: name },
        'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
      );
    }
    await this.update(name, { versioning: status });
  }

  /**
   * Sets the bucket's object lock configuration. Turning object lock on for an existing bucket
   * needs versioning Enabled first, as in S3; once on, it cannot be turned off.
   */
  async putObjectLock(name: string, configuration: ObjectLockConfiguration): Promise<void> {
    const bucket = await this.get(name);
    if (!bucket.objectLockEnabled && bucket.versioning !== 'Enabled') {
      throw new InvalidBucketState(
        { bucketName: name },
        "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
      );
    }
    await this.update(name, {
      objectLockEnabled: true,
      defaultRetention: configuration.defaultRetention,
    });
  }

  /** The object lock configuration; ObjectLockConfigurationNotFoundError when lock is off. */
  async getObjectLock(name: string): Promise<ObjectLockConfiguration> {
    const bucket = await this.get(name);
    if (!bucket.objectLockEnabled) {
      throw new ObjectLockConfigurationNotFoundError({ bucketName: name });
    }
    return { enabled: true, defaultRetention: bucket.defaultRetention };
  }

  private async update(
    name: string,
    patch: Parameters<ObjectMetadataStore['updateBucket']>[1],
  ): Promise<void> {
    if (!(await this.store.updateBucket(name, patch))) {
      throw new NoSuchBucket({ bucketName: name });
    }
  }
}
