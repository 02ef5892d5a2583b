/**
 * Where an artifact lives in the object store, and the location string the state store records
 * for it: `s3://<bucket>/<pipeline>/<execution>/<artifact>?versionId=<id>`. The object key is
 * the one the job data names (jobs/job-data.ts), so a custom worker's GetObject and PutObject
 * reach the same objects the built-in workers read and write. The version id pins the exact
 * version written: a later PutObject to the same key makes a new version and swaps nothing.
 */
import type { ArtifactKey } from './artifact-store.js';
import { InvalidArtifactKeyError } from './artifact-errors.js';
import { validateArtifactKey } from './artifact-key.js';

/** The bucket of a pipeline declared without an artifact store location. */
export const DEFAULT_ARTIFACT_BUCKET = 'lockstep-artifacts';
const S3_PREFIX = 's3://';
const VERSION_MARK = '?versionId=';

/** One stored artifact object. */
export interface ArtifactObject {
  bucket: string;
  objectKey: string;
  /** Absent for a location that names the key's latest version. */
  versionId?: string;
}

/** The object key of an artifact, as the job data names it: '<pipeline>/<execution>/<name>'. */
export function artifactObjectKeyOf(
  pipelineName: string,
  executionId: string,
  artifactName: string,
): string {
  return `${pipelineName}/${executionId}/${artifactName}`;
}

/** The validated bucket and object key of `key`. */
export function artifactObject(key: ArtifactKey): { bucket: string; objectKey: string } {
  validateArtifactKey(key);
  return {
    bucket: key.bucketName ?? DEFAULT_ARTIFACT_BUCKET,
    objectKey: artifactObjectKeyOf(key.pipelineName, key.executionId, key.artifactName),
  };
}

/** The location recorded for an artifact object. */
export function objectArtifactLocation(object: ArtifactObject): string {
  const version = object.versionId === undefined ? '' : VERSION_MARK + object.versionId;
  return `${S3_PREFIX}${object.bucket}/${object.objectKey}${version}`;
}

/** Parses a location made by objectArtifactLocation; undefined for any other location. */
export function parseObjectArtifactLocation(location: string): ArtifactObject | undefined {
  if (!location.startsWith(S3_PREFIX)) return undefined;
  const rest = location.slice(S3_PREFIX.length);
  const slash = rest.indexOf('/');
  const mark = rest.indexOf(VERSION_MARK);
  const keyEnd = mark === -1 ? rest.length : mark;
  if (slash <= 0 || slash + 1 >= keyEnd) {
    throw new InvalidArtifactKeyError(`not an artifact object location: '${location}'`);
  }
  return {
    bucket: rest.slice(0, slash),
    objectKey: rest.slice(slash + 1, keyEnd),
    ...(mark === -1 ? {} : { versionId: rest.slice(mark + VERSION_MARK.length) }),
  };
}
