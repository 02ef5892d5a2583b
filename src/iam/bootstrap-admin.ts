/**
 * First start: create the administrator and write its key to DIR/credentials in the AWS
 * shared-credentials format, mode 0600, so that `AWS_SHARED_CREDENTIALS_FILE=DIR/credentials
 * aws codepipeline ...` works at once (DESIGN.md section 3).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RootKey } from '../kms/root-key.js';
import type { StateStore } from '../store/state-store.js';
import { createAccessKey } from './access-keys.js';
import { BOOTSTRAP_ADMIN_USER } from './principal.js';

const ADMIN_KEY_SETTING = 'iam.bootstrapAdminAccessKeyId';

export interface BootstrapResult {
  accessKeyId: string;
  /** True when this start created the administrator and wrote the credentials file. */
  created: boolean;
}

/** The ARN of the bootstrap administrator in an account. */
export function bootstrapAdminArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:user/${BOOTSTRAP_ADMIN_USER}`;
}

/** Ensures the bootstrap administrator exists; writes its credentials file when it is made. */
export async function ensureBootstrapAdmin(
  store: StateStore,
  rootKey: RootKey,
  options: { accountId: string; dataDir: string },
): Promise<BootstrapResult> {
  const existing = await store.getSetting(ADMIN_KEY_SETTING);
  if (existing !== undefined) return { accessKeyId: existing, created: false };
  const owner = {
    principalArn: bootstrapAdminArn(options.accountId),
    userName: BOOTSTRAP_ADMIN_USER,
  };
  const key = await createAccessKey(store, rootKey, owner);
  // Two replicas starting together on one PostgreSQL: the first setting wins, and only the
  // winner writes a credentials file.
  const winner = await store.initSetting(ADMIN_KEY_SETTING, key.accessKeyId);
  if (winner !== key.accessKeyId) return { accessKeyId: winner, created: false };
  await writeCredentialsFile(path.join(options.dataDir, 'credentials'), key);
  return { accessKeyId: key.accessKeyId, created: true };
}

/** Writes an AWS shared-credentials file readable by its owner only. */
export async function writeCredentialsFile(
  file: string,
  key: { accessKeyId: string; secretAccessKey: string },
): Promise<void> {
  const text =
    '[default]\n' +
    `aws_access_key_id = ${key.accessKeyId}\n` +
    `aws_secret_access_key = ${key.secretAccessKey}\n`;
  await writeFile(file, text, { mode: 0o600, flag: 'w' });
}
