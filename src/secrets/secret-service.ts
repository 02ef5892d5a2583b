/**
 * Secrets Manager's secrets and their values: create, read, write with staging labels, update,
 * delete with a recovery window and restore. Every value is sealed per version under KMS
 * (secret-value-cipher.ts); the operations that never touch a value (describe, list, tags,
 * rotation) are in secret-catalog.ts. `resolveValue` is how the engine reads a secret for an
 * action, with the action role's permissions.
 */
import { randomUUID } from 'node:crypto';
import type { Authorize } from '../iam/authorize.js';
import type { Principal } from '../iam/principal.js';
import type { KeyCipher } from '../kms/key-cipher.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import { SecretNameTakenError, type SecretStore } from '../store/secret-store.js';
import { checkSecretName, newSecretArn } from './secret-arn.js';
import {
  InvalidParameterException,
  InvalidRequestException,
  MARKED_FOR_DELETION,
  ResourceExistsException,
} from './secret-errors.js';
import type {
  CreateSecretInput,
  DeleteSecretInput,
  GetSecretValueInput,
  PutSecretValueInput,
  UpdateSecretInput,
  UpdateSecretVersionStageInput,
} from './secret-inputs.js';
import { checkTags, serializeSecretMetadata, type SecretMetadata } from './secret-metadata.js';
import { SecretCatalog } from './secret-catalog.js';
import { refuseIfScheduledForDeletion, SecretRecords, type Secret } from './secret-records.js';
import {
  plainValueOf,
  sameValue,
  SecretValueCipher,
  wireValue,
  type AuthorizeKeyUse,
  type PlainValue,
} from './secret-value-cipher.js';
import { SecretVersions, versionExists } from './secret-versions.js';
import { recordRotation } from './rotation-schedule.js';
import { AWSCURRENT, moveStage, stagesOf } from './version-staging.js';

const DAY_MS = 86_400_000;
/** Where Lockstep's own reads of a secret come from, in the authorizer's aws:SourceIp. */
const SERVICE_SOURCE = 'codepipeline.amazonaws.com';

/** A secret's current value, as the engine gets it for an action. */
export interface ResolvedSecretValue {
  arn: string;
  name: string;
  versionId: string;
  secretString?: string;
  secretBinary?: Buffer;
}

export class SecretService {
  readonly records: SecretRecords;
  /** Describe, list, tags and rotation: the operations that never touch a value. */
  readonly catalog: SecretCatalog;
  private readonly cipher: SecretValueCipher;
  private readonly versions: SecretVersions;

  constructor(
    store: SecretStore,
    keys: KeyCipher,
    readonly scope: AccountScope,
    private readonly authorize: Authorize,
    private readonly now: () => number = Date.now,
  ) {
    this.records = new SecretRecords(store, scope, now);
    this.cipher = new SecretValueCipher(keys, now);
    this.catalog = new SecretCatalog(this.records, now);
    this.versions = new SecretVersions(this.records, this.cipher, now);
  }

  private get store(): SecretStore {
    return this.records.store;
  }

  /** The ARN a call naming `secretId` is authorized on (see SecretRecords.resourceArn). */
  resourceArn(secretId: string | undefined): Promise<string> {
    return this.records.resourceArn(secretId);
  }

  /** CreateSecret: a new secret, with its first version when a value is given. */
  async create(input: CreateSecretInput, keyUse: AuthorizeKeyUse) {
    checkSecretName(input.Name);
    if (input.AddReplicaRegions !== undefined) {
      throw new InvalidRequestException(
        'Lockstep keeps secrets in one region; AddReplicaRegions is not supported.',
      );
    }
    const value = plainValueOf(input);
    const tags = checkTags(input.Tags ?? []);
    const kmsKeyId = input.KmsKeyId === '' ? undefined : input.KmsKeyId;
    const existing = await this.records.find(input.Name);
    if (existing) return this.createAgain(existing, input, value, keyUse);
    const arn = newSecretArn(this.scope, input.Name);
    const versionId = input.ClientRequestToken ?? randomUUID();
    const nowMs = this.now();
    const metadata: SecretMetadata = {
      ...(input.Description === undefined ? {} : { description: input.Description }),
      ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
      tags,
      stages: value ? { [AWSCURRENT]: versionId } : {},
      lastChangedMs: nowMs,
    };
    const versions = value
      ? [await this.cipher.seal({ secretArn: arn, versionId }, kmsKeyId, value, keyUse)]
      : [];
    const record = {
      arn,
      name: input.Name,
      createdMs: nowMs,
      revision: 0,
      deletionMs: null,
      lastAccessedMs: null,
      metadataJson: serializeSecretMetadata(metadata),
    };
    try {
      await this.store.create(record, versions);
    } catch (error) {
      if (error instanceof SecretNameTakenError) throw secretExists(input.Name);
      throw error;
    }
    return { ARN: arn, Name: input.Name, ...(value ? { VersionId: versionId } : {}) };
  }

  /** CreateSecret for a name that exists: a retry with the same token and value succeeds. */
  private async createAgain(
    existing: Secret,
    input: CreateSecretInput,
    value: PlainValue | undefined,
    keyUse: AuthorizeKeyUse,
  ) {
    if (existing.record.deletionMs !== null) {
      throw new InvalidRequestException(
        "You can't create this secret because a secret with this name is already scheduled " +
          'for deletion.',
      );
    }
    const token = input.ClientRequestToken;
    const version =
      token === undefined ? undefined : await this.store.getVersion(existing.record.arn, token);
    if (version === undefined || value === undefined) throw secretExists(input.Name);
    if (!sameValue(await this.cipher.open(version, keyUse), value)) throw versionExists();
    return { ARN: existing.record.arn, Name: existing.record.name, VersionId: version.versionId };
  }

  /** GetSecretValue: the version asked for (AWSCURRENT by default), decrypted. */
  async getValue(input: GetSecretValueInput, keyUse: AuthorizeKeyUse) {
    const secret = await this.records.requireLive(input.SecretId);
    const { version, value } = await this.versions.read(secret, input, keyUse);
    return {
      ARN: secret.record.arn,
      Name: secret.record.name,
      VersionId: version.versionId,
      ...wireValue(value),
      VersionStages: stagesOf(secret.metadata.stages, version.versionId),
      CreatedDate: new Date(version.createdMs),
    };
  }

  /** PutSecretValue: a new version, labelled AWSCURRENT unless other labels are asked for. */
  async putValue(input: PutSecretValueInput, keyUse: AuthorizeKeyUse) {
    const value = plainValueOf(input);
    if (value === undefined) {
      throw new InvalidParameterException('You must provide either SecretString or SecretBinary.');
    }
    const labels = input.VersionStages ?? [AWSCURRENT];
    const written = await this.versions.write(
      input.SecretId,
      input.ClientRequestToken,
      value,
      labels,
      keyUse,
    );
    return {
      ARN: written.secret.record.arn,
      Name: written.secret.record.name,
      VersionId: written.versionId,
      VersionStages: stagesOf(written.secret.metadata.stages, written.versionId),
    };
  }

  /**
   * UpdateSecret: description, KMS key (the labelled versions are sealed again under the new
   * key) and, when a value is given, a new AWSCURRENT version.
   */
  async update(input: UpdateSecretInput, keyUse: AuthorizeKeyUse) {
    const value = plainValueOf(input);
    const { record, metadata } = await this.records.requireLive(input.SecretId);
    // An empty KmsKeyId changes nothing; any other key seals the labelled versions again.
    const kmsKeyId = input.KmsKeyId === '' ? undefined : input.KmsKeyId;
    const newKey = kmsKeyId !== undefined && kmsKeyId !== metadata.kmsKeyId;
    const resealed = newKey
      ? await this.versions.reseal(record.arn, metadata, kmsKeyId, keyUse)
      : [];
    const updated = await this.records.change(record.arn, (secret) => ({
      metadata: {
        ...refuseIfScheduledForDeletion(secret).metadata,
        ...(input.Description === undefined ? {} : { description: input.Description }),
        ...(newKey ? { kmsKeyId } : {}),
        lastChangedMs: this.now(),
      },
      putVersions: resealed,
    }));
    if (value === undefined) return { ARN: updated.record.arn, Name: updated.record.name };
    const written = await this.versions.write(
      updated.record.arn,
      input.ClientRequestToken,
      value,
      [AWSCURRENT],
      keyUse,
    );
    return { ARN: updated.record.arn, Name: updated.record.name, VersionId: written.versionId };
  }

  /** DeleteSecret: scheduled after a recovery window (7 to 30 days, 30 by default), or at once. */
  async delete(input: DeleteSecretInput) {
    const days = input.RecoveryWindowInDays;
    if (days !== undefined && (days < 7 || days > 30)) {
      throw new InvalidParameterException(
        'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
      );
    }
    if (days !== undefined && input.ForceDeleteWithoutRecovery === true) {
      throw new InvalidParameterException(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const { record } = await this.records.require(input.SecretId);
    if (input.ForceDeleteWithoutRecovery === true) {
      await this.store.delete(record.arn);
      return { ARN: record.arn, Name: record.name, DeletionDate: new Date(this.now()) };
    }
    const deleted = await this.records.change(record.arn, (secret) => {
      if (secret.record.deletionMs !== null) throw new InvalidRequestException(MARKED_FOR_DELETION);
      return { deletionMs: this.now() + (days ?? 30) * DAY_MS };
    });
    return {
      ARN: record.arn,
      Name: record.name,
      DeletionDate: new Date(deleted.record.deletionMs ?? 0),
    };
  }

  /** RestoreSecret: cancels a scheduled deletion. */
  async restore(secretId: string) {
    const restored = await this.records.change(secretId, () => ({ deletionMs: null }));
    return { ARN: restored.record.arn, Name: restored.record.name };
  }

  /** UpdateSecretVersionStage: moves a staging label between versions (a rollback, say). */
  async updateVersionStage(input: UpdateSecretVersionStageInput) {
    const { record } = await this.records.requireLive(input.SecretId);
    for (const versionId of [input.RemoveFromVersionId, input.MoveToVersionId]) {
      if (versionId !== undefined) await this.versions.require(record.arn, versionId);
    }
    const moved = await this.records.change(record.arn, (secret) => {
      const { metadata } = refuseIfScheduledForDeletion(secret);
      const { VersionStage, RemoveFromVersionId, MoveToVersionId } = input;
      const stages = moveStage(metadata.stages, VersionStage, RemoveFromVersionId, MoveToVersionId);
      const nowMs = this.now();
      const newCurrent = stages[AWSCURRENT] !== metadata.stages[AWSCURRENT];
      return {
        metadata: {
          ...metadata,
          stages,
          lastChangedMs: nowMs,
          ...(newCurrent ? { rotation: recordRotation(metadata.rotation, nowMs) } : {}),
        },
      };
    });
    return { ARN: moved.record.arn, Name: moved.record.name };
  }

  /**
   * The current value (or the version or label asked for) of a secret, read for `principal`:
   * refused unless it may secretsmanager:GetSecretValue on the secret (and kms:Decrypt on a
   * customer managed key). For `{{resolve:secretsmanager:...}}` references and SECRETS_MANAGER
   * environment variables, read with the action role's session.
   */
  async resolveValue(
    secretId: string,
    principal: Principal,
    options: { versionId?: string; versionStage?: string } = {},
  ): Promise<ResolvedSecretValue> {
    const allowed = (action: string, resourceArn: string) =>
      this.authorize({
        principal,
        action,
        resourceArn,
        sourceIp: SERVICE_SOURCE,
        secureTransport: true,
      });
    await allowed('secretsmanager:GetSecretValue', await this.resourceArn(secretId));
    const got = await this.getValue(
      { SecretId: secretId, VersionId: options.versionId, VersionStage: options.versionStage },
      allowed,
    );
    return {
      arn: got.ARN,
      name: got.Name,
      versionId: got.VersionId,
      ...(got.SecretBinary === undefined
        ? { secretString: got.SecretString }
        : { secretBinary: Buffer.from(got.SecretBinary, 'base64') }),
    };
  }
}

function secretExists(name: string) {
  return new ResourceExistsException(
    `The operation failed because the secret ${name} already exists.`,
  );
}
