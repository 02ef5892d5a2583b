/**
 * The embedded artifact store: one encrypted zip per key under DIR/artifacts, written once and
 * never replaced. Each object is sealed with its own KMS data key (artifact-envelope.ts), so no
 * artifact byte is readable on disk. The SHA-256 of the plaintext zip is returned to the caller,
 * who records it in the state store; keeping the digest away from the bytes is what makes a
 * swap detectable on the next read, on top of the ciphertext's own authentication.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type {
  ArtifactKey,
  ArtifactStore,
  PutDirectoryOptions,
  StoredArtifact,
} from './artifact-store.js';
import type { KeyCipher } from '../kms/key-cipher.js';
import { ArtifactEnvelopeError, openArtifact, sealArtifact } from './artifact-envelope.js';
import { ArtifactExistsError, ArtifactIntegrityError } from './artifact-errors.js';
import { artifactObjectPath, fsArtifactLocation, parseFsArtifactLocation } from './artifact-key.js';
import { extractZip } from './extract-zip.js';
import { zipDirectory } from './zip-directory.js';

export class FsArtifactStore implements ArtifactStore {
  private rootReady: Promise<void> | undefined;

  /** `rootDir` is DIR/artifacts; it is created 0700 on the first write. */
  constructor(
    private readonly rootDir: string,
    private readonly keys: KeyCipher,
  ) {}

  /** Zips the selected files of `dir` and stores them under `key`; refuses an existing key. */
  async putDirectory(
    key: ArtifactKey,
    dir: string,
    options?: PutDirectoryOptions,
  ): Promise<StoredArtifact> {
    artifactObjectPath(key); // refuse a bad key before zipping a whole tree
    return this.putZip(key, await zipDirectory(dir, options));
  }

  /** Stores `zip` under `key`; refuses an existing key. */
  async putZip(key: ArtifactKey, zip: Buffer): Promise<StoredArtifact> {
    const file = path.join(this.rootDir, artifactObjectPath(key));
    const location = fsArtifactLocation(key);
    const keyId = key.encryptionKeyId ?? (await this.keys.managedKeyArn('alias/aws/s3'));
    const { sealed } = await sealArtifact(this.keys, keyId, key, zip);
    await this.ensureDirectory(path.dirname(file));
    await writeOnce(file, sealed, location);
    return { location, sha256: sha256Hex(zip), sizeBytes: zip.length };
  }

  /** The zip's bytes after checking their SHA-256 against `artifact.sha256`. */
  async readZip(artifact: StoredArtifact): Promise<Buffer> {
    const key = parseFsArtifactLocation(artifact.location);
    const file = path.join(this.rootDir, artifactObjectPath(key));
    let sealed: Buffer;
    try {
      sealed = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new ArtifactIntegrityError(artifact.location, artifact.sha256, undefined);
    }
    const bytes = await openArtifact(this.keys, key, sealed).catch((error: unknown) => {
      if (!(error instanceof ArtifactEnvelopeError)) throw error;
      throw new ArtifactIntegrityError(
        artifact.location,
        artifact.sha256,
        undefined,
        `the stored object could not be opened: ${error.message}`,
      );
    });
    const actual = sha256Hex(bytes);
    if (actual !== artifact.sha256) {
      throw new ArtifactIntegrityError(artifact.location, artifact.sha256, actual);
    }
    return bytes;
  }

  /** Checks the SHA-256, then extracts into `destDir`, refusing entries that would escape it. */
  async extractTo(artifact: StoredArtifact, destDir: string): Promise<void> {
    await extractZip(await this.readZip(artifact), destDir);
  }

  private async ensureDirectory(dir: string): Promise<void> {
    this.rootReady ??= (async () => {
      await mkdir(this.rootDir, { recursive: true, mode: 0o700 });
      await chmod(this.rootDir, 0o700); // it may have existed with a looser mode
    })().catch((error: unknown) => {
      this.rootReady = undefined; // let the next write try again
      throw error;
    });
    await this.rootReady;
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
}

/**
 * Writes `bytes` to `file` only if it does not exist, never leaving a partial file: a temporary
 * file beside it is written and synced, then hard-linked into place. link(), unlike rename(),
 * fails if the name is taken, so two writers racing on one key cannot replace each other.
 */
async function writeOnce(file: string, bytes: Buffer, location: string): Promise<void> {
  const dir = path.dirname(file);
  // Dot-prefixed: artifact names cannot start with '.', so a temporary never looks like one.
  const temporary = path.join(dir, `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, file).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EEXIST' ? new ArtifactExistsError(location) : error;
    });
  } finally {
    await rm(temporary, { force: true });
  }
  await syncDirectory(dir);
}

/** Makes the new directory entry durable, so a crash cannot forget an artifact it reported. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
