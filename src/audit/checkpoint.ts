/**
 * Signed checkpoints over the audit Merkle tree. The signed message is 40 bytes:
 * tree_size as an unsigned 64-bit big-endian integer, then the 32-byte root hash. The
 * signature is Ed25519 (pure, no prehash); the key id is hex SHA-256 of the public key's SPKI
 * DER, so a verifier can tell which key to use without trusting anything else in the row.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { AuditCheckpointRecord } from '../store/state-store.js';

export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The key id of an Ed25519 public key. */
export function auditKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** The bytes a checkpoint's signature covers: tree_size (u64 BE) || root_hash. */
export function checkpointMessage(treeSize: number, rootHash: string): Buffer {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new Error('bad tree size');
  if (!HEX_SHA256.test(rootHash)) throw new Error('root hash is not 64 lowercase hex digits');
  const message = Buffer.alloc(40);
  message.writeBigUInt64BE(BigInt(treeSize), 0);
  Buffer.from(rootHash, 'hex').copy(message, 8);
  return message;
}

/** Signs the tree head (treeSize, rootHash) with the audit signing key. */
export function signCheckpoint(
  key: AuditSigningKey,
  treeSize: number,
  rootHash: string,
  createdMs: number,
): AuditCheckpointRecord {
  const signature = sign(null, checkpointMessage(treeSize, rootHash), key.privateKey);
  return {
    treeSize,
    rootHash,
    signature: signature.toString('base64'),
    keyId: key.keyId,
    createdMs,
  };
}

/** Whether a checkpoint's signature is valid under `publicKey`; false for any malformed part. */
export function checkpointSignatureValid(
  publicKey: KeyObject,
  checkpoint: AuditCheckpointRecord,
): boolean {
  try {
    const message = checkpointMessage(checkpoint.treeSize, checkpoint.rootHash);
    return verify(null, message, publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}
