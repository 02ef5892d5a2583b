/**
 * The object store behind the S3 REST API, put together: metadata in the state store, bytes
 * sealed under KMS keys in an envelope storage (DIR/objects, or an external S3-compatible
 * bucket). The composition root calls this once.
 */
import type { KeyCipher } from '../kms/key-cipher.js';
import type { ObjectMetadataStore } from '../store/object-metadata-store.js';
import { BucketService } from './bucket-service.js';
import type { EnvelopeStorage } from './envelope-storage.js';
import { FileEnvelopeStorage } from './file-envelope-storage.js';
import { MultipartService } from './multipart-service.js';
import { ObjectBytes } from './object-bytes.js';
import { ObjectListing } from './object-listing.js';
import { ObjectService } from './object-service.js';
import { S3EnvelopeStorage, type S3StorageLocation } from './s3-envelope-storage.js';

export interface ObjectStoreServices {
  buckets: BucketService;
  objects: ObjectService;
  objectListing: ObjectListing;
  multipartUploads: MultipartService;
}

/** The object store's services over `metadata`, with sealed bytes kept by `storage`. */
export function buildObjectStore(
  metadata: ObjectMetadataStore,
  storage: EnvelopeStorage,
  keys: KeyCipher,
): ObjectStoreServices {
  const bytes = new ObjectBytes(storage, keys);
  const buckets = new BucketService(metadata, bytes);
  const objects = new ObjectService(metadata, buckets, bytes, keys);
  return {
    buckets,
    objects,
    objectListing: new ObjectListing(metadata, buckets),
    multipartUploads: new MultipartService(metadata, buckets, objects, bytes),
  };
}

/**
 * Where sealed bytes go: an external S3-compatible bucket when the operator named one, else
 * files in `objectsDir`. Checked once, so that a server that cannot store artifacts says so at
 * start rather than at the first action.
 */
export async function openEnvelopeStorage(
  external: S3StorageLocation | undefined,
  objectsDir: string,
): Promise<EnvelopeStorage> {
  const storage = external ? new S3EnvelopeStorage(external) : new FileEnvelopeStorage(objectsDir);
  await storage.check();
  return storage;
}
