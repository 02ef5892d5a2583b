/**
 * Action logs sealed at rest. What an action prints can be anything its build touched (source
 * lines, artifact contents, hostnames), so a log is encrypted like an artifact: under a fresh
 * KMS data key (the installation's `aws/logs` key), bound to the log's place by its encryption
 * context, so a file copied to another place does not open there.
 *
 * A log is appended to over time (a git source writes a line per git command, each through its
 * own open), so the file is a sequence of segments, one per open, each with its own data key:
 *
 *   segment: "LSL1" | u16 wrapped-key length | wrapped key | 4-byte nonce prefix
 *   record:  u32 plaintext length | AES-256-GCM ciphertext | 16-byte tag
 *
 * Record i of a segment uses the nonce prefix || u64 i, so records cannot be reordered within a
 * segment. A record is far shorter than 0x4C534C31 bytes (what "LSL1" reads as a length), which
 * tells a segment from a record. Offsets in the times file beside the log count plaintext bytes.
 * A log written before logs were sealed has no magic and is read as it is. A record torn by a
 * crash at the end of the file is left out when reading, and cut off before the next append.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EncryptionContext, KeyCipher } from '../kms/key-cipher.js';

const MAGIC = Buffer.from('LSL1', 'ascii');
const PREFIX_BYTES = 4;
const TAG_BYTES = 16;
const LENGTH_BYTES = 4;
/** The longest record written: LineLog writes lines of at most 64 Ki characters at a time. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** A log file whose bytes do not open: altered, truncated mid-record, or moved elsewhere. */
export class SealedLogError extends Error {
  constructor(logFile: string, reason: string) {
    super(`action log ${logFile} cannot be read: ${reason}`);
    this.name = 'SealedLogError';
  }
}

/** One open segment: its header, then records sealed one by one. */
export interface SealedLogSegment {
  /** The bytes that start the segment, to be written before any record. */
  readonly header: Buffer;
  /** The record for `plaintext`, to be appended in order. */
  seal(plaintext: Buffer): Buffer;
}

/** Seals and opens the action logs under `logsDir` (DIR/logs). */
export class ActionLogCipher {
  /** The `aws/logs` key's ARN, looked up once: a managed key's alias never moves. */
  private keyArn: Promise<string> | undefined;

  constructor(
    private readonly keys: KeyCipher,
    private readonly logsDir: string,
  ) {}

  /** A new segment for `logFile`, under a fresh data key of the `aws/logs` key. */
  async openSegment(logFile: string): Promise<SealedLogSegment> {
    this.keyArn ??= this.keys.managedKeyArn('alias/aws/logs').catch((error: unknown) => {
      this.keyArn = undefined;
      throw error;
    });
    const keyId = await this.keyArn;
    const dataKey = await this.keys.generateDataKey({
      keyId,
      encryptionContext: this.context(logFile),
    });
    const prefix = randomBytes(PREFIX_BYTES);
    const wrappedLength = Buffer.alloc(2);
    wrappedLength.writeUInt16BE(dataKey.encryptedKey.length);
    const header = Buffer.concat([MAGIC, wrappedLength, dataKey.encryptedKey, prefix]);
    const key = dataKey.plaintextKey;
    let index = 0n;
    return {
      header,
      seal(plaintext: Buffer): Buffer {
        const cipher = createCipheriv('aes-256-gcm', key, recordNonce(prefix, index++));
        const length = Buffer.alloc(LENGTH_BYTES);
        length.writeUInt32BE(plaintext.length);
        return Buffer.concat([
          length,
          cipher.update(plaintext),
          cipher.final(),
          cipher.getAuthTag(),
        ]);
      },
    };
  }

  /** The whole plaintext of `logFile`; empty when there is no file. */
  async read(logFile: string): Promise<Buffer> {
    const stored = await readStored(logFile);
    if (!isSealed(stored)) return stored;
    const pieces: Buffer[] = [];
    for (const segment of parseSegments(stored, logFile).segments) {
      const { plaintextKey } = await this.keys
        .decryptDataKey({
          encryptedKey: segment.wrappedKey,
          encryptionContext: this.context(logFile),
        })
        .catch((error: unknown) => {
          throw new SealedLogError(
            logFile,
            `its data key did not open (${(error as Error).message})`,
          );
        });
      segment.records.forEach((record, i) => {
        pieces.push(
          openRecord(plaintextKey, recordNonce(segment.prefix, BigInt(i)), record, logFile),
        );
      });
      plaintextKey.fill(0);
    }
    return Buffer.concat(pieces);
  }

  /** How many plaintext bytes `logFile` holds, from its record lengths: nothing is decrypted. */
  async plaintextLength(logFile: string): Promise<number> {
    const stored = await readStored(logFile);
    return isSealed(stored) ? sealedLogExtent(stored, logFile).plaintextBytes : stored.length;
  }

  /** What binds a log's data keys to its place: its path under DIR/logs. */
  private context(logFile: string): EncryptionContext {
    return { 'lockstep:logs:file': path.relative(this.logsDir, logFile).split(path.sep).join('/') };
  }
}

/** A log file's stored bytes; none when the action printed nothing (and so has no file). */
function readStored(logFile: string): Promise<Buffer> {
  return readFile(logFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  });
}

/** True for a sealed log, false for an empty or plaintext (older) one. */
export function isSealed(stored: Buffer): boolean {
  return stored.length >= MAGIC.length && stored.subarray(0, MAGIC.length).equals(MAGIC);
}

/**
 * How a sealed log stands, from its lengths alone (nothing decrypted): the plaintext bytes it
 * holds, and how many of its bytes are whole records (fewer than its size after a torn write).
 */
export function sealedLogExtent(
  stored: Buffer,
  logFile: string,
): { plaintextBytes: number; completeBytes: number } {
  const { segments, completeBytes } = parseSegments(stored, logFile);
  const plaintextBytes = segments
    .flatMap((segment) => segment.records)
    .reduce((total, record) => total + record.ciphertext.length, 0);
  return { plaintextBytes, completeBytes };
}

interface ParsedSegment {
  wrappedKey: Buffer;
  prefix: Buffer;
  /** Each record's ciphertext and tag. */
  records: { ciphertext: Buffer; tag: Buffer }[];
}

/** The segments of a sealed log; a torn record or header at the very end is left out. */
function parseSegments(
  stored: Buffer,
  logFile: string,
): { segments: ParsedSegment[]; completeBytes: number } {
  const segments: ParsedSegment[] = [];
  let at = 0;
  const fits = (bytes: number) => at + bytes <= stored.length;
  while (at < stored.length) {
    if (stored.subarray(at, at + MAGIC.length).equals(MAGIC)) {
      if (!fits(MAGIC.length + 2)) break;
      const wrappedLength = stored.readUInt16BE(at + MAGIC.length);
      const start = at + MAGIC.length + 2;
      if (start + wrappedLength + PREFIX_BYTES > stored.length) break;
      segments.push({
        wrappedKey: stored.subarray(start, start + wrappedLength),
        prefix: stored.subarray(start + wrappedLength, start + wrappedLength + PREFIX_BYTES),
        records: [],
      });
      at = start + wrappedLength + PREFIX_BYTES;
      continue;
    }
    const segment = segments.at(-1);
    if (!fits(LENGTH_BYTES)) break;
    const length = stored.readUInt32BE(at);
    if (!segment || length > MAX_RECORD_BYTES) {
      throw new SealedLogError(logFile, `unexpected bytes at offset ${at}`);
    }
    if (!fits(LENGTH_BYTES + length + TAG_BYTES)) break;
    const body = at + LENGTH_BYTES;
    segment.records.push({
      ciphertext: stored.subarray(body, body + length),
      tag: stored.subarray(body + length, body + length + TAG_BYTES),
    });
    at = body + length + TAG_BYTES;
  }
  return { segments, completeBytes: at };
}

function openRecord(
  key: Buffer,
  nonce: Buffer,
  record: { ciphertext: Buffer; tag: Buffer },
  logFile: string,
): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAuthTag(record.tag);
    return Buffer.concat([decipher.update(record.ciphertext), decipher.final()]);
  } catch {
    throw new SealedLogError(logFile, 'a record failed authentication');
  }
}

function recordNonce(prefix: Buffer, index: bigint): Buffer {
  const nonce = Buffer.alloc(PREFIX_BYTES + 8);
  prefix.copy(nonce);
  nonce.writeBigUInt64BE(index, PREFIX_BYTES);
  return nonce;
}
