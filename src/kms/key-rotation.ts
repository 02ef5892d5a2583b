/**
 * Key rotation: automatic (EnableKeyRotation, every RotationPeriodInDays) and on demand
 * (RotateKeyOnDemand). A rotation adds a material version and makes it current; every older
 * version stays, so ciphertext made before still decrypts, while new ciphertext uses the new
 * material. ListKeyRotations shows the versions.
 */
import type { KmsKeyRecord, KmsRotationType } from '../store/kms-store.js';
import type { KeyRing } from './key-ring.js';
import { ConflictException, InvalidMarkerException, LimitExceededException } from './kms-errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_PERIOD_DAYS = 365;
/** AWS KMS developer guide: on-demand rotation "a maximum of 25 times per KMS key". */
const MAX_ON_DEMAND_ROTATIONS = 25;
const DEFAULT_PAGE = 100;

export interface ListKeyRotationsInput {
  KeyId: string;
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';
  Limit?: number;
  Marker?: string;
}

export class KeyRotation {
  constructor(private readonly ring: KeyRing) {}

  /** EnableKeyRotation: the first automatic rotation comes one period from now. */
  async enable(input: { KeyId: string; RotationPeriodInDays?: number }): Promise<void> {
    const key = await this.changeableKey(input.KeyId);
    const days = input.RotationPeriodInDays ?? DEFAULT_PERIOD_DAYS;
    await this.ring.store.updateKey(
      key.keyId,
      { rotationPeriodDays: days, nextRotationMs: this.ring.now() + days * DAY_MS },
      ['Enabled'],
    );
  }

  /** DisableKeyRotation: no more automatic rotations; existing versions stay. */
  async disable(keyIdParameter: string): Promise<void> {
    const key = await this.changeableKey(keyIdParameter);
    await this.ring.store.updateKey(key.keyId, { rotationPeriodDays: null, nextRotationMs: null }, [
      'Enabled',
    ]);
  }

  /** GetKeyRotationStatus. */
  async status(keyIdParameter: string) {
    const key = await this.ring.find(keyIdParameter);
    const enabled = key.rotationPeriodDays !== null;
    return {
      KeyRotationEnabled: enabled,
      KeyId: this.ring.arn(key.keyId),
      ...(enabled ? { RotationPeriodInDays: key.rotationPeriodDays } : {}),
      ...(key.nextRotationMs !== null ? { NextRotationDate: new Date(key.nextRotationMs) } : {}),
    };
  }

  /** RotateKeyOnDemand: new current material now; the automatic schedule is unchanged. */
  async rotateOnDemand(keyIdParameter: string) {
    const key = await this.changeableKey(keyIdParameter);
    if (key.onDemandRotations >= MAX_ON_DEMAND_ROTATIONS) {
      throw new LimitExceededException(
        `${this.ring.arn(key.keyId)} has had the most on-demand rotations a key may have (${MAX_ON_DEMAND_ROTATIONS}).`,
      );
    }
    const rotated = await this.rotate(key, 'ON_DEMAND', {
      onDemandRotations: key.onDemandRotations + 1,
    });
    if (!rotated) {
      throw new ConflictException(`${this.ring.arn(key.keyId)} is being rotated already.`);
    }
    return { KeyId: this.ring.arn(key.keyId) };
  }

  /** Rotates every key whose automatic rotation is due; returns how many were rotated. */
  async rotateDueKeys(): Promise<number> {
    let rotated = 0;
    for (const keyId of await this.ring.store.keysDueForRotation(this.ring.now())) {
      const key = await this.ring.findById(keyId);
      if (key?.state !== 'Enabled' || key.rotationPeriodDays === null) continue;
      const next = this.ring.now() + key.rotationPeriodDays * DAY_MS;
      // Another replica rotating the same key at the same time makes this one a no-op.
      if (await this.rotate(key, 'AUTOMATIC', { nextRotationMs: next })) rotated += 1;
    }
    return rotated;
  }

  private async rotate(
    key: KmsKeyRecord,
    type: KmsRotationType,
    patch: { onDemandRotations?: number; nextRotationMs?: number },
  ): Promise<boolean> {
    const material = this.ring.newMaterial(key.keyId, key.currentVersion + 1, type);
    this.ring.forget(key.keyId);
    return this.ring.store.addMaterial(material, patch);
  }

  /** ListKeyRotations: the rotations (or every material version), oldest first. */
  async list(input: ListKeyRotationsInput) {
    const after = input.Marker === undefined ? 0 : Number(input.Marker);
    if (!Number.isSafeInteger(after) || after < 0) {
      throw new InvalidMarkerException(`Invalid marker: ${input.Marker}`);
    }
    const key = await this.ring.find(input.KeyId);
    const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
    const versions = (await this.ring.store.listMaterials(key.keyId)).filter(
      (m) => m.version > after && (all || m.rotationType !== null),
    );
    const limit = input.Limit ?? DEFAULT_PAGE;
    const page = versions.slice(0, limit);
    const truncated = versions.length > limit;
    return {
      Rotations: page.map((m) => ({
        KeyId: this.ring.arn(key.keyId),
        KeyMaterialId: m.materialId,
        KeyMaterialState: m.version === key.currentVersion ? 'CURRENT' : 'NON_CURRENT',
        ...(m.rotationType !== null
          ? { RotationDate: new Date(m.createdMs), RotationType: m.rotationType }
          : {}),
      })),
      Truncated: truncated,
      ...(truncated ? { NextMarker: String(page[page.length - 1]?.version) } : {}),
    };
  }

  /** A customer managed key that may have its rotation changed: enabled, not pending deletion. */
  private async changeableKey(keyIdParameter: string): Promise<KmsKeyRecord> {
    const key = await this.ring.find(keyIdParameter);
    this.ring.requireCustomerManaged(key);
    this.ring.requireUsable(key);
    return key;
  }
}
