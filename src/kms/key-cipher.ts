/**
 * What other domains need from KMS: envelope encryption under a key, bound to an encryption
 * context. Secrets Manager seals secret values with it and the artifact store seals artifacts;
 * both name a key by id, ARN or alias, or use the installation's AWS-managed key for their
 * service. The KMS key service (kms/key-service.ts) implements it.
 */

/** Key-value pairs bound to a ciphertext as authenticated data; decryption needs the same. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** The AWS-managed keys a Lockstep installation creates on first use, one per service. */
export type ManagedKeyAlias =
  'alias/aws/secretsmanager' | 'alias/aws/s3' | 'alias/aws/codepipeline' | 'alias/aws/logs';

export interface DataKey {
  /** The ARN of the KMS key the data key is encrypted under. */
  keyArn: string;
  /** 32 bytes for AES-256. Use it, then let it go; never store it. */
  plaintextKey: Buffer;
  /** The data key encrypted under the KMS key; self-describing (it names the key and version). */
  encryptedKey: Buffer;
}

export interface KeyCipher {
  /**
   * A fresh AES-256 data key under `keyId` (key id, key ARN, alias name or alias ARN).
   * Throws the KMS errors (NotFoundException, DisabledException, KMSInvalidStateException)
   * when the key cannot be used.
   */
  generateDataKey(input: { keyId: string; encryptionContext: EncryptionContext }): Promise<DataKey>;
  /**
   * Decrypts a data key made by generateDataKey with the same encryption context. Throws
   * InvalidCiphertextException when the blob or the context does not match, and the KMS
   * state errors when its key is disabled or deleted.
   */
  decryptDataKey(input: {
    encryptedKey: Buffer;
    encryptionContext: EncryptionContext;
  }): Promise<{ keyArn: string; plaintextKey: Buffer }>;
  /** The ARN of the installation's AWS-managed key for `alias`, created the first time. */
  managedKeyArn(alias: ManagedKeyAlias): Promise<string>;
}
