/**
 * The object store behind the S3 REST API, put together: metadata in the state store, bytes
 * sealed under KMS keys in DIR/objects. The composition root calls this once.
 */
import path from 'node:path';
import type { KeyCipher } from '../kms/key-cipher.js';
import type { ObjectMetadataStore } from '../store/object-metadata-store.js';
import { BucketService } from './bucket-service.js';
import { MultipartService } from './multipart-service.js';
import { ObjectBytes } from './object-bytes.js';
import { ObjectListing } from './object-listing.js';
import { ObjectService } from './object-service.js';

export interface ObjectStoreServices {
  buckets: BucketService;
  objects: ObjectService;
  objectListing: ObjectListing;
  multipartUploads: MultipartService;
}

/** The object store's services over `metadata`, with bytes under `objectsDir` (DIR/objects). */
export function buildObjectStore(
  metadata: ObjectMetadataStore,
  dataDir: string,
  keys: KeyCipher,
  objectsDir: string = path.join(dataDir, 'objects'),
): ObjectStoreServices {
  const bytes = new ObjectBytes(objectsDir, keys);
  const buckets = new BucketService(metadata, bytes);
  const objects = new ObjectService(metadata, buckets, bytes, keys);
  return {
    buckets,
    objects,
    objectListing: new ObjectListing(metadata, buckets),
    multipartUploads: new MultipartService(metadata, buckets, objects, bytes),
  };
}
