/**
 * KMS keys, their key material versions and aliases, as the store keeps them. Key material is
 * kept only sealed by the root key; src/kms/ owns the rules, the sealing and the policies.
 */

/** AWS's key states that Lockstep's symmetric keys go through. */
export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** CUSTOMER for keys a user created, AWS for the managed keys a service made on first use. */
export type KmsKeyManager = 'CUSTOMER' | 'AWS';

/** How a key material version came to be; null for the key's original material. */
export type KmsRotationType = 'AUTOMATIC' | 'ON_DEMAND';

export interface KmsKeyRecord {
  /** A UUID, as AWS's key ids are. */
  keyId: string;
  description: string;
  keyManager: KmsKeyManager;
  state: KmsKeyState;
  /** The key policy, as JSON text exactly as it was put. */
  policy: string;
  createdMs: number;
  /** When a key pending deletion is destroyed; null unless PendingDeletion. */
  deletionMs: number | null;
  pendingWindowDays: number | null;
  /** The automatic rotation period; null while automatic rotation is off. */
  rotationPeriodDays: number | null;
  nextRotationMs: number | null;
  /** The material version new ciphertexts use: 1, then +1 on every rotation. */
  currentVersion: number;
  onDemandRotations: number;
}

/** The columns of a key that change after creation. */
export type KmsKeyPatch = Partial<
  Pick<
    KmsKeyRecord,
    | 'state'
    | 'policy'
    | 'deletionMs'
    | 'pendingWindowDays'
    | 'rotationPeriodDays'
    | 'nextRotationMs'
    | 'onDemandRotations'
  >
>;

/** One version of a key's material. */
export interface KmsKeyMaterialRecord {
  keyId: string;
  version: number;
  /** 64 lowercase hex characters, AWS's KeyMaterialId; names the version, reveals nothing. */
  materialId: string;
  /** The 32 bytes of material, sealed by the root key bound to the key id and version. */
  sealedMaterial: string;
  rotationType: KmsRotationType | null;
  createdMs: number;
}

export interface KmsAliasRecord {
  /** `alias/...` */
  aliasName: string;
  keyId: string;
  createdMs: number;
  updatedMs: number;
}

/** Thrown when an alias by that name exists. */
export class KmsAliasExistsError extends Error {}

/** The KMS tables. */
export interface KmsStore {
  /**
   * Inserts a key with its first material, and `alias` when given, in one transaction; throws
   * KmsAliasExistsError (and inserts nothing) when the alias exists.
   */
  createKey(
    key: KmsKeyRecord,
    material: KmsKeyMaterialRecord,
    alias?: KmsAliasRecord,
  ): Promise<void>;
  getKey(keyId: string): Promise<KmsKeyRecord | undefined>;
  /** Keys by id, after `afterKeyId` when given. */
  listKeys(page: { afterKeyId?: string; limit: number }): Promise<KmsKeyRecord[]>;
  /** Updates a key if its state is one of `onlyInStates` (any state when absent); false if not. */
  updateKey(
    keyId: string,
    patch: KmsKeyPatch,
    onlyInStates?: readonly KmsKeyState[],
  ): Promise<boolean>;
  /**
   * Adds `material` as the key's new current version if the current one is still
   * `material.version - 1`, with `patch` applied; false when another rotation came first.
   */
  addMaterial(material: KmsKeyMaterialRecord, patch: KmsKeyPatch): Promise<boolean>;
  getMaterial(keyId: string, version: number): Promise<KmsKeyMaterialRecord | undefined>;
  /** Every material version of a key, oldest first. */
  listMaterials(keyId: string): Promise<KmsKeyMaterialRecord[]>;
  /** Keys pending deletion whose deletion time is at or before `nowMs`. */
  keysDueForDeletion(nowMs: number): Promise<string[]>;
  /** Enabled keys with automatic rotation whose next rotation is at or before `nowMs`. */
  keysDueForRotation(nowMs: number): Promise<string[]>;
  /**
   * Deletes a key that is pending deletion and due at `nowMs`, with every material version and
   * alias, in one transaction; false if it was not (cancelled meanwhile, or already gone).
   */
  destroyKey(keyId: string, nowMs: number): Promise<boolean>;
  /** Inserts an alias; throws KmsAliasExistsError when the name is taken. */
  createAlias(alias: KmsAliasRecord): Promise<void>;
  getAlias(aliasName: string): Promise<KmsAliasRecord | undefined>;
  /** Aliases by name (of one key when `keyId` is given), after `afterName` when given. */
  listAliases(page: {
    keyId?: string;
    afterName?: string;
    limit: number;
  }): Promise<KmsAliasRecord[]>;
  /** Points an alias at another key; false if there is no such alias. */
  updateAlias(aliasName: string, keyId: string, updatedMs: number): Promise<boolean>;
  /** Deletes an alias; false if there was none. */
  deleteAlias(aliasName: string): Promise<boolean>;
}
