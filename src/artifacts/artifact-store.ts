/**
 * The artifact store contract. CodePipeline hands artifacts between actions as zip files in the
 * pipeline's artifact bucket; Lockstep's are immutable objects keyed by pipeline, execution and
 * artifact name, whose SHA-256 is recorded when written and checked on every read. The server
 * uses ObjectArtifactStore: artifacts are objects of the pipeline's artifact bucket in the S3
 * object store (src/objects/), so job workers reach them through the S3 API. FsArtifactStore,
 * one sealed file per artifact under a directory, still reads locations recorded before that.
 */

/** Where an artifact lives: one object per pipeline execution and output artifact name. */
export interface ArtifactKey {
  pipelineName: string;
  executionId: string;
  artifactName: string;
  /** The pipeline's `artifactStore.location`: the bucket the object store keeps it in. */
  bucketName?: string;
  /**
   * The pipeline's `artifactStore.encryptionKey.id` (key id, key ARN or alias) to encrypt a new
   * artifact under; absent, the installation's AWS-managed `aws/s3` key, as in CodePipeline.
   * Reads need no key id: the stored object names its own key.
   */
  encryptionKeyId?: string;
}

/** What a put returns and what the caller records (in the state store) to read it back. */
export interface StoredArtifact {
  /** Opaque to callers: 's3://<bucket>/<pipeline>/<execution>/<artifact>?versionId=<id>'. */
  location: string;
  /** Lowercase hex SHA-256 of the zip's (plaintext) bytes, taken when it was written. */
  sha256: string;
  sizeBytes: number;
}

/** How putDirectory picks files, as Commands outputArtifacts[].files and buildspec artifacts. */
export interface PutDirectoryOptions {
  /** Glob patterns relative to `baseDirectory` (default: every file, `**\/*`). */
  files?: string[];
  /** A directory inside `dir` that the patterns and the zip's entry names are relative to. */
  baseDirectory?: string;
  /** Store every file at the zip's root under its base name. */
  discardPaths?: boolean;
}

export interface ArtifactStore {
  /** Zips the files of `dir` (all, or those matching `files` globs relative to `baseDirectory ?? '.'`, as the Commands action's outputArtifacts[].files and buildspec artifacts do; `discardPaths` flattens) and stores them under `key`; refuses an existing key. */
  putDirectory(
    key: ArtifactKey,
    dir: string,
    options?: PutDirectoryOptions,
  ): Promise<StoredArtifact>;
  /** Stores an already-made zip under `key`; refuses an existing key. */
  putZip(key: ArtifactKey, zip: Buffer): Promise<StoredArtifact>;
  /** The zip's bytes after checking their SHA-256 against `artifact.sha256`. */
  readZip(artifact: StoredArtifact): Promise<Buffer>;
  /** Checks the SHA-256, then extracts into `destDir` (created if needed), refusing entries that would escape it (zip-slip, absolute paths, symlinks pointing out). */
  extractTo(artifact: StoredArtifact, destDir: string): Promise<void>;
}
