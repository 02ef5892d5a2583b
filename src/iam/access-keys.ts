/**
 * Access keys: ids shaped like AWS's (AKIA + 16 of [A-Z2-7]) and 40-character secrets. The
 * secret is kept only sealed by the root key, bound to its key id, never in clear.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { RootKey } from '../kms/root-key.js';
import type { AccessKeyRecord, StateStore } from '../store/state-store.js';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new access key id, `AKIA` and 16 characters, as IAM makes them. */
export function newAccessKeyId(): string {
  let id = 'AKIA';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** A new 40-character secret access key. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

/** The seal context of an access key's secret. */
export function sealContext(accessKeyId: string): string {
  return `lockstep:access-key:${accessKeyId}`;
}

/** Creates an access key for a principal and stores its secret sealed. */
export async function createAccessKey(
  store: StateStore,
  rootKey: RootKey,
  owner: { principalArn: string; userName: string },
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const accessKeyId = newAccessKeyId();
  const secretAccessKey = newSecretAccessKey();
  const record: AccessKeyRecord = {
    accessKeyId,
    principalArn: owner.principalArn,
    userName: owner.userName,
    secretCiphertext: rootKey.seal(secretAccessKey, sealContext(accessKeyId)),
    status: 'Active',
    createdMs: Date.now(),
  };
  await store.putAccessKey(record);
  return { accessKeyId, secretAccessKey };
}

/** The secret of an access key, for SigV4 verification; undefined if unknown or inactive. */
export async function resolveAccessKey(
  store: StateStore,
  rootKey: RootKey,
  accessKeyId: string,
): Promise<{ record: AccessKeyRecord; secretAccessKey: string } | undefined> {
  const record = await store.getAccessKey(accessKeyId);
  if (!record || record.status !== 'Active') return undefined;
  return {
    record,
    secretAccessKey: rootKey.open(record.secretCiphertext, sealContext(accessKeyId)),
  };
}
