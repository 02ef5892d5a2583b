import { mkdtemp, readFile, stat } from 'node:fs/promises';
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
});
