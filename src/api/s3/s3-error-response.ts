/**
 * S3's error document and status codes, in one place:
 * `<Error><Code>NoSuchKey</Code><Message>...</Message><Key>...</Key><RequestId>...</RequestId>
 * </Error>`. The authentication step is shared with the JSON and Query protocols and throws
 * their exception names; S3 has its own for the same failures (SignatureDoesNotMatch, not
 * InvalidSignatureException), so they are translated here.
 */
import type { LockstepError } from '../../errors/lockstep-error.js';
import {
  MethodNotAllowed,
  NoSuchKey,
  ObjectError,
  type ObjectErrorResource,
} from '../../objects/object-errors.js';
import { SIGV4_MESSAGES } from '../auth/sigv4-messages.js';
import { xmlText } from './s3-xml.js';

export interface S3ErrorResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  SignatureDoesNotMatch: 403,
  InvalidAccessKeyId: 403,
  RequestTimeTooSkewed: 403,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchVersion: 404,
  NoSuchUpload: 404,
  ObjectLockConfigurationNotFoundError: 404,
  NoSuchObjectLockConfiguration: 404,
  MethodNotAllowed: 405,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  InvalidBucketState: 409,
  PreconditionFailed: 412,
  InvalidRange: 416,
  InternalError: 500,
  NotImplemented: 501,
};

/** KMS errors reach S3 callers prefixed, as `KMS.DisabledException`. */
const KMS_CODES = new Set([
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
  'InvalidKeyUsageException',
  'IncorrectKeyException',
  'InvalidCiphertextException',
  'InvalidArnException',
  'UnsupportedOperationException',
]);

/** Renders an error as S3 does; a HEAD answer carries no body. */
export function renderS3Error(
  error: LockstepError,
  request: { method: string; headers: Record<string, string | string[] | undefined> },
  requestId: string,
): S3ErrorResponse {
  const { code, message } = s3CodeOf(error, request.headers);
  const statusCode =
    STATUS_BY_CODE[code] ?? (code.startsWith('KMS.') ? 400 : error.fault === 'server' ? 500 : 400);
  const headers: Record<string, string> = {
    'content-type': 'application/xml',
    'x-amz-request-id': requestId,
  };
  const marker = deleteMarkerOf(error);
  if (marker !== undefined) {
    headers['x-amz-delete-marker'] = 'true';
    headers['x-amz-version-id'] = marker;
  }
  const resource: ObjectErrorResource = error instanceof ObjectError ? error.resource : {};
  const body =
    request.method === 'HEAD'
      ? ''
      : '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
        xmlText('Code', code) +
        xmlText('Message', message) +
        xmlText('BucketName', resource.bucketName) +
        xmlText('Key', resource.key) +
        xmlText('VersionId', resource.versionId) +
        xmlText('ArgumentName', resource.argumentName) +
        xmlText('ArgumentValue', resource.argumentValue) +
        xmlText('RequestId', requestId) +
        '</Error>';
  return { statusCode, headers, body };
}

/** S3's name for an error the shared authentication or authorization steps raised. */
function s3CodeOf(
  error: LockstepError,
  headers: Record<string, string | string[] | undefined>,
): { code: string; message: string } {
  const { message } = error;
  switch (error.code) {
    case 'MissingAuthenticationTokenException':
      return {
        code: 'AccessDenied',
        message:
          'Access Denied: the request is not signed, and Lockstep serves only signed requests.',
      };
    case 'IncompleteSignatureException':
      return { code: 'AuthorizationHeaderMalformed', message };
    case 'InvalidSignatureException':
      return { code: signatureCode(message), message };
    case 'UnrecognizedClientException':
      return headers['x-amz-security-token'] === undefined
        ? {
            code: 'InvalidAccessKeyId',
            message: 'The AWS Access Key Id you provided does not exist in our records.',
          }
        : {
            code: 'InvalidToken',
            message: 'The provided token is malformed or otherwise invalid.',
          };
    case 'ExpiredTokenException':
      return { code: 'ExpiredToken', message: 'The provided token has expired.' };
    case 'AccessDeniedException':
      return { code: 'AccessDenied', message };
    case 'InternalFailure':
      return { code: 'InternalError', message };
    case 'RequestEntityTooLargeException':
      return { code: 'EntityTooLarge', message };
    default:
      return { code: KMS_CODES.has(error.code) ? `KMS.${error.code}` : error.code, message };
  }
}

function signatureCode(message: string): string {
  if (message === SIGV4_MESSAGES.signatureMismatch) return 'SignatureDoesNotMatch';
  if (message === SIGV4_MESSAGES.payloadHashMismatch) return 'XAmzContentSHA256Mismatch';
  if (message.startsWith('Signature expired') || message.startsWith('Signature not yet current')) {
    return 'RequestTimeTooSkewed';
  }
  return 'AuthorizationHeaderMalformed';
}

function deleteMarkerOf(error: LockstepError): string | undefined {
  if (error instanceof NoSuchKey || error instanceof MethodNotAllowed) {
    return error.deleteMarkerVersionId;
  }
  return undefined;
}
