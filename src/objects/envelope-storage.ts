/**
 * Where the sealed envelopes of object versions (object-bytes.ts) are kept: files under
 * DIR/objects by default (file-envelope-storage.ts), or objects of a bucket in an external
 * S3-compatible service for installations larger than one machine (s3-envelope-storage.ts).
 *
 * Storage sees ciphertext only: sealing, digests and integrity checks stay in ObjectBytes, so a
 * backend needs no trust beyond keeping bytes, and what it hands back is verified as a file is.
 */
import type { Readable } from 'node:stream';

/** One stored envelope, opened for reading; the same bytes until closed. */
export interface OpenedEnvelope {
  /** Its size in bytes. */
  readonly size: number;
  /** Its first bytes: as many as were asked for at open, or all of them if fewer. */
  readonly head: Buffer;
  /** Bytes `start` to `end` (inclusive); fails if the envelope changed since it was opened. */
  stream(start: number, end: number): Promise<Readable>;
  close(): Promise<void>;
}

export interface EnvelopeStorage {
  /** How errors and logs name it: a directory, or `s3://bucket/prefix at URL`. */
  readonly description: string;
  /** Checks at start that the storage can be reached and written; throws a clear error if not. */
  check(): Promise<void>;
  /** Stores `sealed` as the envelope `storageId` of `bucket`; nothing is left behind on failure. */
  write(bucket: string, storageId: string, sealed: Readable): Promise<void>;
  /**
   * Opens an envelope with its first `headBytes` bytes read; EnvelopeMissingError if there is
   * none. One call fetches a small envelope whole.
   */
  open(bucket: string, storageId: string, headBytes: number): Promise<OpenedEnvelope>;
  /** Removes an envelope; a missing one is not an error. */
  remove(bucket: string, storageId: string): Promise<void>;
  /** Removes whatever a deleted bucket left (its envelopes are removed one by one before). */
  removeBucket(bucket: string): Promise<void>;
}

/** The envelope named is not in the storage. */
export class EnvelopeMissingError extends Error {
  constructor(bucket: string, storageId: string) {
    super(`envelope ${storageId} of bucket ${bucket} is missing`);
    this.name = 'EnvelopeMissingError';
  }
}
