/**
 * From an `ASIA` key id and the token a request presented to the session and its principal.
 * A session is only as alive as the long-term key that started its chain: a deleted or
 * deactivated key takes its sessions with it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RootKey } from '../../kms/root-key.js';
import type { StsSessionRecord } from '../../store/mfa-store.js';
import type { StateStore } from '../../store/state-store.js';
import type { Principal } from '../principal.js';
import { sessionSecretContext } from './session-credentials.js';

export interface ResolvedSession {
  record: StsSessionRecord;
  secretAccessKey: string;
  /** Whether the presented token is this session's. */
  tokenMatches: boolean;
  expired: boolean;
}

/** The session of a temporary key id, or undefined if unknown or its source key is gone. */
export async function resolveSession(
  store: StateStore,
  rootKey: RootKey,
  accessKeyId: string,
  presentedToken: string | undefined,
  nowMs: number,
): Promise<ResolvedSession | undefined> {
  const record = await store.mfa.getSession(accessKeyId);
  if (!record) return undefined;
  const source = await store.getAccessKey(record.sourceAccessKeyId);
  if (!source || source.status !== 'Active') return undefined;
  const presented = createHash('sha256')
    .update(presentedToken ?? '', 'utf8')
    .digest();
  const tokenMatches =
    presentedToken !== undefined &&
    timingSafeEqual(presented, Buffer.from(record.tokenSha256, 'hex'));
  return {
    record,
    secretAccessKey: rootKey.open(record.secretCiphertext, sessionSecretContext(accessKeyId)),
    tokenMatches,
    expired: record.expiresMs <= nowMs,
  };
}

/** The principal a session acts as. */
export function sessionPrincipal(
  record: StsSessionRecord,
  accountId: string,
  bootstrapAdminKeyId: string,
): Principal {
  const role = record.roleName !== null;
  return {
    arn: record.principalArn,
    accountId,
    userName: role ? '' : record.userName,
    accessKeyId: record.accessKeyId,
    // The administrator's own user sessions stay the administrator; a role it assumes does not.
    isBootstrapAdmin: !role && record.sourceAccessKeyId === bootstrapAdminKeyId,
    session: {
      ...(record.roleArn === null ? {} : { roleArn: record.roleArn }),
      ...(record.roleName === null ? {} : { roleName: record.roleName }),
      ...(record.sessionName === null ? {} : { sessionName: record.sessionName }),
      ...(record.mfaAuthenticatedMs === null
        ? {}
        : { mfaAuthenticatedAtMs: record.mfaAuthenticatedMs }),
      ...(record.sessionPolicy === null ? {} : { sessionPolicy: record.sessionPolicy }),
      ...(record.sessionPolicyArns.length === 0
        ? {}
        : { sessionPolicyArns: record.sessionPolicyArns }),
    },
  };
}
