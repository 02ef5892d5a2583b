import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RootKey } from './root-key.js';

async function freshKey() {
  const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-key-'));
  const file = path.join(dir, 'keys', 'root.key');
  return { file, key: await RootKey.loadOrCreate(file, true) };
}

describe('RootKey', () => {
  it('creates the key file 0600 in a 0700 directory and reloads the same key', async () => {
    const { file, key } = await freshKey();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const again = await RootKey.loadOrCreate(file, false);
    expect(again.open(key.seal('s3cret', 'ctx'), 'ctx')).toBe('s3cret');
  });

  it('never stores the plaintext in the sealed value', async () => {
    const { key } = await freshKey();
    const sealed = key.seal('plain-secret-value', 'ctx');
    expect(sealed).not.toContain('plain-secret-value');
    expect(sealed).not.toContain(Buffer.from('plain-secret-value').toString('base64'));
  });

  it('refuses a wrong context, a tampered body and another key', async () => {
    const { key } = await freshKey();
    const other = (await freshKey()).key;
    const sealed = key.seal('s3cret', 'access-key:AKIA1');
    expect(() => key.open(sealed, 'access-key:AKIA2')).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => key.open(parts.join('.'), 'access-key:AKIA1')).toThrow();
    expect(() => other.open(sealed, 'access-key:AKIA1')).toThrow();
  });

  it('does not create a key when told not to', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-key-'));
    await expect(RootKey.loadOrCreate(path.join(dir, 'missing.key'), false)).rejects.toThrow();
  });

  it('refuses a key file of the wrong length', async () => {
    const { file } = await freshKey();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, Buffer.alloc(5).toString('base64'));
    await expect(RootKey.loadOrCreate(file, false)).rejects.toThrow(/32 base64-encoded bytes/);
    expect(await readFile(file, 'utf8')).toBe('AAAAAAA=');
  });

  it('writes a new key file 0600, refuses to overwrite one, and loads it back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-key-'));
    const file = path.join(dir, 'root.key.next');
    const key = RootKey.generate();
    await key.writeNewFile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const loaded = await RootKey.load(file);
    expect(loaded.sameAs(key)).toBe(true);
    expect(loaded.fingerprint()).toBe(key.fingerprint());
    expect(loaded.open(key.seal('s3cret', 'ctx'), 'ctx')).toBe('s3cret');
    await expect(RootKey.generate().writeNewFile(file)).rejects.toThrow(/EEXIST/);
    expect((await RootKey.load(file)).sameAs(key)).toBe(true);
  });

  it('fingerprints a key by the SHA-256 of its bytes, as sha256sum shows it', async () => {
    const { file, key } = await freshKey();
    const bytes = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    const { createHash } = await import('node:crypto');
    expect(key.fingerprint()).toBe(createHash('sha256').update(bytes).digest('hex').slice(0, 16));
    expect(RootKey.generate().fingerprint()).not.toBe(key.fingerprint());
    expect(RootKey.generate().sameAs(key)).toBe(false);
  });

  it('names the file when loading a missing, unreadable or malformed key', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lockstep-key-'));
    const missing = path.join(dir, 'missing.key');
    await expect(RootKey.load(missing)).rejects.toThrow(`root key file ${missing} does not exist`);
    await expect(RootKey.load(dir)).rejects.toThrow(`root key file ${dir} cannot be read: EISDIR`);
    const short = path.join(dir, 'short.key');
    await writeFile(short, 'c2hvcnQ=\n');
    await expect(RootKey.load(short)).rejects.toThrow(
      `root key file ${short} does not hold 32 base64-encoded bytes`,
    );
  });
});
