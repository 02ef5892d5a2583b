/**
 * What a secret's row keeps besides its identity: description, KMS key, tags, staging labels
 * and rotation, as one JSON document (the store treats it as opaque text). Values never go
 * here; they live only as ciphertext in the secret's versions.
 */
import { InvalidParameterException } from './secret-errors.js';
import type { RotationState } from './rotation-schedule.js';
import type { StageMap } from './version-staging.js';

/** A tag as Secrets Manager shapes it. */
export interface SecretTag {
  Key: string;
  Value: string;
}

export interface SecretMetadata {
  description?: string;
  /** The KMS key as the caller named it; absent means the managed key aws/secretsmanager. */
  kmsKeyId?: string;
  tags: SecretTag[];
  /** Staging label → version id. */
  stages: StageMap;
  lastChangedMs: number;
  rotation?: RotationState;
  /** The resource policy's JSON text, as PutResourcePolicy was given it. */
  resourcePolicy?: string;
}

/** AWS's limit on tags per secret. */
const MAX_TAGS = 50;

/** Reads a secret's metadata document. */
export function parseSecretMetadata(json: string): SecretMetadata {
  return JSON.parse(json) as SecretMetadata;
}

/** Writes a secret's metadata document. */
export function serializeSecretMetadata(metadata: SecretMetadata): string {
  return JSON.stringify(metadata);
}

/** Tags as the model lets a caller send them (Key and Value optional), checked and completed. */
export function checkTags(tags: readonly { Key?: string; Value?: string }[]): SecretTag[] {
  return tags.map((tag) => {
    if (tag.Key === undefined) {
      throw new InvalidParameterException('A tag must have a Key.');
    }
    if (tag.Key.toLowerCase().startsWith('aws:')) {
      throw new InvalidParameterException(
        `Tag key '${tag.Key}' is not allowed: the aws: prefix is reserved for AWS use.`,
      );
    }
    return { Key: tag.Key, Value: tag.Value ?? '' };
  });
}

/** `current` with `added` set (a key already present takes the new value). */
export function mergeTags(current: readonly SecretTag[], added: readonly SecretTag[]): SecretTag[] {
  const byKey = new Map(current.map((tag) => [tag.Key, tag.Value]));
  for (const tag of added) byKey.set(tag.Key, tag.Value);
  if (byKey.size > MAX_TAGS) {
    throw new InvalidParameterException(
      `A secret can have at most ${MAX_TAGS} tags; this request would give it ${byKey.size}.`,
    );
  }
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}
