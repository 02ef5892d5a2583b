/**
 * The root key: 32 random bytes that seal every secret Lockstep must be able to read back
 * (access-key secrets, which SigV4 needs in clear to recompute a signature, so they cannot be
 * hashed). It lives in DIR/keys/root.key (0600, directory 0700) or in a file the operator
 * names, so that several replicas on one database can share it. `lockstep keys rotate-root`
 * replaces it (root-key-rotation.ts).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
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

  /**
   * Takes the key from the environment variable `name` (base64, as in a key file), for
   * platforms that hand secrets to a process that way, and removes it from `env` so that no
   * process this one starts inherits it. Refuses a variable that is unset or malformed.
   */
  static fromEnvironment(name: string, env: NodeJS.ProcessEnv = process.env): RootKey {
    const text = env[name];
    if (text === undefined || text === '') {
      throw new Error(`the root key environment variable ${name} is not set`);
    }
    delete env[name];
    return new RootKey(decodeKeyFile(text, name, 'environment variable'));
  }

  /** A new random key, stored nowhere yet. */
  static generate(): RootKey {
    return new RootKey(randomBytes(KEY_BYTES));
  }

  /** Loads the key in `file`, refusing a missing, unreadable or malformed file by name. */
  static async load(file: string): Promise<RootKey> {
    let text;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const reason = missing ? 'does not exist' : `cannot be read: ${(error as Error).message}`;
      throw new Error(`root key file ${file} ${reason}`, { cause: error });
    }
    return new RootKey(decodeKeyFile(text, file));
  }

  /** The first 16 hex digits of the key's SHA-256: `base64 -d FILE | sha256sum` shows it. */
  fingerprint(): string {
    return createHash('sha256').update(this.key).digest('hex').slice(0, 16);
  }

  /** Whether `other` holds the same 32 bytes. */
  sameAs(other: RootKey): boolean {
    return timingSafeEqual(this.key, other.key);
  }

  /**
   * Writes the key to `file`, which must not exist yet (mode 0600), and flushes the file and
   * its directory entry to disk before resolving, so that a crash afterwards cannot lose it.
   */
  async writeNewFile(file: string): Promise<void> {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(this.key.toString('base64') + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDirectory(path.dirname(file));
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

/** Flushes a directory's entries (a new, renamed or removed file) to disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function encodePart(part: string | Buffer): string {
  return typeof part === 'string' ? part : part.toString('base64url');
}

function decodeKeyFile(text: string, file: string, what = 'file'): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`root key ${what} ${file} does not hold ${KEY_BYTES} base64-encoded bytes`);
  }
  return key;
}
