/**
 * A key's life: CreateKey (symmetric encryption keys only), DescribeKey, ListKeys,
 * EnableKey/DisableKey, ScheduleKeyDeletion/CancelKeyDeletion, and its key policy.
 */
import { randomUUID } from 'node:crypto';
import { ValidationException } from '../errors/lockstep-error.js';
import type { KmsKeyRecord } from '../store/kms-store.js';
import { keepsPolicyManageable } from './key-access.js';
import { KEY_ID } from './key-identifiers.js';
import { DEFAULT_POLICY_NAME, defaultKeyPolicy, parseKeyPolicy } from './key-policy.js';
import type { KeyRing } from './key-ring.js';
import {
  InvalidMarkerException,
  KMSInvalidStateException,
  MalformedPolicyDocumentException,
  NotFoundException,
  UnsupportedOperationException,
} from './kms-errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_PAGE = 100;

/** Who is asking, for the key policy lockout check. */
export interface KeyCaller {
  principalArn: string;
  principalRoleArn?: string;
}

export interface CreateKeyInput {
  Policy?: string;
  Description?: string;
  KeyUsage?: string;
  CustomerMasterKeySpec?: string;
  KeySpec?: string;
  Origin?: string;
  CustomKeyStoreId?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Tags?: unknown[];
  MultiRegion?: boolean;
  XksKeyId?: string;
}

export interface PutKeyPolicyInput {
  KeyId: string;
  Policy: string;
  PolicyName?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
}

/** CreateKey's refusals of everything but a symmetric encryption key made by KMS itself. */
function checkSymmetricOnly(input: CreateKeyInput): void {
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw new ValidationException(
      'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.',
    );
  }
  const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const usage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  if (spec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT') {
    // CodePipeline: "only supports symmetric KMS keys. Do not use an asymmetric KMS key".
    throw new UnsupportedOperationException(
      `KeySpec ${spec} with KeyUsage ${usage} is not supported: Lockstep, like CodePipeline ` +
        'artifact stores, supports only symmetric encryption KMS keys ' +
        '(KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT).',
    );
  }
  const unsupported: [boolean, string][] = [
    [(input.Origin ?? 'AWS_KMS') !== 'AWS_KMS', `Origin ${input.Origin} (only AWS_KMS)`],
    [input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined, 'custom key stores'],
    [input.MultiRegion === true, 'multi-Region keys'],
    [(input.Tags?.length ?? 0) > 0, 'tags on keys'],
  ];
  const refused = unsupported.find(([applies]) => applies);
  if (refused) {
    throw new UnsupportedOperationException(`Lockstep's KMS does not support ${refused[1]}.`);
  }
}

export class KeyLifecycle {
  constructor(private readonly ring: KeyRing) {}

  /** CreateKey: a customer managed symmetric key with fresh material and the given policy. */
  async create(input: CreateKeyInput, caller: KeyCaller) {
    checkSymmetricOnly(input);
    const keyId = randomUUID();
    const policy = input.Policy ?? defaultKeyPolicy(this.ring.scope);
    this.checkPolicy(policy, keyId, caller, input.BypassPolicyLockoutSafetyCheck);
    const key: KmsKeyRecord = {
      keyId,
      description: input.Description ?? '',
      keyManager: 'CUSTOMER',
      state: 'Enabled',
      policy,
      createdMs: this.ring.now(),
      deletionMs: null,
      pendingWindowDays: null,
      rotationPeriodDays: null,
      nextRotationMs: null,
      currentVersion: 1,
      onDemandRotations: 0,
    };
    const material = this.ring.newMaterial(keyId, 1, null);
    await this.ring.store.createKey(key, material);
    return { KeyMetadata: this.metadata(key, material.materialId) };
  }

  /** DescribeKey. */
  async describe(keyIdParameter: string) {
    const key = await this.ring.find(keyIdParameter);
    const current = await this.ring.store.getMaterial(key.keyId, key.currentVersion);
    return { KeyMetadata: this.metadata(key, current?.materialId) };
  }

  /** ListKeys: every key of the account and region, by key id, a page at a time. */
  async list(input: { Limit?: number; Marker?: string }) {
    if (input.Marker !== undefined && !KEY_ID.test(input.Marker)) {
      throw new InvalidMarkerException(`Invalid marker: ${input.Marker}`);
    }
    const limit = input.Limit ?? DEFAULT_PAGE;
    const keys = await this.ring.store.listKeys({
      ...(input.Marker !== undefined ? { afterKeyId: input.Marker } : {}),
      limit: limit + 1,
    });
    const page = keys.slice(0, limit);
    const truncated = keys.length > limit;
    return {
      Keys: page.map((k) => ({ KeyId: k.keyId, KeyArn: this.ring.arn(k.keyId) })),
      Truncated: truncated,
      ...(truncated ? { NextMarker: page[page.length - 1]?.keyId } : {}),
    };
  }

  /** EnableKey; KMSInvalidStateException while the key is pending deletion. */
  async enable(keyIdParameter: string): Promise<void> {
    const key = await this.ring.find(keyIdParameter);
    await this.setState(key, 'Enabled');
  }

  /** DisableKey: the key stays, but nothing may encrypt or decrypt with it until enabled. */
  async disable(keyIdParameter: string): Promise<void> {
    const key = await this.ring.find(keyIdParameter);
    await this.setState(key, 'Disabled');
  }

  private async setState(key: KmsKeyRecord, state: 'Enabled' | 'Disabled'): Promise<void> {
    this.ring.requireCustomerManaged(key);
    const changed = await this.ring.store.updateKey(key.keyId, { state }, ['Enabled', 'Disabled']);
    if (state === 'Disabled') this.ring.forget(key.keyId);
    if (!changed) {
      throw new KMSInvalidStateException(`${this.ring.arn(key.keyId)} is pending deletion.`);
    }
  }

  /** ScheduleKeyDeletion: unusable at once, destroyed with its material when the window ends. */
  async scheduleDeletion(input: { KeyId: string; PendingWindowInDays?: number }) {
    const days = input.PendingWindowInDays ?? 30;
    if (days < 7 || days > 30) {
      throw new ValidationException(
        `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30, inclusive`,
      );
    }
    const key = await this.ring.find(input.KeyId);
    this.ring.requireCustomerManaged(key);
    const deletionMs = this.ring.now() + days * DAY_MS;
    const scheduled = await this.ring.store.updateKey(
      key.keyId,
      { state: 'PendingDeletion', deletionMs, pendingWindowDays: days },
      ['Enabled', 'Disabled'],
    );
    this.ring.forget(key.keyId);
    if (!scheduled) {
      throw new KMSInvalidStateException(`${this.ring.arn(key.keyId)} is pending deletion.`);
    }
    return {
      KeyId: this.ring.arn(key.keyId),
      DeletionDate: new Date(deletionMs),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: days,
    };
  }

  /** CancelKeyDeletion: the key comes back Disabled, as in AWS. */
  async cancelDeletion(keyIdParameter: string) {
    const key = await this.ring.find(keyIdParameter);
    const cancelled = await this.ring.store.updateKey(
      key.keyId,
      { state: 'Disabled', deletionMs: null, pendingWindowDays: null },
      ['PendingDeletion'],
    );
    if (!cancelled) {
      throw new KMSInvalidStateException(`${this.ring.arn(key.keyId)} is not pending deletion.`);
    }
    return { KeyId: this.ring.arn(key.keyId) };
  }

  /** GetKeyPolicy: the key's one policy, named `default`. */
  async getPolicy(input: { KeyId: string; PolicyName?: string }) {
    const key = await this.ring.find(input.KeyId);
    checkPolicyName(input.PolicyName);
    return { Policy: key.policy, PolicyName: DEFAULT_POLICY_NAME };
  }

  /** ListKeyPolicies: always the one name, `default`. */
  async listPolicies(keyIdParameter: string) {
    await this.ring.find(keyIdParameter);
    return { PolicyNames: [DEFAULT_POLICY_NAME], Truncated: false };
  }

  /** PutKeyPolicy, with AWS's lockout safety check unless the caller bypasses it. */
  async putPolicy(input: PutKeyPolicyInput, caller: KeyCaller): Promise<void> {
    const key = await this.ring.find(input.KeyId);
    checkPolicyName(input.PolicyName);
    this.ring.requireCustomerManaged(key);
    this.checkPolicy(input.Policy, key.keyId, caller, input.BypassPolicyLockoutSafetyCheck);
    await this.ring.store.updateKey(key.keyId, { policy: input.Policy });
  }

  private checkPolicy(text: string, keyId: string, caller: KeyCaller, bypass?: boolean): void {
    const document = parseKeyPolicy(text);
    if (bypass === true || keepsPolicyManageable(document, caller, this.ring.arn(keyId))) return;
    throw new MalformedPolicyDocumentException(
      'The new key policy will not allow you to update the key policy in the future.',
    );
  }

  /** AWS's KeyMetadata of a key. */
  metadata(key: KmsKeyRecord, currentMaterialId?: string) {
    return {
      AWSAccountId: this.ring.scope.accountId,
      KeyId: key.keyId,
      Arn: this.ring.arn(key.keyId),
      CreationDate: new Date(key.createdMs),
      Enabled: key.state === 'Enabled',
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: key.state,
      ...(key.deletionMs !== null ? { DeletionDate: new Date(key.deletionMs) } : {}),
      ...(key.pendingWindowDays !== null
        ? { PendingDeletionWindowInDays: key.pendingWindowDays }
        : {}),
      Origin: 'AWS_KMS',
      KeyManager: key.keyManager,
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      ...(currentMaterialId !== undefined ? { CurrentKeyMaterialId: currentMaterialId } : {}),
    };
  }
}

function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== DEFAULT_POLICY_NAME) {
    throw new NotFoundException(
      `No such policy exists: ${name}. A key's only policy is "default".`,
    );
  }
}
