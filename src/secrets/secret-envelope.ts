/**
 * Envelope encryption of one secret version: a fresh AES-256 data key from KMS per version,
 * the value sealed with AES-256-GCM under it, and only the encrypted data key and the
 * ciphertext kept. The encryption context is the one AWS Secrets Manager uses (the secret's
 * ARN and the version id), so a ciphertext copied to another secret or version does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LockstepError } from '../errors/lockstep-error.js';
import type { EncryptionContext, KeyCipher } from '../kms/key-cipher.js';
import { DecryptionFailure, EncryptionFailure } from './secret-errors.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value as the store keeps it (base64 text). */
export interface SealedSecretValue {
  keyArn: string;
  encryptedKey: string;
  ciphertext: string;
}

/** Where a sealed value belongs; bound to it by KMS and by the cipher. */
export interface SecretVersionRef {
  secretArn: string;
  versionId: string;
}

/** The encryption context of a version, with AWS Secrets Manager's own key names. */
export function secretEncryptionContext(ref: SecretVersionRef): EncryptionContext {
  return { SecretARN: ref.secretArn, SecretVersionId: ref.versionId };
}

/** Seals `plaintext` under a new data key of `keyId`; EncryptionFailure if KMS refuses. */
export async function sealSecretValue(
  keys: KeyCipher,
  keyId: string,
  ref: SecretVersionRef,
  plaintext: Buffer,
): Promise<SealedSecretValue> {
  const dataKey = await keys
    .generateDataKey({ keyId, encryptionContext: secretEncryptionContext(ref) })
    .catch((error: unknown) => {
      throw kmsFailure(EncryptionFailure, "Secrets Manager can't encrypt the secret value", error);
    });
  try {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey.plaintextKey, nonce);
    cipher.setAAD(additionalData(ref));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      keyArn: dataKey.keyArn,
      encryptedKey: dataKey.encryptedKey.toString('base64'),
      ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64'),
    };
  } finally {
    dataKey.plaintextKey.fill(0);
  }
}

/** Opens what sealSecretValue made for the same version; DecryptionFailure otherwise. */
export async function openSecretValue(
  keys: KeyCipher,
  ref: SecretVersionRef,
  sealed: Pick<SealedSecretValue, 'encryptedKey' | 'ciphertext'>,
): Promise<Buffer> {
  const { plaintextKey } = await keys
    .decryptDataKey({
      encryptedKey: Buffer.from(sealed.encryptedKey, 'base64'),
      encryptionContext: secretEncryptionContext(ref),
    })
    .catch((error: unknown) => {
      throw kmsFailure(DecryptionFailure, "Secrets Manager can't decrypt the secret value", error);
    });
  try {
    const blob = Buffer.from(sealed.ciphertext, 'base64');
    if (blob.length < NONCE_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
    const decipher = createDecipheriv('aes-256-gcm', plaintextKey, blob.subarray(0, NONCE_BYTES));
    decipher.setAAD(additionalData(ref));
    decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(blob.subarray(NONCE_BYTES, blob.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (error) {
    throw new DecryptionFailure(
      "Secrets Manager can't decrypt the protected secret text: the stored ciphertext " +
        'does not match its version (altered or moved).',
      { cause: error },
    );
  } finally {
    plaintextKey.fill(0);
  }
}

/** The version's identity as the cipher's authenticated data. */
function additionalData(ref: SecretVersionRef): Buffer {
  return Buffer.from(`${ref.secretArn}\n${ref.versionId}`, 'utf8');
}

/**
 * A KMS refusal (a missing, disabled or deleted key, a wrong context) as Secrets Manager
 * reports it, naming the KMS error; anything else is not KMS's answer and passes through.
 */
function kmsFailure(Failure: typeof EncryptionFailure, what: string, error: unknown): unknown {
  if (!(error instanceof LockstepError) || error.fault !== 'client') return error;
  return new Failure(`${what} with its KMS key: ${error.code}: ${error.message}`, {
    cause: error,
  });
}
