/**
 * The object store's errors, each named as the S3 error code it stands for (S3's codes carry no
 * `Exception` suffix). Some name the bucket, key or version they are about, which S3 echoes in
 * its error document; src/api/s3/ decides status codes and renders them.
 */
import { LockstepError, type ErrorFault } from '../errors/lockstep-error.js';

/** What an S3 error document says about the resource besides Code and Message. */
export interface ObjectErrorResource {
  bucketName?: string;
  key?: string;
  versionId?: string;
  argumentName?: string;
  argumentValue?: string;
}

/** An object store error: a LockstepError with the resource it is about. */
export class ObjectError extends LockstepError {
  constructor(
    code: string,
    message: string,
    readonly resource: ObjectErrorResource = {},
    options: { fault?: ErrorFault; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** Declares an ObjectError subclass whose code is its class name. */
function s3Error(code: string, defaultMessage: string, fault: ErrorFault = 'client') {
  return class extends ObjectError {
    constructor(resource: ObjectErrorResource = {}, message = defaultMessage) {
      super(code, message, resource, { fault });
    }
  };
}

export const NoSuchBucket = s3Error('NoSuchBucket', 'The specified bucket does not exist');
export const NoSuchVersion = s3Error('NoSuchVersion', 'The specified version does not exist.');
export const BucketAlreadyOwnedByYou = s3Error(
  'BucketAlreadyOwnedByYou',
  'Your previous request to create the named bucket succeeded and you already own it.',
);
export const BucketNotEmpty = s3Error(
  'BucketNotEmpty',
  'The bucket you tried to delete is not empty. You must delete all versions in the bucket.',
);
export const InvalidBucketName = s3Error('InvalidBucketName', 'The specified bucket is not valid.');
export const InvalidArgument = s3Error('InvalidArgument', 'Invalid Argument');
export const InvalidRequest = s3Error('InvalidRequest', 'Invalid Request');
export const MalformedXML = s3Error(
  'MalformedXML',
  'The XML you provided was not well-formed or did not validate against our published schema',
);
export const InvalidDigest = s3Error(
  'InvalidDigest',
  'The Content-MD5 you specified is not valid.',
);
export const BadDigest = s3Error(
  'BadDigest',
  'The Content-MD5 you specified did not match what we received.',
);
export const KeyTooLongError = s3Error('KeyTooLongError', 'Your key is too long');
export const EntityTooLarge = s3Error(
  'EntityTooLarge',
  'Your proposed upload exceeds the maximum allowed size',
);
export const IncompleteBody = s3Error(
  'IncompleteBody',
  'You did not provide the number of bytes specified by the Content-Length HTTP header',
);
export const InvalidBucketState = s3Error(
  'InvalidBucketState',
  'The bucket is in an invalid state.',
);
export const ObjectLockConfigurationNotFoundError = s3Error(
  'ObjectLockConfigurationNotFoundError',
  'Object Lock configuration does not exist for this bucket',
);
export const NoSuchObjectLockConfiguration = s3Error(
  'NoSuchObjectLockConfiguration',
  'The specified object does not have a ObjectLock configuration',
);
/** S3's answer when object lock protects a version (and to IAM refusals on the S3 API). */
export const AccessDenied = s3Error('AccessDenied', 'Access Denied');
/** An If-Match header named an ETag other than the version's. */
export const PreconditionFailed = s3Error(
  'PreconditionFailed',
  'At least one of the pre-conditions you specified did not hold',
);
export const InvalidRange = s3Error('InvalidRange', 'The requested range is not satisfiable');
export const NoSuchUpload = s3Error(
  'NoSuchUpload',
  'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
);
export const InvalidPart = s3Error(
  'InvalidPart',
  "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
);
export const InvalidPartOrder = s3Error(
  'InvalidPartOrder',
  'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
);
export const EntityTooSmall = s3Error(
  'EntityTooSmall',
  'Your proposed upload is smaller than the minimum allowed object size.',
);
export const NotImplemented = s3Error(
  'NotImplemented',
  'A header or query you provided implies functionality that is not implemented.',
);

/** GET or HEAD of a key whose latest version is a delete marker, or of no key at all. */
export class NoSuchKey extends ObjectError {
  constructor(
    key: string,
    /** Set when the key's latest version is a delete marker (S3 says so in headers). */
    readonly deleteMarkerVersionId?: string,
  ) {
    super('NoSuchKey', 'The specified key does not exist.', { key });
  }
}

/** GET or HEAD naming a delete marker's version id: there are no bytes to give. */
export class MethodNotAllowed extends ObjectError {
  constructor(
    key: string,
    readonly deleteMarkerVersionId: string,
  ) {
    super('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
      key,
      versionId: deleteMarkerVersionId,
    });
  }
}

/**
 * A version's stored bytes no longer match what was recorded when it was written (altered,
 * swapped, truncated or gone). A server fault: S3 clients know it as InternalError, and the
 * message names the object so that the audit trail and the caller can tell which.
 */
export class ObjectIntegrityError extends ObjectError {
  /** `label` says which bytes of the object: `version <id>`, `upload <id> part <n>`. */
  constructor(bucket: string, key: string, label: string, reason: string) {
    super(
      'InternalError',
      `Object s3://${bucket}/${key} (${label}) failed its integrity check: ${reason}`,
      { bucketName: bucket, key },
      { fault: 'server' },
    );
  }
}

/** The message S3 gives when object lock refuses a delete or a retention change. */
export const OBJECT_LOCK_DENIAL = 'Access Denied because object protected by object lock.';
