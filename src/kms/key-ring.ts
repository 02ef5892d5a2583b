/**
 * The keys of one account and region as the other KMS parts use them: finding a key by any
 * identifier, telling whether it may be used, and sealing and opening its material with the
 * root key. A key past its deletion window is destroyed the moment anything looks it up, so
 * its data is unreadable from then on even between two maintenance sweeps.
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

/** What the root key binds each sealed material to: its key and version, nothing else. */
const sealContext = (keyId: string, version: number) => `kms-key-material:${keyId}:${version}`;

export class KeyRing {
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
    if (!key) return undefined;
    if (
      key.state === 'PendingDeletion' &&
      key.deletionMs !== null &&
      key.deletionMs <= this.now()
    ) {
      await this.store.destroyKey(keyId, this.now());
      return undefined;
    }
    return key;
  }

  /** Throws unless the key may encrypt and decrypt now. */
  requireUsable(key: KmsKeyRecord): void {
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

  /** The material of one version of a key, unsealed; undefined when there is no such version. */
  async material(
    keyId: string,
    version: number,
  ): Promise<{ material: Buffer; materialId: string } | undefined> {
    const record = await this.store.getMaterial(keyId, version);
    if (!record) return undefined;
    const opened = this.rootKey.open(record.sealedMaterial, sealContext(keyId, version));
    return { material: Buffer.from(opened, 'base64'), materialId: record.materialId };
  }
}
