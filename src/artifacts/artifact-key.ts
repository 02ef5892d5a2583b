/**
 * Turns an ArtifactKey into a relative object path and back. The patterns are CodePipeline's own
 * (PipelineName, PipelineExecutionId, ArtifactName in the service model); checking them here
 * again, not only at the API, is what guarantees a key can never name a file outside the store.
 */
import type { ArtifactKey } from './artifact-store.js';
import { InvalidArtifactKeyError } from './artifact-errors.js';

const PIPELINE_NAME = /^[A-Za-z0-9.@\-_]{1,100}$/;
const EXECUTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARTIFACT_NAME = /^[a-zA-Z0-9_-]{1,100}$/;
const FS_PREFIX = 'fs:';

/** Throws InvalidArtifactKeyError unless every part of `key` is a safe, valid name. */
export function validateArtifactKey(key: ArtifactKey): void {
  // '.' and '..' match CodePipeline's pipeline-name pattern but would be path traversal here.
  if (!PIPELINE_NAME.test(key.pipelineName) || /^\.+$/.test(key.pipelineName)) {
    throw new InvalidArtifactKeyError(
      `invalid pipeline name for an artifact: '${key.pipelineName}'`,
    );
  }
  if (!EXECUTION_ID.test(key.executionId)) {
    throw new InvalidArtifactKeyError(`invalid pipeline execution id: '${key.executionId}'`);
  }
  if (!ARTIFACT_NAME.test(key.artifactName)) {
    throw new InvalidArtifactKeyError(`invalid artifact name: '${key.artifactName}'`);
  }
}

/** The key's object path relative to the store's root: '<pipeline>/<execution>/<artifact>.zip'. */
export function artifactObjectPath(key: ArtifactKey): string {
  validateArtifactKey(key);
  return `${key.pipelineName}/${key.executionId}/${key.artifactName}.zip`;
}

/** The opaque location recorded for a filesystem artifact. */
export function fsArtifactLocation(key: ArtifactKey): string {
  return FS_PREFIX + artifactObjectPath(key);
}

/** Parses a location made by fsArtifactLocation, re-validating it (it comes back from storage). */
export function parseFsArtifactLocation(location: string): ArtifactKey {
  const parts = location.startsWith(FS_PREFIX) ? location.slice(FS_PREFIX.length).split('/') : [];
  const [pipelineName, executionId, file, ...rest] = parts;
  if (
    pipelineName === undefined ||
    executionId === undefined ||
    file?.endsWith('.zip') !== true ||
    rest.length > 0
  ) {
    throw new InvalidArtifactKeyError(`not a filesystem artifact location: '${location}'`);
  }
  const key = { pipelineName, executionId, artifactName: file.slice(0, -'.zip'.length) };
  validateArtifactKey(key);
  return key;
}
