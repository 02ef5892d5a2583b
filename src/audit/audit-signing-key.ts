/**
 * The audit signing key: an Ed25519 key in DIR/keys/audit-signing.key (PKCS#8 PEM, 0600,
 * directory 0700), created on first start, with its public half beside it in
 * audit-signing.pub (SPKI PEM) for verifiers. Whoever holds the private key can sign a
 * rewritten history, so back it up like the root key and never mount it into a sandbox.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { auditKeyId, type AuditSigningKey } from './checkpoint.js';

export const AUDIT_SIGNING_KEY_FILE = 'audit-signing.key';
export const AUDIT_PUBLIC_KEY_FILE = 'audit-signing.pub';

/** Loads the signing key from `keysDir`, creating it (and the .pub) on first start. */
export async function loadOrCreateAuditSigningKey(keysDir: string): Promise<AuditSigningKey> {
  const file = path.join(keysDir, AUDIT_SIGNING_KEY_FILE);
  let pem = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (pem === undefined) {
    await mkdir(keysDir, { recursive: true, mode: 0o700 });
    await chmod(keysDir, 0o700);
    const fresh = generateKeyPairSync('ed25519').privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    // 'wx' so that two processes starting on a fresh directory cannot both write a key.
    pem = await writeFile(file, fresh, { mode: 0o600, flag: 'wx' }).then(
      () => fresh.toString(),
      async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        return readFile(file, 'utf8');
      },
    );
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  // Rewritten on every start, so the published half always matches the key in use.
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await writeFile(path.join(keysDir, AUDIT_PUBLIC_KEY_FILE), publicPem, { mode: 0o644 });
  return { privateKey, publicKey, keyId: auditKeyId(publicKey) };
}

/** Reads an Ed25519 public key (SPKI PEM) that checkpoints may be verified with. */
export async function readAuditPublicKey(file: string): Promise<KeyObject> {
  const key = createPublicKey(await readFile(file, 'utf8'));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key`);
  return key;
}
