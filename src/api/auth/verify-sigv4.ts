// We verify AWS Signature Version 4 ourselves because no maintained library does it on the
// server side: the AWS SDKs and @smithy/signature-v4 only sign. The checks run in the order
// AWS services are observed to apply them, so a client sees the same error AWS would give.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  LockstepError,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../../errors/lockstep-error.js';
import { buildCanonicalRequest } from './canonical-request.js';
import { parseCredentialScope } from './credential-scope.js';
import { firstHeaderValue } from './first-header-value.js';
import { parseAuthorization } from './parse-authorization.js';
import type { ParsedAuthorization } from './parse-authorization.js';
import {
  checkPresignedWindow,
  readPresignedQuery,
  refuseSignatureV2,
  type PresignedQuery,
} from './presigned-query.js';
import { SIGV4_MESSAGES } from './sigv4-messages.js';
import { formatAmzDate, readSigningDate } from './signing-date.js';
import type { SigningDate } from './signing-date.js';
import { SigningKeyCache } from './signing-key-cache.js';

/** The parts of an HTTP request that SigV4 covers. */
export interface SigV4Request {
  method: string;
  /** Raw request target: path and query string exactly as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /**
   * The body, to check against x-amz-content-sha256. Only S3 may leave it out (a streamed
   * upload): the canonical request then uses the declared hash, and the caller checks the body
   * against it (or its aws-chunked signatures) as it reads.
   */
  body?: Buffer;
}

/** The secret side of an access key. */
export interface SigV4Credential {
  secretAccessKey: string;
  /** Set for temporary (STS) credentials; the request must then carry the same token. */
  sessionToken?: string;
}

/** How to verify: who we are, how to find a key, and what time it is. */
export interface VerifySigV4Options {
  /** Our signing name, e.g. 'codepipeline'; requests scoped to another service are refused. */
  service: string;
  lookupCredential: (accessKeyId: string) => Promise<SigV4Credential | undefined>;
  nowMs: number;
  /** How far the signing time may be from now, either way. AWS allows 5 minutes. */
  clockSkewMs?: number;
  signingKeyCache?: SigningKeyCache;
  /**
   * S3's variant of SigV4: the path encoded once, x-amz-content-sha256 required (a hash,
   * UNSIGNED-PAYLOAD or a STREAMING-* mode), and presigned URLs accepted.
   */
  s3?: boolean;
}

/** Who signed a request that verified. */
export interface VerifiedSigV4 {
  accessKeyId: string;
  region: string;
  service: string;
  /** Lower-cased, in the client's order. */
  signedHeaders: string[];
  securityToken?: string;
  /** For S3 only: what verifying an aws-chunked body's chunk signatures chains from. */
  seed?: SigV4Seed;
}

/** The request signature and its signing inputs, which every chunk signature chains from. */
export interface SigV4Seed {
  signature: string;
  signingKey: Buffer;
  amzDate: string;
  /** `date/region/service/aws4_request`. */
  credentialScope: string;
  /** x-amz-content-sha256 as declared (a hash, UNSIGNED-PAYLOAD or a STREAMING-* mode). */
  payloadHash: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The x-amz-content-sha256 values S3 accepts besides a hex SHA-256. */
const S3_PAYLOAD_MODES = new Set([
  UNSIGNED_PAYLOAD,
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
]);
const DEFAULT_CLOCK_SKEW_MS = 5 * 60 * 1000;
const sharedSigningKeys = new SigningKeyCache();

/** Verifies a request's SigV4 Authorization header; throws the AWS exception on failure. */
export async function verifySigV4(
  request: SigV4Request,
  options: VerifySigV4Options,
): Promise<VerifiedSigV4> {
  const { headers } = request;
  if (options.s3) refuseSignatureV2(request.path, firstHeaderValue(headers.authorization));
  const presigned =
    options.s3 && headers.authorization === undefined
      ? readPresignedQuery(request.path)
      : undefined;
  const { auth, signedHeaders, signingDate } = presigned
    ? readPresigned(presigned, options)
    : readAuthorization(headers, options);
  const scope = parseCredentialScope(auth.credential, options.service, signingDate.amzDate);
  const payloadHash = presigned
    ? UNSIGNED_PAYLOAD
    : options.s3
      ? s3PayloadHashOf(request)
      : payloadHashOf(request);
  const credential = await options.lookupCredential(scope.accessKeyId);
  if (credential === undefined) throw new UnrecognizedClientException(SIGV4_MESSAGES.invalidToken);

  const canonicalRequest = buildCanonicalRequest({
    method: request.method,
    path: request.path,
    headers,
    signedHeaders: auth.signedHeaders,
    payloadHash,
    s3: options.s3 === true,
    ...(presigned ? { omitQueryParameter: 'X-Amz-Signature' } : {}),
  });
  const stringToSign = [ALGORITHM, signingDate.amzDate, scope.scope, sha256Hex(canonicalRequest)];
  const keys = options.signingKeyCache ?? sharedSigningKeys;
  const signingKey = keys.get(credential.secretAccessKey, scope.date, scope.region, scope.service);
  const expected = createHmac('sha256', signingKey).update(stringToSign.join('\n')).digest();
  if (!signatureMatches(auth.signature, expected)) {
    throw new InvalidSignatureException(SIGV4_MESSAGES.signatureMismatch);
  }
  const token = presigned
    ? presigned.securityToken
    : firstHeaderValue(headers['x-amz-security-token']);
  const securityToken = checkSecurityToken(token, credential);
  const seed: SigV4Seed = {
    signature: auth.signature.toLowerCase(),
    signingKey,
    amzDate: signingDate.amzDate,
    credentialScope: scope.scope,
    payloadHash,
  };
  return {
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    signedHeaders,
    ...(securityToken === undefined ? {} : { securityToken }),
    ...(options.s3 ? { seed } : {}),
  };
}

// A presigned URL's checks: a readable date within the URL's lifetime, host signed, and the
// algorithm, as for the header.
function readPresigned(
  presigned: PresignedQuery,
  options: VerifySigV4Options,
): { auth: ParsedAuthorization; signedHeaders: string[]; signingDate: SigningDate } {
  const { auth } = presigned;
  const signedHeaders = auth.signedHeaders.map((name) => name.toLowerCase());
  const signingDate = readSigningDate({ 'x-amz-date': presigned.amzDate }, ['x-amz-date']);
  if (signingDate === undefined) {
    throw new IncompleteSignatureException(SIGV4_MESSAGES.requiresDate);
  }
  const skewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  checkPresignedWindow(signingDate.epochMs, presigned.expiresSeconds, options.nowMs, skewMs);
  if (!signedHeaders.includes('host')) {
    throw new InvalidSignatureException(SIGV4_MESSAGES.hostNotSigned);
  }
  if (auth.algorithm !== ALGORITHM) {
    throw new IncompleteSignatureException(
      `X-Amz-Algorithm only supports "${ALGORITHM}", not '${auth.algorithm}'.`,
    );
  }
  return { auth, signedHeaders, signingDate };
}

// S3 requires the client to declare its payload: a hash (checked here when the body is at
// hand, else by the caller as it streams), UNSIGNED-PAYLOAD, or one of the streaming modes.
function s3PayloadHashOf(request: SigV4Request): string {
  const declared = firstHeaderValue(request.headers['x-amz-content-sha256'])?.trim();
  if (declared === undefined) {
    throw new LockstepError(
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  if (S3_PAYLOAD_MODES.has(declared)) return declared;
  if (!/^[0-9a-fA-F]{64}$/.test(declared)) {
    throw new LockstepError(
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, ' +
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, ' +
        'or a valid sha256 value.',
    );
  }
  if (request.body !== undefined && declared.toLowerCase() !== sha256Hex(request.body)) {
    throw new InvalidSignatureException(SIGV4_MESSAGES.payloadHashMismatch);
  }
  return declared.toLowerCase();
}

// The checks that need no credential, in the order AWS applies them: a token at all, complete
// parameters, a readable and fresh date, host and date signed, a known algorithm.
function readAuthorization(
  headers: IncomingHttpHeaders,
  options: VerifySigV4Options,
): { auth: ParsedAuthorization; signedHeaders: string[]; signingDate: SigningDate } {
  const authorization = firstHeaderValue(headers.authorization)?.trim();
  // As AWS does, a header that is not SigV4 at all (`Bearer ...`) counts as no token.
  if (authorization === undefined || !authorization.startsWith('AWS4-')) {
    throw new MissingAuthenticationTokenException(SIGV4_MESSAGES.missingToken);
  }
  const hasDate = headers['x-amz-date'] !== undefined || headers.date !== undefined;
  const auth = parseAuthorization(authorization, hasDate);
  const signedHeaders = auth.signedHeaders.map((name) => name.toLowerCase());
  const signingDate = readSigningDate(headers, signedHeaders);
  if (signingDate === undefined) {
    throw new IncompleteSignatureException(SIGV4_MESSAGES.requiresDate);
  }
  checkClockSkew(signingDate.epochMs, options.nowMs, options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS);
  if (!signedHeaders.includes('host')) {
    throw new InvalidSignatureException(SIGV4_MESSAGES.hostNotSigned);
  }
  if (!signedHeaders.includes(signingDate.headerName)) {
    throw new InvalidSignatureException(SIGV4_MESSAGES.dateNotSigned);
  }
  if (auth.algorithm !== ALGORITHM) {
    throw new IncompleteSignatureException(
      `Unsupported AWS 'algorithm': '${auth.algorithm}' (only ${ALGORITHM} for now).`,
    );
  }
  return { auth, signedHeaders, signingDate };
}

function checkClockSkew(signedMs: number, nowMs: number, skewMs: number): void {
  const window = `${skewMs / 60_000} min.`;
  const signed = formatAmzDate(signedMs);
  const now = formatAmzDate(nowMs);
  if (signedMs < nowMs - skewMs) {
    const earliest = formatAmzDate(nowMs - skewMs);
    throw new InvalidSignatureException(
      `Signature expired: ${signed} is now earlier than ${earliest} (${now} - ${window})`,
    );
  }
  if (signedMs > nowMs + skewMs) {
    const latest = formatAmzDate(nowMs + skewMs);
    throw new InvalidSignatureException(
      `Signature not yet current: ${signed} is still later than ${latest} (${now} + ${window})`,
    );
  }
}

// The payload hash in the canonical request is the one the client declared, if it declared
// one; a declared hash that is not the body's would let a signature cover a different body.
function payloadHashOf(request: SigV4Request): string {
  const actual = createHash('sha256')
    .update(request.body ?? Buffer.alloc(0))
    .digest('hex');
  const declared = firstHeaderValue(request.headers['x-amz-content-sha256'])?.trim();
  if (declared === undefined) return actual;
  if (declared !== UNSIGNED_PAYLOAD && declared.toLowerCase() !== actual) {
    throw new InvalidSignatureException(SIGV4_MESSAGES.payloadHashMismatch);
  }
  return declared;
}

function signatureMatches(provided: string, expected: Buffer): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(provided)) return false;
  return timingSafeEqual(Buffer.from(provided, 'hex'), expected);
}

// The token is compared after the signature, as AWS does; digests keep the comparison
// constant-time whatever the lengths.
function checkSecurityToken(
  presented: string | undefined,
  credential: SigV4Credential,
): string | undefined {
  const expected = credential.sessionToken;
  if (presented === undefined && expected === undefined) return undefined;
  if (
    presented === undefined ||
    expected === undefined ||
    !timingSafeEqual(sha256(presented), sha256(expected))
  ) {
    throw new UnrecognizedClientException(SIGV4_MESSAGES.invalidToken);
  }
  return presented;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
