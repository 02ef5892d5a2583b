/**
 * The keys of one account and region as the other KMS parts use them: finding a key by any
 * identifier, telling whether it may be used, and sealing and opening its material with the
 * root key. A key past its deletion window is destroyed the moment anything looks it up, so
 * its data is unreadable from then on even between two maintenance sweeps.
 *
 * Unsealed material is kept in memory for the keys in use (a bounded cache): a version's
 * material never changes once written, and unsealing it costs a query and an AES-GCM open on
 * every data key an artifact or secret needs. The key's row is still read on every call, so
 * its state decides each use; the cache drops a key's material as soon as the key is found
 * unusable or missing (also when another replica disabled or deleted it) and when it is
 * disabled, scheduled for deletion, destroyed or rotated here.
 */
import { randomBytes } from 'node:crypto';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { RootKey } from './root-key.js';
import type {
  KmsKeyMaterialRecord,
  KmsKeyRecord,
  KmsRotationType,
  KmsStore,
} from '../store/kms-store.js';
import { aliasArn, keyArn, parseKeyReference } from './key-identifiers.js';
import {
  DisabledException,
  KMSInvalidStateException,
  NotFoundException,
  UnsupportedOperationException,
} from './kms-errors.js';

const MATERIAL_BYTES = 32;
/** Key versions whose unsealed material is kept; the least recently used goes first. */
const MATERIAL_CACHE_ENTRIES = 256;

/** What the root key binds each sealed material to: its key and version, nothing else. */
export const sealContext = (keyId: string, version: number) =>
  `kms-key-material:${keyId}:${version}`;

export class KeyRing {
  /** `keyId:version` → material and its id, most recently used last. */
  private readonly unsealed = new Map<string, { material: Buffer; materialId: string }>();

  constructor(
    readonly store: KmsStore,
    private readonly rootKey: RootKey,
    readonly scope: AccountScope,
    readonly now: () => number,
  ) {}

  /** The ARN of a key of this account and region. */
  arn(keyId: string): string {
    return keyArn(this.scope, keyId);
  }

  /** The key a KeyId parameter names (id, ARN, alias or alias ARN); NotFoundException if none. */
  async find(keyIdParameter: string): Promise<KmsKeyRecord> {
    const reference = parseKeyReference(this.scope, keyIdParameter);
    if (reference.kind === 'alias') {
      const alias = await this.store.getAlias(reference.aliasName);
      const key = alias && (await this.findById(alias.keyId));
      if (!key) {
        throw new NotFoundException(
          `Alias ${aliasArn(this.scope, reference.aliasName)} is not found.`,
        );
      }
      return key;
    }
    const key = await this.findById(reference.keyId);
    if (!key) throw new NotFoundException(`Key '${this.arn(reference.keyId)}' does not exist`);
    return key;
  }

  /** A key by id, or undefined; a key whose deletion is due is destroyed here and then. */
  async findById(keyId: string): Promise<KmsKeyRecord | undefined> {
    const key = await this.store.getKey(keyId);
    if (!key) {
      this.forget(keyId);
      return undefined;
    }
    if (
      key.state === 'PendingDeletion' &&
      key.deletionMs !== null &&
      key.deletionMs <= this.now()
    ) {
      this.forget(keyId);
      await this.store.destroyKey(keyId, this.now());
      return undefined;
    }
    return key;
  }

  /** Throws unless the key may encrypt and decrypt now. */
  requireUsable(key: KmsKeyRecord): void {
    if (key.state !== 'Enabled') this.forget(key.keyId);
    switch (key.state) {
      case 'Enabled':
        return;
      case 'Disabled':
        throw new DisabledException(`${this.arn(key.keyId)} is disabled.`);
      case 'PendingDeletion':
        throw new KMSInvalidStateException(`${this.arn(key.keyId)} is pending deletion.`);
    }
  }

  /** Throws KMSInvalidStateException when the key is pending deletion. */
  requireNotPendingDeletion(key: KmsKeyRecord): void {
    if (key.state === 'PendingDeletion') {
      throw new KMSInvalidStateException(`${this.arn(key.keyId)} is pending deletion.`);
    }
  }

  /**
   * Throws for an AWS managed key: its service owns it, so nobody may disable, rotate on
   * demand or delete it (its key policy refuses those to everyone already).
   */
  requireCustomerManaged(key: KmsKeyRecord): void {
    if (key.keyManager === 'AWS') {
      throw new UnsupportedOperationException(
        `${this.arn(key.keyId)} is an AWS managed key; only its service may change it.`,
      );
    }
  }

  /** Fresh random material for version `version` of a key, sealed for the store. */
  newMaterial(
    keyId: string,
    version: number,
    rotationType: KmsRotationType | null,
  ): KmsKeyMaterialRecord {
    const material = randomBytes(MATERIAL_BYTES);
    const sealed = this.rootKey.seal(material.toString('base64'), sealContext(keyId, version));
    material.fill(0);
    return {
      keyId,
      version,
      materialId: randomBytes(32).toString('hex'),
      sealedMaterial: sealed,
      rotationType,
      createdMs: this.now(),
    };
  }

  /**
   * The material of one version of a key, unsealed; undefined when there is no such version.
   * The caller gets its own copy, to wipe when done. Check the key's state before calling.
   */
  async material(
    keyId: string,
    version: number,
  ): Promise<{ material: Buffer; materialId: string } | undefined> {
    const name = `${keyId}:${version}`;
    let entry = this.unsealed.get(name);
    if (entry) {
      this.unsealed.delete(name);
    } else {
      const record = await this.store.getMaterial(keyId, version);
      if (!record) return undefined;
      const opened = this.rootKey.open(record.sealedMaterial, sealContext(keyId, version));
      entry = { material: Buffer.from(opened, 'base64'), materialId: record.materialId };
    }
    this.unsealed.set(name, entry);
    for (const [oldest, dropped] of this.unsealed) {
      if (this.unsealed.size <= MATERIAL_CACHE_ENTRIES) break;
      dropped.material.fill(0);
      this.unsealed.delete(oldest);
    }
    return { material: Buffer.from(entry.material), materialId: entry.materialId };
  }

  /** Wipes and drops the unsealed material of every version of `keyId` kept in memory. */
  forget(keyId: string): void {
    for (const [name, entry] of this.unsealed) {
      if (!name.startsWith(`${keyId}:`)) continue;
      entry.material.fill(0);
      this.unsealed.delete(name);
    }
  }
}
