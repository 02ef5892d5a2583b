/**
 * Which S3 operation a request is: its method, whether it names a bucket or an object, and
 * its sub-resource (`?versioning`, `?retention`, ...). Sub-resources Lockstep does not serve are
 * refused with NotImplemented naming them, so a client learns what is missing rather than
 * getting a listing it did not ask for.
 */
import { NotImplemented } from '../../objects/object-errors.js';
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  getBucketVersioning,
  getObjectLockConfiguration,
  headBucket,
  listBuckets,
  putBucketVersioning,
  putObjectLockConfiguration,
} from './s3-bucket-operations.js';
import { listObjects, listObjectsV2, listObjectVersions } from './s3-listing-operations.js';
import {
  getObjectLegalHold,
  getObjectRetention,
  putObjectLegalHold,
  putObjectRetention,
} from './s3-lock-operations.js';
import {
  deleteObject,
  deleteObjectVersion,
  getObject,
  getObjectVersion,
  headObject,
  headObjectVersion,
  putObject,
} from './s3-object-operations.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  uploadPart,
} from './s3-multipart-operations.js';
import type { S3Operation } from './s3-operation.js';

/** The sub-resources served, by method and scope; '' is the plain request. */
const ROUTES: Readonly<Record<string, S3Operation | ((versioned: boolean) => S3Operation)>> = {
  'GET service ': listBuckets,
  'PUT bucket ': createBucket,
  'HEAD bucket ': headBucket,
  'DELETE bucket ': deleteBucket,
  'GET bucket ': listObjects,
  'GET bucket list-type': listObjectsV2,
  'GET bucket versions': listObjectVersions,
  'GET bucket location': getBucketLocation,
  'GET bucket versioning': getBucketVersioning,
  'PUT bucket versioning': putBucketVersioning,
  'GET bucket object-lock': getObjectLockConfiguration,
  'PUT bucket object-lock': putObjectLockConfiguration,
  'PUT object ': putObject,
  'GET object ': (versioned) => (versioned ? getObjectVersion : getObject),
  'HEAD object ': (versioned) => (versioned ? headObjectVersion : headObject),
  'DELETE object ': (versioned) => (versioned ? deleteObjectVersion : deleteObject),
  'GET object retention': getObjectRetention,
  'PUT object retention': putObjectRetention,
  'GET object legal-hold': getObjectLegalHold,
  'PUT object legal-hold': putObjectLegalHold,
  'POST object uploads': createMultipartUpload,
  'PUT object uploadId': uploadPart,
  'POST object uploadId': completeMultipartUpload,
  'DELETE object uploadId': abortMultipartUpload,
  'GET object uploadId': listParts,
};

const SERVED = new Set([
  'list-type',
  'versions',
  'location',
  'versioning',
  'object-lock',
  'retention',
  'legal-hold',
  'uploads',
  'uploadId',
]);

/** S3's other sub-resources: recognised, so refused by name (partNumber outside an upload). */
const UNSERVED = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'ownershipControls',
  'partNumber',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'select',
  'tagging',
  'torrent',
  'website',
]);

/** The operation a request names; NotImplemented for what Lockstep does not serve. */
export function routeS3(
  method: string,
  target: { bucket: string; key: string; query: ReadonlyMap<string, string> },
): S3Operation {
  const names = [...target.query.keys()];
  const unserved = names.find(
    (name) => UNSERVED.has(name) && !(name === 'partNumber' && target.query.has('uploadId')),
  );
  if (unserved !== undefined) {
    throw new NotImplemented(
      {},
      `The S3 ${unserved} sub-resource (${method} ?${unserved}) is not supported by Lockstep.`,
    );
  }
  const scope = target.bucket === '' ? 'service' : target.key === '' ? 'bucket' : 'object';
  const subresource = names.find((name) => SERVED.has(name)) ?? '';
  const route = ROUTES[`${method} ${scope} ${subresource}`];
  if (route === undefined) {
    throw new NotImplemented(
      {},
      `${method} on ${scope === 'service' ? 'the service' : `a ${scope}`}` +
        `${subresource ? ` with ?${subresource}` : ''} is not an S3 operation Lockstep supports.`,
    );
  }
  return typeof route === 'function' ? route(target.query.has('versionId')) : route;
}
