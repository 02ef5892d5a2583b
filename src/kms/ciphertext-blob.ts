/**
 * The ciphertext blob Encrypt and GenerateDataKey return: self-describing, so that Decrypt
 * needs no KeyId, and unforgeable, because AES-256-GCM authenticates the header and the
 * encryption context along with the body.
 *
 *   byte 0        format (1)
 *   bytes 1-16    key id (the UUID's 16 bytes)
 *   bytes 17-20   key material version (uint32, big-endian)
 *   bytes 21-32   nonce (96 bits, random)
 *   bytes 33-48   GCM tag
 *   bytes 49-     body
 *
 * The authenticated data is the 21-byte header followed by the canonical encryption context,
 * so a blob moved to another key or version, or offered with another context, fails the tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionContext } from './key-cipher.js';
import { InvalidCiphertextException } from './kms-errors.js';

const FORMAT = 1;
const HEADER_BYTES = 21;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BODY_OFFSET = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;

/** Which key and material version a blob says it was made under. */
export interface BlobHeader {
  keyId: string;
  version: number;
}

/**
 * The encryption context as authenticated bytes: pairs sorted by key, so that the order a
 * client sends them in does not matter, while every key and value must match exactly.
 */
export function canonicalContext(context: EncryptionContext): Buffer {
  const pairs = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

function header({ keyId, version }: BlobHeader): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.writeUInt8(FORMAT, 0);
  Buffer.from(keyId.replaceAll('-', ''), 'hex').copy(bytes, 1);
  bytes.writeUInt32BE(version, 17);
  return bytes;
}

/** Encrypts `plaintext` under one version of a key's material, bound to `context`. */
export function sealBlob(
  key: BlobHeader & { material: Buffer },
  plaintext: Buffer,
  context: EncryptionContext,
): Buffer {
  const head = header(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.material, nonce);
  cipher.setAAD(Buffer.concat([head, canonicalContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([head, nonce, cipher.getAuthTag(), body]);
}

/** The key and version a blob names, or undefined if it is not a blob this service made. */
export function readBlobHeader(blob: Buffer): BlobHeader | undefined {
  if (blob.length <= BODY_OFFSET || blob.readUInt8(0) !== FORMAT) return undefined;
  const hex = blob.subarray(1, 17).toString('hex');
  const keyId = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
  return { keyId, version: blob.readUInt32BE(17) };
}

/**
 * Decrypts a blob with the material of the version its header names; throws
 * InvalidCiphertextException when any byte, or the context, differs from what was sealed.
 */
export function openBlob(blob: Buffer, material: Buffer, context: EncryptionContext): Buffer {
  const decipher = createDecipheriv(
    'aes-256-gcm',
    material,
    blob.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES),
  );
  decipher.setAAD(Buffer.concat([blob.subarray(0, HEADER_BYTES), canonicalContext(context)]));
  decipher.setAuthTag(blob.subarray(HEADER_BYTES + NONCE_BYTES, BODY_OFFSET));
  try {
    return Buffer.concat([decipher.update(blob.subarray(BODY_OFFSET)), decipher.final()]);
  } catch (error) {
    throw invalidCiphertext(error);
  }
}

/** AWS's refusal of a ciphertext, or of the context offered with it. */
export function invalidCiphertext(cause?: unknown): Error {
  return new InvalidCiphertextException(
    'The ciphertext is not valid, or the encryption context (additional authenticated data) ' +
      'does not match the one it was encrypted with.',
    cause === undefined ? undefined : { cause },
  );
}
