/**
 * Envelope encryption of one stored object (an artifact, or a version of an S3 object): a fresh
 * AES-256 data key from KMS per object, the object's bytes sealed with AES-256-GCM under it, and
 * the data key stored encrypted beside them (as S3 keeps an SSE-KMS object's wrapped key in its
 * metadata). The encryption context names the object's place (an artifact's pipeline, execution
 * and name; an S3 object's ARN and version id), so an object moved elsewhere cannot be opened
 * there: swapping objects between places fails like tampering does.
 *
 * Layout: "LSA1" | u16 wrapped-key length | wrapped key | 12-byte nonce | ciphertext | 16-byte tag.
 * The same bytes are made whole (sealEnvelope) or streamed (createSealingStream), so objects
 * too large for memory use the same format.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { EncryptionContext, KeyCipher } from '../kms/key-cipher.js';
import type { ArtifactKey } from './artifact-store.js';

const MAGIC = Buffer.from('LSA1', 'ascii');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 2;
/** The most bytes an envelope's header (magic to nonce) can take. */
export const MAX_ENVELOPE_HEADER_BYTES = HEADER_BYTES + 0xffff + NONCE_BYTES;
/** What sealing adds to the plaintext besides the header: the GCM tag. */
export const ENVELOPE_TAG_BYTES = TAG_BYTES;

/** The object's bytes did not open: wrong layout, wrong context, or altered bytes. */
export class ArtifactEnvelopeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArtifactEnvelopeError';
  }
}

/** What binds an artifact's ciphertext to its place: checked again by KMS on every open. */
export function artifactEncryptionContext(key: ArtifactKey): EncryptionContext {
  return {
    'aws:codepipeline:pipelineName': key.pipelineName,
    'aws:codepipeline:pipelineExecutionId': key.executionId,
    'aws:codepipeline:artifactName': key.artifactName,
  };
}

/** Seals an artifact's `plaintext` under a new data key of `keyId`; the result goes to disk. */
export function sealArtifact(
  keys: KeyCipher,
  keyId: string,
  key: ArtifactKey,
  plaintext: Buffer,
): Promise<{ sealed: Buffer; keyArn: string }> {
  return sealEnvelope(keys, keyId, artifactEncryptionContext(key), plaintext);
}

/** Opens what sealArtifact made for the same `key`; throws ArtifactEnvelopeError otherwise. */
export function openArtifact(keys: KeyCipher, key: ArtifactKey, sealed: Buffer): Promise<Buffer> {
  return openEnvelope(keys, artifactEncryptionContext(key), sealed);
}

/** Seals `plaintext` under a new data key of `keyId`, bound to `context`. */
export async function sealEnvelope(
  keys: KeyCipher,
  keyId: string,
  context: EncryptionContext,
  plaintext: Buffer,
): Promise<{ sealed: Buffer; keyArn: string }> {
  const { keyArn, header, cipher } = await beginSeal(keys, keyId, context);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { sealed: Buffer.concat([header, body, cipher.getAuthTag()]), keyArn };
}

/** Opens what sealEnvelope or createSealingStream made with the same `context`. */
export async function openEnvelope(
  keys: KeyCipher,
  context: EncryptionContext,
  sealed: Buffer,
): Promise<Buffer> {
  const { dataKey, nonce, bodyStart } = await openEnvelopeKey(keys, context, sealed);
  if (sealed.length < bodyStart + TAG_BYTES) throw new ArtifactEnvelopeError('it is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const body = sealed.subarray(bodyStart, sealed.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (error) {
    throw new ArtifactEnvelopeError('its ciphertext failed authentication', { cause: error });
  } finally {
    dataKey.fill(0);
  }
}

/**
 * A stream that turns plaintext into the envelope's bytes (header first, tag last), for objects
 * too large to hold in memory. The data key is asked for before any byte flows.
 */
export async function createSealingStream(
  keys: KeyCipher,
  keyId: string,
  context: EncryptionContext,
): Promise<{ keyArn: string; stream: Transform }> {
  const { keyArn, header, cipher } = await beginSeal(keys, keyId, context);
  let started = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!started) {
        started = true;
        this.push(header);
      }
      callback(null, cipher.update(chunk));
    },
    flush(callback: TransformCallback) {
      if (!started) this.push(header);
      callback(null, Buffer.concat([cipher.final(), cipher.getAuthTag()]));
    },
  });
  return { keyArn, stream };
}

/**
 * Reads an envelope's header from its first bytes (at least MAX_ENVELOPE_HEADER_BYTES of them,
 * or the whole envelope if shorter) and decrypts its data key with `context`. The caller owns
 * the returned key and zeroes it when done.
 */
export async function openEnvelopeKey(
  keys: KeyCipher,
  context: EncryptionContext,
  prefix: Buffer,
): Promise<{ dataKey: Buffer; nonce: Buffer; bodyStart: number }> {
  if (prefix.length < HEADER_BYTES || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ArtifactEnvelopeError('it is not an encrypted Lockstep object');
  }
  const nonceStart = HEADER_BYTES + prefix.readUInt16BE(MAGIC.length);
  const bodyStart = nonceStart + NONCE_BYTES;
  if (prefix.length < bodyStart) throw new ArtifactEnvelopeError('it is truncated');
  try {
    const { plaintextKey } = await keys.decryptDataKey({
      encryptedKey: prefix.subarray(HEADER_BYTES, nonceStart),
      encryptionContext: context,
    });
    return {
      dataKey: plaintextKey,
      nonce: Buffer.from(prefix.subarray(nonceStart, bodyStart)),
      bodyStart,
    };
  } catch (error) {
    throw new ArtifactEnvelopeError(
      `its data key could not be decrypted (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/**
 * Decrypts an envelope's ciphertext-and-tag (everything after the header) and checks the tag
 * at the end, failing the stream with ArtifactEnvelopeError if it does not authenticate. Bytes
 * flow before the check, so a consumer must not trust them until the stream ended cleanly.
 */
export function createOpeningStream(dataKey: Buffer, nonce: Buffer): Transform {
  const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce);
  // The last 16 bytes are the tag, and nobody can tell which bytes are last until the end.
  let held = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const all = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      const cut = Math.max(0, all.length - TAG_BYTES);
      held = Buffer.from(all.subarray(cut));
      callback(null, cut > 0 ? decipher.update(all.subarray(0, cut)) : undefined);
    },
    flush(callback: TransformCallback) {
      if (held.length < TAG_BYTES) {
        callback(new ArtifactEnvelopeError('it is truncated'));
        return;
      }
      try {
        decipher.setAuthTag(held);
        callback(null, decipher.final());
      } catch (error) {
        callback(
          new ArtifactEnvelopeError('its ciphertext failed authentication', { cause: error }),
        );
      }
    },
  });
}

/**
 * Decrypts ciphertext from plaintext offset `offset` on, without authenticating it: for range
 * reads of an envelope already authenticated whole. GCM encrypts plaintext block i with the CTR
 * counter nonce || (i + 2), so CTR mode from that counter yields the same bytes. Feed it the
 * ciphertext from `ctrStart(offset)` (relative to the body) on.
 */
export function createRangeDecryptStream(
  dataKey: Buffer,
  nonce: Buffer,
  offset: number,
): Transform {
  const block = Math.floor(offset / 16);
  const counter = Buffer.alloc(16);
  nonce.copy(counter);
  counter.writeUInt32BE(block + 2, NONCE_BYTES);
  const decipher = createDecipheriv('aes-256-ctr', dataKey, counter);
  let skip = offset % 16;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let plain = decipher.update(chunk);
      if (skip > 0) {
        const dropped = Math.min(skip, plain.length);
        plain = plain.subarray(dropped);
        skip -= dropped;
      }
      callback(null, plain.length > 0 ? plain : undefined);
    },
  });
}

/** Where, in the ciphertext body, a range read starting at plaintext `offset` must begin. */
export function ctrStart(offset: number): number {
  return Math.floor(offset / 16) * 16;
}

async function beginSeal(keys: KeyCipher, keyId: string, context: EncryptionContext) {
  const dataKey = await keys.generateDataKey({ keyId, encryptionContext: context });
  try {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey.plaintextKey, nonce);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header);
    header.writeUInt16BE(dataKey.encryptedKey.length, MAGIC.length);
    return {
      keyArn: dataKey.keyArn,
      header: Buffer.concat([header, dataKey.encryptedKey, nonce]),
      cipher,
    };
  } finally {
    // The cipher holds its own copy of the key.
    dataKey.plaintextKey.fill(0);
  }
}
