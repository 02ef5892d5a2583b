/**
 * The root key: 32 random bytes that seal every secret Lockstep must be able to read back
 * (access-key secrets, which SigV4 needs in clear to recompute a signature, so they cannot be
 * hashed). It lives in DIR/keys/root.key (0600, directory 0700) or in a file the operator
 * names, so that several replicas on one database can share it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const FORMAT = 'v1';

export class RootKey {
  private constructor(private readonly key: Buffer) {}

  /** Loads the root key from `file`, or creates it there (mode 0600) when `create` allows. */
  static async loadOrCreate(file: string, create: boolean): Promise<RootKey> {
    try {
      return new RootKey(decodeKeyFile(await readFile(file, 'utf8'), file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw error;
    }
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await chmod(path.dirname(file), 0o700);
    const key = randomBytes(KEY_BYTES);
    // 'wx' so that two processes racing on a fresh directory cannot both write a key.
    try {
      await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return new RootKey(decodeKeyFile(await readFile(file, 'utf8'), file));
    }
    return new RootKey(key);
  }

  /** Encrypts `plaintext` with AES-256-GCM, binding it to `context` (authenticated, not stored). */
  seal(plaintext: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, nonce, cipher.getAuthTag(), body].map(encodePart).join('.');
  }

  /** Decrypts what seal() made with the same context; throws if anything was altered. */
  open(sealed: string, context: string): string {
    const [format, nonce, tag, body] = sealed.split('.');
    if (format !== FORMAT || !nonce || !tag || body === undefined) {
      throw new Error('sealed value has an unknown format');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  }
}

function encodePart(part: string | Buffer): string {
  return typeof part === 'string' ? part : part.toString('base64url');
}

function decodeKeyFile(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`root key file ${file} does not hold ${KEY_BYTES} base64-encoded bytes`);
  }
  return key;
}
