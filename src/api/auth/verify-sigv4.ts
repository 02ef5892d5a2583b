// We verify AWS Signature Version 4 ourselves because no maintained library does it on the
// server side: the AWS SDKs and @smithy/signature-v4 only sign. The checks run in the order
// AWS services are observed to apply them, so a client sees the same error AWS would give.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../../errors/lockstep-error.js';
import { buildCanonicalRequest } from './canonical-request.js';
import { parseCredentialScope } from './credential-scope.js';
import { firstHeaderValue } from './first-header-value.js';
import { parseAuthorization } from './parse-authorization.js';
import type { ParsedAuthorization } from './parse-authorization.js';
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
  body: Buffer;
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
}

/** Who signed a request that verified. */
export interface VerifiedSigV4 {
  accessKeyId: string;
  region: string;
  service: string;
  /** Lower-cased, in the client's order. */
  signedHeaders: string[];
  securityToken?: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const DEFAULT_CLOCK_SKEW_MS = 5 * 60 * 1000;
const sharedSigningKeys = new SigningKeyCache();

/** Verifies a request's SigV4 Authorization header; throws the AWS exception on failure. */
export async function verifySigV4(
  request: SigV4Request,
  options: VerifySigV4Options,
): Promise<VerifiedSigV4> {
  const { headers } = request;
  const { auth, signedHeaders, signingDate } = readAuthorization(headers, options);
  const scope = parseCredentialScope(auth.credential, options.service, signingDate.amzDate);
  const payloadHash = payloadHashOf(request);
  const credential = await options.lookupCredential(scope.accessKeyId);
  if (credential === undefined) throw new UnrecognizedClientException(SIGV4_MESSAGES.invalidToken);

  const canonicalRequest = buildCanonicalRequest({
    method: request.method,
    path: request.path,
    headers,
    signedHeaders: auth.signedHeaders,
    payloadHash,
  });
  const stringToSign = [ALGORITHM, signingDate.amzDate, scope.scope, sha256Hex(canonicalRequest)];
  const keys = options.signingKeyCache ?? sharedSigningKeys;
  const signingKey = keys.get(credential.secretAccessKey, scope.date, scope.region, scope.service);
  const expected = createHmac('sha256', signingKey).update(stringToSign.join('\n')).digest();
  if (!signatureMatches(auth.signature, expected)) {
    throw new InvalidSignatureException(SIGV4_MESSAGES.signatureMismatch);
  }
  const token = firstHeaderValue(headers['x-amz-security-token']);
  const securityToken = checkSecurityToken(token, credential);
  return {
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    signedHeaders,
    ...(securityToken === undefined ? {} : { securityToken }),
  };
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
  const actual = createHash('sha256').update(request.body).digest('hex');
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

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
