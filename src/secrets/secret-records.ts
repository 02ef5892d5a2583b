/**
 * A secret's records as src/secrets/ reads them: the stored row with its metadata parsed, and
 * the lookups every operation starts with (by name, full ARN or partial ARN), including the
 * lazy end of a recovery window: a secret found past its deletion date is deleted for good
 * there and then, and is not found.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedMutex } from '../engine/keyed-mutex.js';
import type { AccountScope } from '../pipelines/pipeline-arn.js';
import type { SecretRecord, SecretStore, SecretVersionRecord } from '../store/secret-store.js';
import { readSecretId, secretArnPrefix } from './secret-arn.js';
import {
  InternalServiceError,
  InvalidRequestException,
  MARKED_FOR_DELETION,
  secretNotFound,
} from './secret-errors.js';
import {
  parseSecretMetadata,
  serializeSecretMetadata,
  type SecretMetadata,
} from './secret-metadata.js';

/** A stored secret with its metadata read. */
export interface Secret {
  record: SecretRecord;
  metadata: SecretMetadata;
}

/** What one change to a secret does; absent members stay as they are. */
export interface SecretUpdate {
  metadata?: SecretMetadata;
  deletionMs?: number | null;
  putVersions?: readonly SecretVersionRecord[];
  deleteVersionIds?: readonly string[];
}

/** Attempts at a compare-and-set change before giving up on a secret that keeps changing. */
const CHANGE_ATTEMPTS = 8;
/** The longest pause before another attempt, so that replicas racing fall out of step. */
const MAX_BACKOFF_MS = 40;

export class SecretRecords {
  private readonly writers = new KeyedMutex();

  constructor(
    readonly store: SecretStore,
    readonly scope: AccountScope,
    private readonly now: () => number,
  ) {}

  /** The secret `secretId` names, or undefined. */
  async find(secretId: string): Promise<Secret | undefined> {
    const id = readSecretId(this.scope, secretId);
    if (id === undefined) return undefined;
    const record =
      (id.arn === undefined ? undefined : await this.store.getByArn(id.arn)) ??
      (await this.store.getByName(id.name));
    if (record === undefined) return undefined;
    if (record.deletionMs !== null && record.deletionMs <= this.now()) {
      // The recovery window is over: the secret and every version go now.
      await this.store.delete(record.arn);
      return undefined;
    }
    return { record, metadata: parseSecretMetadata(record.metadataJson) };
  }

  /** The secret, or ResourceNotFoundException. */
  async require(secretId: string): Promise<Secret> {
    const secret = await this.find(secretId);
    if (secret === undefined) throw secretNotFound();
    return secret;
  }

  /** The secret, refused with InvalidRequestException while it is scheduled for deletion. */
  async requireLive(secretId: string): Promise<Secret> {
    return refuseIfScheduledForDeletion(await this.require(secretId));
  }

  /** Every secret, those whose recovery window is over deleted on the way. */
  async all(): Promise<Secret[]> {
    const nowMs = this.now();
    const secrets: Secret[] = [];
    for (const record of await this.store.list()) {
      if (record.deletionMs !== null && record.deletionMs <= nowMs) {
        await this.store.delete(record.arn);
      } else {
        secrets.push({ record, metadata: parseSecretMetadata(record.metadataJson) });
      }
    }
    return secrets;
  }

  /**
   * The ARN authorization is evaluated on: the secret's own when it exists, else the ARN the
   * caller gave, else the name's ARN without a suffix (which a `NAME-*` grant still matches).
   */
  async resourceArn(secretId: string | undefined): Promise<string> {
    if (secretId === undefined) return '*';
    const found = await this.find(secretId);
    if (found) return found.record.arn;
    return secretId.startsWith('arn:') ? secretId : `${secretArnPrefix(this.scope)}${secretId}`;
  }

  /**
   * Applies `decide` to the secret as stored, as one compare-and-set. Writers in this process
   * take turns per secret; when another server got there first, the secret is read again and
   * `decide` runs again.
   */
  async change(
    secretId: string,
    decide: (secret: Secret) => SecretUpdate | Promise<SecretUpdate>,
  ): Promise<Secret> {
    const { arn } = (await this.require(secretId)).record;
    return this.writers.run(arn, () => this.changeOnce(arn, decide));
  }

  private async changeOnce(
    arn: string,
    decide: (secret: Secret) => SecretUpdate | Promise<SecretUpdate>,
  ): Promise<Secret> {
    for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await sleep(Math.random() * MAX_BACKOFF_MS);
      const secret = await this.require(arn);
      const update = await decide(secret);
      const metadata = update.metadata ?? secret.metadata;
      const record = {
        ...secret.record,
        deletionMs: update.deletionMs === undefined ? secret.record.deletionMs : update.deletionMs,
        metadataJson: serializeSecretMetadata(metadata),
      };
      const applied = await this.store.update({
        secret: record,
        expectedRevision: secret.record.revision,
        putVersions: update.putVersions,
        deleteVersionIds: update.deleteVersionIds,
      });
      if (applied) return { record: { ...record, revision: record.revision + 1 }, metadata };
    }
    throw new InternalServiceError(
      `The secret ${arn} was changed by other requests at the same time; try again.`,
    );
  }
}

/** `secret` itself, or InvalidRequestException while it is scheduled for deletion. */
export function refuseIfScheduledForDeletion(secret: Secret): Secret {
  if (secret.record.deletionMs !== null) throw new InvalidRequestException(MARKED_FOR_DELETION);
  return secret;
}
