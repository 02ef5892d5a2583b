/**
 * KMS for one account and region: the parts the API's operations call (keys, aliases,
 * rotation, crypto), the KeyCipher other domains use for envelope encryption, the AWS managed
 * keys made on first use, what the authorizer needs (a key's ARN and its key policy), and the
 * maintenance sweep that rotates keys when due and destroys keys whose deletion window ended.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ResourcePolicyRule } from '../iam/authorize.js';
import type { PolicyDocument } from '../iam/policy/policy-document.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import { KmsAliasExistsError, type KmsKeyRecord, type KmsStore } from '../store/kms-store.js';
import { readBlobHeader } from './ciphertext-blob.js';
import { decideKeyAccess } from './key-access.js';
import { KeyAliases } from './key-aliases.js';
import type { DataKey, EncryptionContext, KeyCipher, ManagedKeyAlias } from './key-cipher.js';
import { KeyCrypto } from './key-crypto.js';
import { aliasArn, KEY_ID, parseKeyReference } from './key-identifiers.js';
import { KeyLifecycle } from './key-lifecycle.js';
import { managedKeyPolicy, storedKeyPolicy } from './key-policy.js';
import { KeyRing } from './key-ring.js';
import { KeyRotation } from './key-rotation.js';
import type { RootKey } from './root-key.js';

const DATA_KEY_BYTES = 32;
const DAY_MS = 24 * 60 * 60 * 1000;
/** AWS managed keys rotate every year, and nobody can change that. */
const MANAGED_ROTATION_DAYS = 365;

const MANAGED_SERVICES: Record<ManagedKeyAlias, { service: string; title: string }> = {
  'alias/aws/secretsmanager': { service: 'secretsmanager', title: 'Secrets Manager' },
  'alias/aws/s3': { service: 's3', title: 'S3' },
  'alias/aws/codepipeline': { service: 'codepipeline', title: 'CodePipeline' },
  'alias/aws/logs': { service: 'logs', title: 'CloudWatch Logs' },
};

export class KeyService implements KeyCipher {
  readonly keys: KeyLifecycle;
  readonly aliases: KeyAliases;
  readonly rotation: KeyRotation;
  readonly crypto: KeyCrypto;
  private readonly ring: KeyRing;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    store: KmsStore,
    rootKey: RootKey,
    scope: AccountScope,
    now: () => number = Date.now,
  ) {
    this.ring = new KeyRing(store, rootKey, scope, now);
    this.keys = new KeyLifecycle(this.ring);
    this.aliases = new KeyAliases(this.ring);
    this.rotation = new KeyRotation(this.ring);
    this.crypto = new KeyCrypto(this.ring);
  }

  /** A fresh 256-bit data key, returned in clear and sealed under `keyId`. */
  async generateDataKey(input: {
    keyId: string;
    encryptionContext: EncryptionContext;
  }): Promise<DataKey> {
    const plaintextKey = randomBytes(DATA_KEY_BYTES);
    const sealed = await this.crypto.seal(input.keyId, plaintextKey, input.encryptionContext);
    return { keyArn: this.ring.arn(sealed.key.keyId), plaintextKey, encryptedKey: sealed.blob };
  }

  /** Opens a data key sealed by generateDataKey, with the same encryption context. */
  async decryptDataKey(input: {
    encryptedKey: Buffer;
    encryptionContext: EncryptionContext;
  }): Promise<{ keyArn: string; plaintextKey: Buffer }> {
    const opened = await this.crypto.open(input.encryptedKey, input.encryptionContext);
    return { keyArn: this.ring.arn(opened.key.keyId), plaintextKey: opened.plaintext };
  }

  /** The ARN of the AWS managed key for `alias`; the first call for an alias creates it. */
  async managedKeyArn(alias: ManagedKeyAlias): Promise<string> {
    const existing = await this.ring.store.getAlias(alias);
    if (existing) return this.ring.arn(existing.keyId);
    const key = this.managedKey(alias);
    const nowMs = this.ring.now();
    try {
      await this.ring.store.createKey(key, this.ring.newMaterial(key.keyId, 1, null), {
        aliasName: alias,
        keyId: key.keyId,
        createdMs: nowMs,
        updatedMs: nowMs,
      });
      return this.ring.arn(key.keyId);
    } catch (error) {
      // Another caller (or replica) created it first: theirs is the one.
      if (!(error instanceof KmsAliasExistsError)) throw error;
      return this.managedKeyArn(alias);
    }
  }

  private managedKey(alias: ManagedKeyAlias): KmsKeyRecord {
    const { service, title } = MANAGED_SERVICES[alias];
    const createdMs = this.ring.now();
    return {
      keyId: randomUUID(),
      description: `Default key that protects my ${title} data when no other key is defined`,
      keyManager: 'AWS',
      state: 'Enabled',
      policy: managedKeyPolicy(this.ring.scope, service),
      createdMs,
      deletionMs: null,
      pendingWindowDays: null,
      rotationPeriodDays: MANAGED_ROTATION_DAYS,
      nextRotationMs: createdMs + MANAGED_ROTATION_DAYS * DAY_MS,
      currentVersion: 1,
      onDemandRotations: 0,
    };
  }

  /**
   * The resource a call naming `keyIdParameter` is authorized on: the key's ARN, an alias
   * looked up to its key's; the alias ARN for an alias that does not exist, `*` without a key.
   */
  async authorizationArn(keyIdParameter: unknown): Promise<string> {
    if (typeof keyIdParameter !== 'string') return '*';
    let reference;
    try {
      reference = parseKeyReference(this.ring.scope, keyIdParameter);
    } catch {
      return keyIdParameter.startsWith('arn:') ? keyIdParameter : '*';
    }
    if (reference.kind === 'key') return this.ring.arn(reference.keyId);
    const alias = await this.ring.store.getAlias(reference.aliasName);
    return alias ? this.ring.arn(alias.keyId) : aliasArn(this.ring.scope, reference.aliasName);
  }

  /** The resource of a call on a ciphertext: the key its blob names, else the KeyId given. */
  async ciphertextArn(blob: unknown, keyIdParameter: unknown): Promise<string> {
    const header =
      typeof blob === 'string' ? readBlobHeader(Buffer.from(blob, 'base64')) : undefined;
    return header ? this.ring.arn(header.keyId) : this.authorizationArn(keyIdParameter);
  }

  /** The key policy of the key `resourceArn` names, or undefined when it names no key. */
  async keyPolicyOf(resourceArn: string): Promise<PolicyDocument | undefined> {
    const prefix = this.ring.arn('');
    const keyId = resourceArn.startsWith(prefix) ? resourceArn.slice(prefix.length) : '';
    if (!KEY_ID.test(keyId)) return undefined;
    const key = await this.ring.findById(keyId);
    return key && storedKeyPolicy(key.policy);
  }

  /** The authorizer's rule for `resourceArn` when it names a key: its key policy decides. */
  async accessRule(resourceArn: string): Promise<ResourcePolicyRule | undefined> {
    const policy = await this.keyPolicyOf(resourceArn);
    return policy && ((caller) => decideKeyAccess(caller, policy));
  }

  /** Destroys keys whose deletion window has ended, then rotates keys whose rotation is due. */
  async maintain(): Promise<{ destroyed: number; rotated: number }> {
    let destroyed = 0;
    for (const keyId of await this.ring.store.keysDueForDeletion(this.ring.now())) {
      this.ring.forget(keyId);
      if (await this.ring.store.destroyKey(keyId, this.ring.now())) destroyed += 1;
    }
    return { destroyed, rotated: await this.rotation.rotateDueKeys() };
  }

  /** Runs maintain() now and every `intervalMs`; failures are logged and retried next time. */
  startMaintenance(intervalMs: number, logError: (message: string, error: unknown) => void): void {
    const run = () => {
      this.running = this.maintain().catch((error: unknown) =>
        logError('KMS key maintenance failed', error),
      );
    };
    run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  /** Stops the sweep and waits for a run in progress, so the store can close after. */
  async stopMaintenance(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
