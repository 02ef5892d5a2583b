/**
 * Errors of the artifact store. Only ArtifactIntegrityError can reach an API caller (it says
 * someone altered an artifact between stages); the others fail the action that caused them.
 */
import { LockstepError } from '../errors/lockstep-error.js';

/** The stored bytes no longer hash to the digest recorded when they were written. */
export class ArtifactIntegrityError extends LockstepError {
  constructor(
    readonly location: string,
    readonly expectedSha256: string,
    /** Undefined when the object is gone or could not be decrypted (`reason` says which). */
    readonly actualSha256: string | undefined,
    reason?: string,
  ) {
    super(
      'ArtifactIntegrityError',
      `Artifact ${location} failed its integrity check: expected SHA-256 ${expectedSha256}, ` +
        (actualSha256 !== undefined
          ? `found ${actualSha256}`
          : `but ${reason ?? 'the object is missing'}`),
    );
  }
}

/** Artifacts are immutable: a key, once written, is never written again. */
export class ArtifactExistsError extends Error {
  constructor(readonly location: string) {
    super(`Artifact ${location} already exists; artifacts are immutable`);
    this.name = 'ArtifactExistsError';
  }
}

/** A pipeline name, execution id or artifact name that could not name an artifact. */
export class InvalidArtifactKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArtifactKeyError';
  }
}

/** The output artifact's file patterns matched nothing (CodePipeline fails the action so). */
export class NoMatchingArtifactPathsError extends Error {
  constructor(
    readonly patterns: readonly string[],
    baseDirectory: string,
  ) {
    super(
      `no matching artifact paths found for ${patterns.map((p) => `'${p}'`).join(', ')} ` +
        `in ${baseDirectory}`,
    );
    this.name = 'NoMatchingArtifactPathsError';
  }
}

/** A file pattern, source file, or zip entry that would reach outside its directory. */
export class UnsafeArtifactPathError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnsafeArtifactPathError';
  }
}

/** A custom action reported success without uploading a declared output artifact's object. */
export class ArtifactNotUploadedError extends Error {
  constructor(
    readonly bucket: string,
    readonly objectKey: string,
  ) {
    super(
      `The output artifact object s3://${bucket}/${objectKey} was not uploaded: the job ` +
        'worker must PutObject each output artifact to the key its job data names',
    );
    this.name = 'ArtifactNotUploadedError';
  }
}
