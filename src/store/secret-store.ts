/**
 * Secrets Manager secrets as the store keeps them. A secret's row holds its identity, its
 * deletion schedule and its metadata (description, key, tags, staging labels, rotation) as one
 * JSON document that src/secrets/ owns; each version's value is a row of its own holding only
 * ciphertext and the data key encrypted under KMS. No plaintext value ever reaches the store.
 */

/** One stored secret. */
export interface SecretRecord {
  arn: string;
  name: string;
  createdMs: number;
  /** Bumped by every change; changes are compare-and-set on it. */
  revision: number;
  /** When the secret's scheduled deletion takes effect; null unless DeleteSecret scheduled one. */
  deletionMs: number | null;
  /** The day (epoch ms at 00:00 UTC) the secret's value was last read. */
  lastAccessedMs: number | null;
  /** The secret's metadata as JSON text; its shape belongs to src/secrets/. */
  metadataJson: string;
}

/** One version of a secret's value, sealed by envelope encryption. */
export interface SecretVersionRecord {
  secretArn: string;
  versionId: string;
  createdMs: number;
  valueType: 'string' | 'binary';
  /** The KMS key the data key is encrypted under. */
  keyArn: string;
  /** The data key, encrypted by KMS (base64). */
  encryptedKey: string;
  /** The value, encrypted with the data key (base64 of nonce, ciphertext and tag). */
  ciphertext: string;
}

/** A change to one secret, applied only if nobody changed it since `expectedRevision`. */
export interface SecretChange {
  /** The secret as it must become; stored with revision `expectedRevision + 1`. */
  secret: Omit<SecretRecord, 'revision' | 'lastAccessedMs'>;
  expectedRevision: number;
  /** New versions, or versions re-encrypted under another key (same id: replaced). */
  putVersions?: readonly SecretVersionRecord[];
  /** Versions to remove (deprecated versions past the limit). */
  deleteVersionIds?: readonly string[];
}

/** Thrown when a secret by that name exists (scheduled for deletion or not). */
export class SecretNameTakenError extends Error {
  constructor(readonly secretName: string) {
    super(`secret ${secretName} already exists`);
  }
}

/** The secrets and secret_versions tables. */
export interface SecretStore {
  /** Inserts a secret and its first versions; throws SecretNameTakenError if the name is taken. */
  create(secret: SecretRecord, versions: readonly SecretVersionRecord[]): Promise<void>;
  getByArn(arn: string): Promise<SecretRecord | undefined>;
  getByName(name: string): Promise<SecretRecord | undefined>;
  /** Every secret, by name. */
  list(): Promise<SecretRecord[]>;
  getVersion(secretArn: string, versionId: string): Promise<SecretVersionRecord | undefined>;
  /** Every stored version of a secret, oldest first. */
  listVersions(secretArn: string): Promise<SecretVersionRecord[]>;
  /** Applies `change` in one transaction; false if the secret moved on or is gone. */
  update(change: SecretChange): Promise<boolean>;
  /** Records the day the secret was last read (outside the revision: reads never conflict). */
  recordAccess(arn: string, dayMs: number): Promise<void>;
  /** Deletes a secret and every version of it; false if there was none. */
  delete(arn: string): Promise<boolean>;
}
