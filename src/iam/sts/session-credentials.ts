/**
 * Temporary credentials as STS hands them out: an `ASIA` access key id, a fresh secret and a
 * session token. The token is 32 random bytes (`lsts1_` + base64url); only its SHA-256 is
 * stored, so it cannot be forged or recovered from the database, and the secret is stored
 * only sealed by the root key, bound to the key id.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { RootKey } from '../../kms/root-key.js';
import type { StsSessionRecord } from '../../store/mfa-store.js';
import type { StateStore } from '../../store/state-store.js';
import { newSecretAccessKey } from '../access-keys.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SESSION_KEY_ID = /^ASIA[A-Z2-7]{16}$/;
const TOKEN_PREFIX = 'lsts1_';
/** Expired sessions are kept this long, so that their callers hear "expired", not "invalid". */
const EXPIRED_RETENTION_MS = 24 * 60 * 60 * 1000;

/** The fields of a session that say who it is; the credentials are made by issueSession. */
export type SessionTemplate = Omit<
  StsSessionRecord,
  'accessKeyId' | 'secretCiphertext' | 'tokenSha256' | 'expiresMs' | 'createdMs'
>;

/** The Credentials output shape of STS. */
export interface StsCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

/** True for a temporary access key id (`ASIA...`). */
export function isSessionAccessKeyId(accessKeyId: string): boolean {
  return SESSION_KEY_ID.test(accessKeyId);
}

/** Lowercase hex SHA-256 of a session token, as stored. */
export function sessionTokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The seal context of a session's secret. */
export function sessionSecretContext(accessKeyId: string): string {
  return `lockstep:sts-session:${accessKeyId}`;
}

function newSessionAccessKeyId(): string {
  let id = 'ASIA';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** Stores a new session and returns its credentials; the token and secret exist only here. */
export async function issueSession(
  deps: { store: StateStore; rootKey: RootKey; nowMs: number },
  template: SessionTemplate,
  durationSeconds: number,
): Promise<StsCredentials> {
  const accessKeyId = newSessionAccessKeyId();
  const secretAccessKey = newSecretAccessKey();
  const sessionToken = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const expiresMs = deps.nowMs + durationSeconds * 1000;
  await deps.store.mfa.deleteExpiredSessions(deps.nowMs - EXPIRED_RETENTION_MS);
  await deps.store.mfa.putSession({
    ...template,
    accessKeyId,
    secretCiphertext: deps.rootKey.seal(secretAccessKey, sessionSecretContext(accessKeyId)),
    tokenSha256: sessionTokenSha256(sessionToken),
    expiresMs,
    createdMs: deps.nowMs,
  });
  return {
    AccessKeyId: accessKeyId,
    SecretAccessKey: secretAccessKey,
    SessionToken: sessionToken,
    Expiration: new Date(expiresMs),
  };
}
