import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  auditKeyId,
  checkpointMessage,
  checkpointSignatureValid,
  signCheckpoint,
  type AuditSigningKey,
} from './checkpoint.js';

function newKey(): AuditSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: auditKeyId(publicKey) };
}

const ROOT = 'ab'.repeat(32);

describe('audit checkpoints', () => {
  it('signs exactly tree_size as u64 big-endian followed by the raw root', () => {
    const message = checkpointMessage(0x0102030405, ROOT);
    expect(message.toString('hex')).toBe('0000000102030405' + ROOT);
    expect(() => checkpointMessage(-1, ROOT)).toThrow();
    expect(() => checkpointMessage(1, 'AB'.repeat(32))).toThrow();
  });

  it('names a key by the SHA-256 of its SPKI DER', () => {
    const key = newKey();
    expect(key.keyId).toMatch(/^[0-9a-f]{64}$/);
    const reloaded = createPublicKey(key.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(auditKeyId(reloaded)).toBe(key.keyId);
    expect(newKey().keyId).not.toBe(key.keyId);
  });

  it('verifies its own signature and nothing altered', () => {
    const key = newKey();
    const checkpoint = signCheckpoint(key, 100, ROOT, 1_700_000_000_000);
    expect(checkpoint).toMatchObject({ treeSize: 100, rootHash: ROOT, keyId: key.keyId });
    expect(checkpointSignatureValid(key.publicKey, checkpoint)).toBe(true);
    expect(checkpointSignatureValid(key.publicKey, { ...checkpoint, treeSize: 99 })).toBe(false);
    const otherRoot = 'cd'.repeat(32);
    expect(checkpointSignatureValid(key.publicKey, { ...checkpoint, rootHash: otherRoot })).toBe(
      false,
    );
    const signature = Buffer.from(checkpoint.signature, 'base64');
    signature[0]! ^= 1;
    const flipped = { ...checkpoint, signature: signature.toString('base64') };
    expect(checkpointSignatureValid(key.publicKey, flipped)).toBe(false);
    expect(checkpointSignatureValid(newKey().publicKey, checkpoint)).toBe(false);
    expect(checkpointSignatureValid(key.publicKey, { ...checkpoint, rootHash: 'zz' })).toBe(false);
  });
});
