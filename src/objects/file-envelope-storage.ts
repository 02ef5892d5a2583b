/**
 * Envelopes as files: DIR/objects/<bucket>/<storage id>, directories 0700 and files 0600. The
 * default storage, for one machine or for replicas sharing a directory.
 */
import { access, constants, mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  EnvelopeMissingError,
  type EnvelopeStorage,
  type OpenedEnvelope,
} from './envelope-storage.js';

/**
 * Reads of large envelopes go in chunks of this size rather than fs's 64 KiB: each chunk passes
 * through a decipher, a hash and several streams, whose fixed cost per chunk dominated.
 */
const READ_CHUNK_BYTES = 1024 * 1024;

export class FileEnvelopeStorage implements EnvelopeStorage {
  readonly description: string;

  /** `rootDir` is DIR/objects, created 0700 on the first write. */
  constructor(private readonly rootDir: string) {
    this.description = rootDir;
  }

  /** The directory is made on the first write; a parent that cannot be written fails then. */
  async check(): Promise<void> {
    const existing = await nearestExisting(this.rootDir);
    await access(existing, constants.W_OK).catch(() => {
      throw new Error(`object storage directory ${this.rootDir} cannot be written (${existing})`);
    });
  }

  async write(bucket: string, storageId: string, sealed: Readable): Promise<void> {
    await mkdir(path.join(this.rootDir, bucket), { recursive: true, mode: 0o700 });
    const file = await open(this.pathOf(bucket, storageId), 'wx', 0o600);
    try {
      await pipeline(sealed, file.createWriteStream());
    } catch (error) {
      await rm(this.pathOf(bucket, storageId), { force: true });
      throw error;
    }
  }

  async open(bucket: string, storageId: string, headBytes: number): Promise<OpenedEnvelope> {
    const file = await open(this.pathOf(bucket, storageId), 'r').catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw new EnvelopeMissingError(bucket, storageId);
        throw error;
      },
    );
    try {
      const { size } = await file.stat();
      const head = await readStart(file, Math.min(size, headBytes));
      return new OpenedFile(file, size, head);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async remove(bucket: string, storageId: string): Promise<void> {
    await rm(this.pathOf(bucket, storageId), { force: true });
  }

  async removeBucket(bucket: string): Promise<void> {
    await rm(path.join(this.rootDir, bucket), { recursive: true, force: true });
  }

  private pathOf(bucket: string, storageId: string): string {
    return path.join(this.rootDir, bucket, storageId);
  }
}

/**
 * An open file: every stream reads from the same descriptor, so a file replaced on disk after
 * it was opened (and verified) cannot be served in its place.
 */
class OpenedFile implements OpenedEnvelope {
  constructor(
    private readonly file: FileHandle,
    readonly size: number,
    readonly head: Buffer,
  ) {}

  stream(start: number, end: number): Promise<Readable> {
    return Promise.resolve(
      this.file.createReadStream({ start, end, autoClose: false, highWaterMark: READ_CHUNK_BYTES }),
    );
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** The first `length` bytes of `file`. */
async function readStart(file: FileHandle, length: number): Promise<Buffer> {
  const bytes = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(bytes, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return bytes.subarray(0, filled);
}

/** `dir` or the closest of its ancestors that exists. */
async function nearestExisting(dir: string): Promise<string> {
  for (let current = dir; ; current = path.dirname(current)) {
    const exists = await access(current).then(
      () => true,
      () => false,
    );
    if (exists || current === path.dirname(current)) return current;
  }
}
