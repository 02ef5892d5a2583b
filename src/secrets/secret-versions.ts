/**
 * A secret's versions: reading the one a caller names, writing a new one with its staging
 * labels (idempotent on ClientRequestToken, as AWS is), and sealing the labelled ones again
 * under a new KMS key. Deprecated versions beyond AWS's limit of 100 are removed oldest first.
 */
import { randomUUID } from 'node:crypto';
import type { SecretVersionRecord } from '../store/secret-store.js';
import {
  InvalidRequestException,
  ResourceExistsException,
  ResourceNotFoundException,
} from './secret-errors.js';
import type { GetSecretValueInput } from './secret-inputs.js';
import type { SecretMetadata } from './secret-metadata.js';
import { refuseIfScheduledForDeletion, type Secret, type SecretRecords } from './secret-records.js';
import {
  sameValue,
  type AuthorizeKeyUse,
  type PlainValue,
  type SecretValueCipher,
} from './secret-value-cipher.js';
import { recordRotation } from './rotation-schedule.js';
import { attachStages, AWSCURRENT } from './version-staging.js';

const DAY_MS = 86_400_000;
/** AWS keeps at most this many versions; the oldest deprecated ones go first. */
const MAX_VERSIONS = 100;

export class SecretVersions {
  constructor(
    private readonly records: SecretRecords,
    private readonly cipher: SecretValueCipher,
    private readonly now: () => number,
  ) {}

  /** The version `input` names (AWSCURRENT by default), decrypted, and its id. */
  async read(
    { record, metadata }: Secret,
    input: Omit<GetSecretValueInput, 'SecretId'>,
    keyUse: AuthorizeKeyUse,
  ): Promise<{ version: SecretVersionRecord; value: PlainValue }> {
    const versionId = pickVersion(metadata, input);
    const version = await this.records.store.getVersion(record.arn, versionId);
    if (version === undefined) throw versionNotFound(versionId);
    const value = await this.cipher.open(version, keyUse);
    // AWS keeps the access date to the day; writing it once a day keeps reads cheap.
    const dayMs = Math.floor(this.now() / DAY_MS) * DAY_MS;
    if (record.lastAccessedMs !== dayMs) await this.records.store.recordAccess(record.arn, dayMs);
    return { version, value };
  }

  /** Whether the version exists, else ResourceNotFoundException naming it. */
  async require(secretArn: string, versionId: string): Promise<void> {
    if (!(await this.records.store.getVersion(secretArn, versionId))) {
      throw versionNotFound(versionId);
    }
  }

  /**
   * Seals `value` as version `token` (or a new id) and attaches `labels` to it; a retry with
   * the same token and value changes nothing, a different value under it is refused.
   */
  async write(
    secretId: string,
    token: string | undefined,
    value: PlainValue,
    labels: readonly string[],
    keyUse: AuthorizeKeyUse,
  ): Promise<{ secret: Secret; versionId: string }> {
    const secret = await this.records.requireLive(secretId);
    const arn = secret.record.arn;
    const versionId = token ?? randomUUID();
    const existing =
      token === undefined ? undefined : await this.records.store.getVersion(arn, token);
    if (existing !== undefined) {
      if (!sameValue(await this.cipher.open(existing, keyUse), value)) throw versionExists();
      return { secret, versionId };
    }
    const sealed = await this.cipher.seal(
      { secretArn: arn, versionId },
      secret.metadata.kmsKeyId,
      value,
      keyUse,
    );
    const versions = await this.records.store.listVersions(arn);
    const updated = await this.records.change(arn, (current) => {
      const { metadata } = refuseIfScheduledForDeletion(current);
      const stages = attachStages(metadata.stages, versionId, labels);
      const nowMs = this.now();
      const becameCurrent = stages[AWSCURRENT] === versionId;
      return {
        metadata: {
          ...metadata,
          stages,
          lastChangedMs: nowMs,
          ...(becameCurrent ? { rotation: recordRotation(metadata.rotation, nowMs) } : {}),
        },
        putVersions: [sealed],
        deleteVersionIds: versionsPastLimit(versions, stages),
      };
    });
    return { secret: updated, versionId };
  }

  /** The labelled versions of a secret sealed again under `kmsKeyId`. */
  async reseal(
    arn: string,
    metadata: SecretMetadata,
    kmsKeyId: string | undefined,
    keyUse: AuthorizeKeyUse,
  ) {
    const labelled = new Set(Object.values(metadata.stages));
    const versions = (await this.records.store.listVersions(arn)).filter((v) =>
      labelled.has(v.versionId),
    );
    return Promise.all(
      versions.map(async (version) =>
        this.cipher.seal(
          { secretArn: arn, versionId: version.versionId, createdMs: version.createdMs },
          kmsKeyId,
          await this.cipher.open(version, keyUse),
          keyUse,
        ),
      ),
    );
  }
}

/** The version GetSecretValue names by VersionId and/or VersionStage (AWSCURRENT by default). */
function pickVersion(
  metadata: SecretMetadata,
  input: Omit<GetSecretValueInput, 'SecretId'>,
): string {
  if (input.VersionId !== undefined) {
    if (
      input.VersionStage !== undefined &&
      metadata.stages[input.VersionStage] !== input.VersionId
    ) {
      throw new InvalidRequestException(
        'You provided a VersionStage that is not associated to the provided VersionId.',
      );
    }
    return input.VersionId;
  }
  const stage = input.VersionStage ?? AWSCURRENT;
  const versionId = metadata.stages[stage];
  if (versionId === undefined) {
    throw new ResourceNotFoundException(
      `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
    );
  }
  return versionId;
}

/** The oldest deprecated (unlabelled) versions beyond AWS's limit, counting the new one. */
function versionsPastLimit(
  versions: readonly { versionId: string }[],
  stages: Readonly<Record<string, string>>,
): string[] {
  const excess = versions.length + 1 - MAX_VERSIONS;
  if (excess <= 0) return [];
  const labelled = new Set(Object.values(stages));
  return versions
    .filter((v) => !labelled.has(v.versionId))
    .slice(0, excess)
    .map((v) => v.versionId);
}

function versionNotFound(versionId: string) {
  return new ResourceNotFoundException(
    `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
  );
}

/** A ClientRequestToken reused with another value. */
export function versionExists() {
  return new ResourceExistsException(
    "You can't modify an existing version, you can only create new versions.",
  );
}
