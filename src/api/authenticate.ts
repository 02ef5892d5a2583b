/**
 * Authentication for every API: SigV4 against the access keys in the state store, then the
 * principal that key belongs to. Temporary (`ASIA`) keys resolve to their STS session, whose
 * token the request must carry. A request signed for another region is refused, as AWS does,
 * because it was meant for a different endpoint.
 */
import { randomUUID } from 'node:crypto';
import { ExpiredTokenException, InvalidSignatureException } from '../errors/lockstep-error.js';
import { resolveAccessKey } from '../iam/access-keys.js';
import type { Principal } from '../iam/principal.js';
import { isSessionAccessKeyId } from '../iam/sts/session-credentials.js';
import { resolveSession, sessionPrincipal } from '../iam/sts/resolve-session.js';
import type { RootKey } from '../kms/root-key.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { AccessKeyRecord, StateStore } from '../store/state-store.js';
import type { StsSessionRecord } from '../store/mfa-store.js';
import { firstHeaderValue } from './auth/first-header-value.js';
import { readPresignedQuery } from './auth/presigned-query.js';
import { SigningKeyCache } from './auth/signing-key-cache.js';
import type { SigV4Credential, SigV4Request, SigV4Seed } from './auth/verify-sigv4.js';
import { verifySigV4 } from './auth/verify-sigv4.js';
import type { Authenticate } from './json-protocol.js';

export interface AuthenticatorDependencies {
  store: StateStore;
  rootKey: RootKey;
  scope: AccountScope;
  bootstrapAdminKeyId: string;
  /** The clock, for tests; Date.now by default. */
  now?: () => number;
}

/** What the credential lookup found, kept so the principal needs no second read. */
type Found =
  | { kind: 'key'; record: AccessKeyRecord }
  | { kind: 'session'; record: StsSessionRecord; expired: boolean };

/** An S3 request as authentication sees it: the body is absent when it is streamed. */
export interface S3AuthRequest {
  method: string;
  /** The raw path with its query string, exactly as received. */
  url: string;
  headers: SigV4Request['headers'];
  body?: Buffer;
}

/** S3's authenticate step: who signed, and the seed an aws-chunked body's signatures chain from. */
export type S3Authenticate = (
  request: S3AuthRequest,
) => Promise<{ principal: Principal; seed: SigV4Seed }>;

/** Builds the authenticate step of the JSON protocol. */
export function createAuthenticator(deps: AuthenticatorDependencies): Authenticate {
  const verify = callerVerifier(deps);
  return async (request, signingName) => {
    const { method, url, headers, body } = request;
    return (await verify({ method, url, headers, body }, signingName, false)).principal;
  };
}

/** Builds the authenticate step of the S3 REST API (signing name `s3`, presigned URLs too). */
export function createS3Authenticator(deps: AuthenticatorDependencies): S3Authenticate {
  const verify = callerVerifier(deps);
  return async (request) => {
    const { principal, seed } = await verify(request, 's3', true);
    if (!seed) throw new Error('S3 SigV4 verified without its seed');
    return { principal, seed };
  };
}

function callerVerifier(deps: AuthenticatorDependencies) {
  const signingKeyCache = new SigningKeyCache(256);
  const now = deps.now ?? Date.now;
  return async (request: S3AuthRequest, signingName: string, s3: boolean) => {
    const nowMs = now();
    let found: Found | undefined;
    const verified = await verifySigV4(
      { method: request.method, path: request.url, headers: request.headers, body: request.body },
      {
        service: signingName,
        nowMs,
        signingKeyCache,
        s3,
        lookupCredential: async (accessKeyId) => {
          const token = presentedToken(request, s3);
          const lookup = isSessionAccessKeyId(accessKeyId)
            ? await lookupSession(deps, token, accessKeyId, nowMs)
            : await lookupKey(deps, accessKeyId);
          found = lookup?.found;
          return lookup?.credential;
        },
      },
    );
    if (verified.region !== deps.scope.region) {
      throw new InvalidSignatureException(
        `Credential should be scoped to a valid region. This server serves '${deps.scope.region}', ` +
          `not '${verified.region}'.`,
      );
    }
    if (!found) throw new Error('SigV4 verified without an access key record');
    return { principal: principalOf(found, deps), seed: verified.seed };
  };
}

/** The session token a request carries: a header, or for a presigned S3 URL a query parameter. */
function presentedToken(request: S3AuthRequest, s3: boolean): string | undefined {
  const header = firstHeaderValue(request.headers['x-amz-security-token']);
  if (header !== undefined || !s3 || request.headers.authorization !== undefined) return header;
  return readPresignedQuery(request.url)?.securityToken;
}

type Lookup = { found: Found; credential: SigV4Credential } | undefined;

async function lookupKey(deps: AuthenticatorDependencies, accessKeyId: string): Promise<Lookup> {
  const resolved = await resolveAccessKey(deps.store, deps.rootKey, accessKeyId);
  return (
    resolved && {
      found: { kind: 'key', record: resolved.record },
      credential: { secretAccessKey: resolved.secretAccessKey },
    }
  );
}

async function lookupSession(
  deps: AuthenticatorDependencies,
  presented: string | undefined,
  accessKeyId: string,
  nowMs: number,
): Promise<Lookup> {
  const session = await resolveSession(deps.store, deps.rootKey, accessKeyId, presented, nowMs);
  if (!session) return undefined;
  return {
    found: { kind: 'session', record: session.record, expired: session.expired },
    credential: {
      secretAccessKey: session.secretAccessKey,
      // Only the token's hash is stored, so verifySigV4 is handed the presented token when it
      // matched and a value nobody can present when it did not: it refuses after the
      // signature, in AWS's order.
      sessionToken: session.tokenMatches && presented !== undefined ? presented : randomUUID(),
    },
  };
}

function principalOf(found: Found, deps: AuthenticatorDependencies): Principal {
  if (found.kind === 'session') {
    // Checked only once the signature and token are proved, so that an expired session's
    // owner hears it is expired and nobody else learns anything.
    if (found.expired) {
      throw new ExpiredTokenException('The security token included in the request is expired');
    }
    return sessionPrincipal(found.record, deps.scope.accountId, deps.bootstrapAdminKeyId);
  }
  const { record } = found;
  return {
    arn: record.principalArn,
    accountId: deps.scope.accountId,
    userName: record.userName,
    accessKeyId: record.accessKeyId,
    isBootstrapAdmin: record.accessKeyId === deps.bootstrapAdminKeyId,
  };
}
