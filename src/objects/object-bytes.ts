/**
 * The bytes of object versions: each one envelope (artifacts/artifact-envelope.ts) sealed under
 * its own data key and bound to the object's ARN and version id, kept by an EnvelopeStorage
 * (files under DIR/objects, or an external S3-compatible bucket). Nothing stored is plaintext.
 *
 * A write streams the body through MD5 (the ETag), SHA-256 (the digest kept in the state
 * store) and the sealing cipher straight into storage, so a 5 GiB upload needs no memory to
 * speak of. A read authenticates the whole envelope and checks its SHA-256 against the
 * recorded one before the first byte goes out; small versions are fetched whole in one call and
 * served from memory, larger ones from a second pass over the same opened envelope. Callers
 * that use nothing before the end (artifacts, multipart completion) read large versions in one
 * pass instead, checked at the end (readWholeInOnePass).
 */
import { createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import {
  createOpeningStream,
  createRangeDecryptStream,
  createSealingStream,
  ctrStart,
  ENVELOPE_TAG_BYTES,
  MAX_ENVELOPE_HEADER_BYTES,
  openEnvelopeKey,
} from '../artifacts/artifact-envelope.js';
import { LockstepError } from '../errors/lockstep-error.js';
import type { EncryptionContext, KeyCipher } from '../kms/key-cipher.js';
import {
  EnvelopeMissingError,
  type EnvelopeStorage,
  type OpenedEnvelope,
} from './envelope-storage.js';
import { EntityTooLarge, ObjectIntegrityError } from './object-errors.js';
import { Sha256Check } from './sha256-check.js';

/** KMS's answers that mean the wrapped key or its context was altered, not the key's state. */
const TAMPERING_CODES = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);
/** Versions up to this size are decrypted once, into memory; larger ones are streamed twice. */
const IN_MEMORY_BYTES = 8 * 1024 * 1024;
/** The largest file a small version's envelope can take. */
const MAX_IN_MEMORY_FILE_BYTES = IN_MEMORY_BYTES + MAX_ENVELOPE_HEADER_BYTES + ENVELOPE_TAG_BYTES;

/** What a write produced, for the version's row. */
export interface WrittenBytes {
  storageId: string;
  sizeBytes: number;
  sha256: string;
  md5: string;
  keyArn: string;
}

/** Which stored bytes to read (a version's, or an upload part's), and what they must hash to. */
export interface StoredBytes {
  bucket: string;
  key: string;
  /** How an integrity error names them: `version <id>`, `upload <id> part <n>`. */
  label: string;
  /** The encryption context they were sealed with. */
  context: EncryptionContext;
  storageId: string;
  sizeBytes: number;
  sha256: string;
}

/** An inclusive byte range of the plaintext. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What binds a version's ciphertext to its place: S3's own context, plus the version id. */
export function objectEncryptionContext(
  bucket: string,
  key: string,
  versionId: string,
): EncryptionContext {
  return { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${key}`, 'lockstep:s3:versionId': versionId };
}

/** What binds an uploaded part's ciphertext to its upload and number. */
export function partEncryptionContext(
  bucket: string,
  key: string,
  uploadId: string,
  partNumber: number,
): EncryptionContext {
  return {
    'aws:s3:arn': `arn:aws:s3:::${bucket}/${key}`,
    'lockstep:s3:uploadId': uploadId,
    'lockstep:s3:partNumber': String(partNumber),
  };
}

export class ObjectBytes {
  constructor(
    private readonly storage: EnvelopeStorage,
    private readonly keys: KeyCipher,
  ) {}

  /** Seals `body` into a new envelope of `bucket` under `keyId`; refuses more than `maxBytes`. */
  async write(
    bucket: string,
    context: EncryptionContext,
    keyId: string,
    body: Readable,
    maxBytes: number,
  ): Promise<WrittenBytes> {
    const sealing = await createSealingStream(this.keys, keyId, context);
    const storageId = randomBytes(16).toString('hex');
    const digests = new DigestTap(maxBytes);
    const sealed = new PassThrough();
    await Promise.all([
      pipeline(body, digests, sealing.stream, sealed),
      this.storage.write(bucket, storageId, sealed),
    ]).catch(async (error: unknown) => {
      // Either side failing ends both: the storage sees a broken stream and keeps nothing.
      sealed.destroy(error as Error);
      await this.storage.remove(bucket, storageId).catch(() => undefined);
      throw error;
    });
    return { storageId, keyArn: sealing.keyArn, ...digests.result() };
  }

  /**
   * The plaintext of a version (or of `range` of it), after authenticating the whole envelope
   * and checking its SHA-256; ObjectIntegrityError if anything does not match.
   */
  async read(stored: StoredBytes, range?: ByteRange): Promise<Readable> {
    const wanted = range ?? { start: 0, end: stored.sizeBytes - 1 };
    return this.readWith(
      stored,
      (plaintext) => Readable.from([plaintext.subarray(wanted.start, wanted.end + 1)]),
      async (source, key) => {
        await verify(source, key);
        return serve(source, key, wanted);
      },
    );
  }

  /**
   * The whole plaintext of a version in one pass, for callers that use none of it before the
   * stream has ended (they buffer it, or write it where a failed stream keeps nothing): a large
   * version is decrypted once and its SHA-256 checked at the end, where the stream fails with
   * ObjectIntegrityError on a mismatch. Half the work of read() for a large version.
   */
  async readWholeInOnePass(stored: StoredBytes): Promise<Readable> {
    return this.readWith(
      stored,
      (plaintext) => Readable.from([plaintext]),
      (source, key) => serve(source, key, { start: 0, end: stored.sizeBytes - 1 }),
    );
  }

  /**
   * The whole plaintext of a version in memory, its SHA-256 checked against `stored.sha256`
   * before it is returned (a large version's by readWholeInOnePass, at the end of its one pass).
   */
  async readWhole(stored: StoredBytes): Promise<Buffer> {
    const read = await this.readWith<Buffer | Readable>(
      stored,
      (plaintext) => plaintext,
      (source, key) => serve(source, key, { start: 0, end: stored.sizeBytes - 1 }),
    );
    return Buffer.isBuffer(read) ? read : buffer(read);
  }

  /**
   * Opens a version's envelope and data key: a small version is fetched whole, opened and
   * checked in memory and handed to `readSmall`; a larger one (only its header fetched) is
   * handed to `readLarge`.
   */
  private async readWith<T>(
    stored: StoredBytes,
    readSmall: (plaintext: Buffer) => T,
    readLarge: (source: Source, key: OpenedKey) => Promise<T>,
  ): Promise<T> {
    const fail = (reason: string) =>
      new ObjectIntegrityError(stored.bucket, stored.key, stored.label, reason);
    const headBytes =
      stored.sizeBytes <= IN_MEMORY_BYTES ? MAX_IN_MEMORY_FILE_BYTES : MAX_ENVELOPE_HEADER_BYTES;
    const envelope = await this.storage
      .open(stored.bucket, stored.storageId, headBytes)
      .catch((error: unknown) => {
        if (error instanceof EnvelopeMissingError) throw fail('its stored bytes are missing');
        throw error;
      });
    if (envelope.head.length === envelope.size) {
      // The whole envelope is in `head`, so its storage is closed while the key is opened; the
      // bytes in memory, checked below, do not depend on how a read-only close went.
      const closed = envelope.close().catch(() => undefined);
      try {
        const opened = await this.openKey(envelope.head, envelope.size, stored, fail);
        // openKey has checked the size against the row, so a whole head is a small version.
        return readSmall(openWhole(envelope.head, opened, stored, fail));
      } finally {
        await closed;
      }
    }
    try {
      const opened = await this.openKey(envelope.head, envelope.size, stored, fail);
      return await readLarge({ envelope, bodyStart: opened.bodyStart, stored, fail }, opened);
    } catch (error) {
      await envelope.close();
      throw error;
    }
  }

  /** Removes a version's bytes (already forgotten by the state store). */
  async remove(bucket: string, storageId: string): Promise<void> {
    await this.storage.remove(bucket, storageId);
  }

  /** Removes what a deleted bucket left in storage, which holds nothing of it by then. */
  async removeBucket(bucket: string): Promise<void> {
    await this.storage.removeBucket(bucket);
  }

  /** Opens the data key named in `prefix`, the first bytes of a `size`-byte envelope. */
  private async openKey(
    prefix: Buffer,
    size: number,
    stored: StoredBytes,
    fail: (reason: string) => ObjectIntegrityError,
  ) {
    let opened: Awaited<ReturnType<typeof openEnvelopeKey>>;
    try {
      opened = await openEnvelopeKey(this.keys, stored.context, prefix);
    } catch (error) {
      // A disabled or deleted key is the key's state, not tampering: KMS says which.
      const cause = (error as Error).cause;
      if (cause instanceof LockstepError && !TAMPERING_CODES.has(cause.code)) throw cause;
      throw fail((error as Error).message);
    }
    if (size - opened.bodyStart - ENVELOPE_TAG_BYTES !== stored.sizeBytes) {
      opened.dataKey.fill(0);
      throw fail(`its stored size differs from the ${stored.sizeBytes} bytes recorded`);
    }
    return opened;
  }
}

interface Source {
  envelope: OpenedEnvelope;
  bodyStart: number;
  stored: StoredBytes;
  fail: (reason: string) => ObjectIntegrityError;
}

interface OpenedKey {
  dataKey: Buffer;
  nonce: Buffer;
}

/** A whole envelope opened in memory: GCM tag and SHA-256 checked, the plaintext returned. */
function openWhole(
  envelope: Buffer,
  key: OpenedKey & { bodyStart: number },
  stored: StoredBytes,
  fail: (reason: string) => ObjectIntegrityError,
): Buffer {
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.dataKey, key.nonce);
    decipher.setAuthTag(envelope.subarray(envelope.length - ENVELOPE_TAG_BYTES));
    const body = envelope.subarray(key.bodyStart, envelope.length - ENVELOPE_TAG_BYTES);
    plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw fail('its ciphertext failed authentication');
  } finally {
    key.dataKey.fill(0);
  }
  const actual = createHash('sha256').update(plaintext).digest('hex');
  if (actual !== stored.sha256) throw fail(`expected SHA-256 ${stored.sha256}, found ${actual}`);
  return plaintext;
}

/** First pass over a large version: GCM tag and SHA-256 over everything, nothing kept. */
async function verify(source: Source, key: OpenedKey): Promise<void> {
  const hash = createHash('sha256');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
  try {
    // Body and tag: the opening stream checks the tag at the end.
    const cipherText = await source.envelope.stream(source.bodyStart, source.envelope.size - 1);
    await pipeline(cipherText, createOpeningStream(key.dataKey, key.nonce), sink);
  } catch (error) {
    key.dataKey.fill(0);
    throw source.fail((error as Error).message);
  }
  const actual = hash.digest('hex');
  if (actual !== source.stored.sha256) {
    key.dataKey.fill(0);
    throw source.fail(`expected SHA-256 ${source.stored.sha256}, found ${actual}`);
  }
}

/**
 * Decrypts `range` of a version too large to keep (after verify(), or as the only pass of a
 * one-pass read). A whole-object read is hashed as it goes and fails the stream at its end if
 * the bytes do not hash to the recorded SHA-256 (changed since the first pass, or never right).
 */
async function serve(source: Source, key: OpenedKey, range: ByteRange): Promise<Readable> {
  let cipherText: Readable;
  try {
    cipherText = await source.envelope.stream(
      source.bodyStart + ctrStart(range.start),
      source.bodyStart + range.end,
    );
  } catch (error) {
    key.dataKey.fill(0);
    throw error;
  }
  const decrypt = createRangeDecryptStream(key.dataKey, key.nonce, range.start);
  key.dataKey.fill(0);
  const whole = range.start === 0 && range.end === source.stored.sizeBytes - 1;
  const output = new PassThrough();
  const stages: (Readable | Transform | PassThrough)[] = [cipherText, decrypt];
  if (whole) {
    const { sha256 } = source.stored;
    stages.push(
      new Sha256Check(sha256, (actual) =>
        source.fail(`expected SHA-256 ${sha256}, found ${actual}`),
      ),
    );
  }
  pipeline([...stages, output])
    .then(
      () => source.envelope.close(),
      (error: unknown) => {
        output.destroy(error as Error);
        return source.envelope.close();
      },
    )
    .catch(() => undefined);
  return output;
}

/** Counts and digests a body on its way to the cipher, refusing one larger than allowed. */
class DigestTap extends Transform {
  private readonly md5 = createHash('md5');
  private readonly sha256 = createHash('sha256');
  private bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(
        new EntityTooLarge({}, `Your upload exceeds the maximum of ${this.maxBytes} bytes.`),
      );
      return;
    }
    this.md5.update(chunk);
    this.sha256.update(chunk);
    callback(null, chunk);
  }

  result(): { sizeBytes: number; md5: string; sha256: string } {
    return {
      sizeBytes: this.bytes,
      md5: this.md5.digest('hex'),
      sha256: this.sha256.digest('hex'),
    };
  }
}
