/**
 * How a secret is shown: DescribeSecret's response and ListSecrets' entries, which carry the
 * same members except the name of the version map. Never a value: only ARN, name, metadata,
 * dates and which version holds which staging label.
 */
import type { Secret } from './secret-records.js';
import { versionsToStages } from './version-staging.js';

/** The members DescribeSecret and ListSecrets share. */
function commonView({ record, metadata }: Secret) {
  const rotation = metadata.rotation;
  const rotating = rotation?.enabled === true;
  return {
    ARN: record.arn,
    Name: record.name,
    ...(metadata.description === undefined ? {} : { Description: metadata.description }),
    ...(metadata.kmsKeyId === undefined ? {} : { KmsKeyId: metadata.kmsKeyId }),
    // Omitted until rotation was ever configured, as AWS does; the rules stay once it was.
    ...(rotation === undefined ? {} : { RotationEnabled: rotating, RotationRules: rotation.rules }),
    ...(rotating && rotation.lastRotatedMs !== undefined
      ? { LastRotatedDate: new Date(rotation.lastRotatedMs) }
      : {}),
    ...(rotating && rotation.nextRotationMs !== undefined
      ? { NextRotationDate: new Date(rotation.nextRotationMs) }
      : {}),
    LastChangedDate: new Date(metadata.lastChangedMs),
    ...(record.lastAccessedMs === null
      ? {}
      : { LastAccessedDate: new Date(record.lastAccessedMs) }),
    ...(record.deletionMs === null ? {} : { DeletedDate: new Date(record.deletionMs) }),
    ...(metadata.tags.length === 0 ? {} : { Tags: metadata.tags }),
    CreatedDate: new Date(record.createdMs),
  };
}

/** DescribeSecret's response. */
export function describeView(secret: Secret) {
  const stages = versionsToStages(secret.metadata.stages);
  return {
    ...commonView(secret),
    ...(Object.keys(stages).length === 0 ? {} : { VersionIdsToStages: stages }),
  };
}

/** One entry of ListSecrets' SecretList. */
export function listEntryView(secret: Secret) {
  const stages = versionsToStages(secret.metadata.stages);
  return {
    ...commonView(secret),
    ...(Object.keys(stages).length === 0 ? {} : { SecretVersionsToStages: stages }),
  };
}
