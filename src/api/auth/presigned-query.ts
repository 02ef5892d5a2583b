/**
 * SigV4 by query string (a presigned URL, as `aws s3 presign` and boto3's generate_presigned_url
 * make): the Authorization header's parameters travel as X-Amz-* query parameters, the payload
 * is UNSIGNED-PAYLOAD, and the URL is good for X-Amz-Expires seconds from X-Amz-Date. Only S3
 * accepts it here, as in AWS.
 */
import {
  AccessDeniedException,
  IncompleteSignatureException,
  LockstepError,
} from '../../errors/lockstep-error.js';
import type { ParsedAuthorization } from './parse-authorization.js';

/** The X-Amz-* parameters of a presigned URL. */
export interface PresignedQuery {
  auth: ParsedAuthorization;
  /** X-Amz-Date as sent (ISO 8601 basic format). */
  amzDate: string;
  expiresSeconds: number;
  securityToken?: string;
}

/** A week: the longest a presigned URL may be valid, as in AWS. */
const MAX_EXPIRES_SECONDS = 604_800;
const REQUIRED = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Expires',
];

/** The presigned parameters of a request target, or undefined if it carries none. */
export function readPresignedQuery(path: string): PresignedQuery | undefined {
  const queryAt = path.indexOf('?');
  if (queryAt < 0) return undefined;
  const params = new Map<string, string>();
  for (const part of path.slice(queryAt + 1).split('&')) {
    const equals = part.indexOf('=');
    const name = equals < 0 ? part : part.slice(0, equals);
    if (!name.startsWith('X-Amz-')) continue;
    params.set(name, decode(equals < 0 ? '' : part.slice(equals + 1)));
  }
  if (!params.has('X-Amz-Algorithm')) return undefined;
  if (REQUIRED.some((name) => !params.get(name))) {
    throw new IncompleteSignatureException(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
        'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const expiresSeconds = Number(params.get('X-Amz-Expires'));
  if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1) {
    throw new IncompleteSignatureException('X-Amz-Expires should be a number');
  }
  if (expiresSeconds > MAX_EXPIRES_SECONDS) {
    throw new IncompleteSignatureException(
      `X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is ${MAX_EXPIRES_SECONDS} seconds`,
    );
  }
  const token = params.get('X-Amz-Security-Token');
  return {
    auth: {
      algorithm: params.get('X-Amz-Algorithm') ?? '',
      credential: params.get('X-Amz-Credential') ?? '',
      signedHeaders: (params.get('X-Amz-SignedHeaders') ?? '').split(';'),
      signature: params.get('X-Amz-Signature') ?? '',
    },
    amzDate: params.get('X-Amz-Date') ?? '',
    expiresSeconds,
    ...(token === undefined ? {} : { securityToken: token }),
  };
}

/**
 * Refuses Signature Version 2 (`Authorization: AWS AKID:sig`, or a URL with AWSAccessKeyId and
 * Signature), which boto3 still uses for presigned URLs unless told `signature_version='s3v4'`,
 * with the message S3 gives in regions that require SigV4.
 */
export function refuseSignatureV2(path: string, authorization: string | undefined): void {
  const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  const v2Query = /[?&]AWSAccessKeyId=/.test(query) && /[?&]Signature=/.test(query);
  if (authorization?.startsWith('AWS ') || (authorization === undefined && v2Query)) {
    throw new LockstepError(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
}

/** Refuses a presigned URL used after its lifetime, or before it was signed (beyond skew). */
export function checkPresignedWindow(
  signedMs: number,
  expiresSeconds: number,
  nowMs: number,
  skewMs: number,
): void {
  if (nowMs > signedMs + expiresSeconds * 1000) {
    throw new AccessDeniedException('Request has expired');
  }
  if (signedMs > nowMs + skewMs) {
    throw new AccessDeniedException('Request is not valid yet');
  }
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}
