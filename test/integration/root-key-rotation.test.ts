/**
 * `bin/lockstep keys rotate-root` as a real process, between runs of a real server, on SQLite
 * and PostgreSQL: every root-sealed value re-sealed (an IAM user's access key, KMS material of
 * a rotated key, the managed key under a Secrets Manager secret, an MFA seed, an STS session),
 * the previous key gone from disk, and the real AWS CLI v1 still signing, decrypting and reading
 * afterwards; the previous key refused at start; a crash between commit and rename recovered by
 * a server start and by the command; a tampered value, a running server, a bad key file and a
 * read-only key directory refused with nothing changed. Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode } from '../../src/iam/mfa/base32.js';
import { totpCode, totpStep } from '../../src/iam/mfa/totp.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import type { RootSealedValue } from '../../src/store/root-sealed-store.js';
import {
  awsAnyServiceCli,
  everyOnPath,
  runClient,
  versionOf,
  type AwsCli,
} from '../e2e/support/run-client.js';
import { LOCKSTEP_BIN, startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';

const CLI_V1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));
if (!CLI_V1) console.warn('root-key-rotation: AWS CLI v1 tests skipped: no aws-cli/1 on PATH');
reportPostgresSkipped('root-key-rotation');

const ENGINES = [
  { engine: 'SQLite', postgres: false },
  ...(TEST_DATABASE_URL ? [{ engine: 'PostgreSQL', postgres: true }] : []),
];

/** A data directory and, on PostgreSQL, a database of its own. */
interface Installation {
  dataDir: string;
  databaseUrl: string | undefined;
  keyFile: string;
  remove(): Promise<void>;
}

async function newInstallation(postgres: boolean): Promise<Installation> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-rotate-'));
  const database = postgres ? await createTestDatabase() : undefined;
  return {
    dataDir,
    databaseUrl: database?.url,
    keyFile: path.join(dataDir, 'keys', 'root.key'),
    remove: async () => {
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function start(at: Installation, extraArgs: string[] = []): Promise<LockstepProcess> {
  const { dataDir, databaseUrl } = at;
  return startLockstep({ dataDir, databaseUrl, pipelineRoles: [], extraArgs });
}

async function stop(server: LockstepProcess): Promise<void> {
  expect(await server.stop()).toBe(0);
}

/** Runs `lockstep keys rotate-root` for the installation; never throws on its exit code. */
function rotateRoot(at: Installation, ...args: string[]) {
  const database = at.databaseUrl ? ['--database-url', at.databaseUrl] : [];
  const argv = ['keys', 'rotate-root', '--data-dir', at.dataDir, ...database, ...args];
  return runClient(LOCKSTEP_BIN, argv, process.env);
}

async function rotateRootJson(at: Installation, ...args: string[]) {
  const result = await rotateRoot(at, '--output', 'json', ...args);
  if (result.exitCode !== 0)
    throw new Error(`rotate-root exited ${result.exitCode}: ${result.stderr}`);
  return JSON.parse(result.stdout) as {
    keyFile: string;
    keyFingerprint: string;
    resealed: Record<string, number>;
    finishedInterrupted: boolean;
    previousKeyOverwritten: boolean;
    previousKeyFile: string | null;
  };
}

/** Every root-sealed value, read straight from the database (closed again at once). */
async function sealedValues(at: Installation): Promise<RootSealedValue[]> {
  const store = await openStateStore({ dataDir: at.dataDir, databaseUrl: at.databaseUrl });
  try {
    return await store.rootSealed.allValues();
  } finally {
    await store.close();
  }
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function credentialsFile(dir: string, name: string, keys: Record<string, string>) {
  const file = path.join(dir, `${name}.credentials`);
  const lines = Object.entries(keys).map(([key, value]) => `${key} = ${value}`);
  await writeFile(file, `[default]\n${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

describe.each(ENGINES)('rotate-root on $engine', ({ postgres }) => {
  describe.skipIf(!CLI_V1)('with everything a server seals', () => {
    let at: Installation;
    let scratch: string;
    let server: LockstepProcess | undefined;
    const made = {
      aliceFile: '',
      sessionFile: '',
      seed: Buffer.alloc(0) as Buffer,
      serial: '',
      keyId: '',
      blobs: [] as { file: string; plaintext: string }[],
    };
    const cliFor = (s: LockstepProcess, file: string): AwsCli =>
      awsAnyServiceCli(CLI_V1 ?? 'aws', s, file);
    const fileb = async (name: string, bytes: Buffer | string) => {
      const file = path.join(scratch, name);
      await writeFile(file, bytes);
      return file;
    };

    beforeAll(async () => {
      at = await newInstallation(postgres);
      scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-rotate-scratch-'));
      server = await start(at);
      const admin = cliFor(server, path.join(at.dataDir, 'credentials'));
      // An IAM user with an access key of its own.
      await admin.json('iam', 'create-user', '--user-name', 'alice');
      const key = (await admin.json('iam', 'create-access-key', '--user-name', 'alice'))
        .AccessKey as { AccessKeyId: string; SecretAccessKey: string };
      made.aliceFile = await credentialsFile(scratch, 'alice', {
        aws_access_key_id: key.AccessKeyId,
        aws_secret_access_key: key.SecretAccessKey,
      });
      // A virtual MFA device enabled for her.
      const seedFile = path.join(scratch, 'seed.txt');
      const device = await admin.json(
        ...['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'alice-phone'],
        ...['--outfile', seedFile, '--bootstrap-method', 'Base32StringSeed'],
      );
      made.serial = (device.VirtualMFADevice as { SerialNumber: string }).SerialNumber;
      made.seed = base32Decode((await readFile(seedFile, 'utf8')).trim());
      const step = totpStep(Date.now());
      await admin.json(
        ...['iam', 'enable-mfa-device', '--user-name', 'alice', '--serial-number', made.serial],
        '--authentication-code1',
        totpCode(made.seed, step - 1),
        '--authentication-code2',
        totpCode(made.seed, step),
      );
      // An STS session of hers.
      const alice = cliFor(server, made.aliceFile);
      const session = (await alice.json('sts', 'get-session-token')).Credentials as Record<
        string,
        string
      >;
      made.sessionFile = await credentialsFile(scratch, 'session', {
        aws_access_key_id: session.AccessKeyId ?? '',
        aws_secret_access_key: session.SecretAccessKey ?? '',
        aws_session_token: session.SessionToken ?? '',
      });
      // A KMS key with two material versions, a ciphertext under each, and a data key.
      made.keyId = ((await admin.json('kms', 'create-key')).KeyMetadata as { KeyId: string }).KeyId;
      const encrypt = async (name: string, plaintext: string) => {
        const out = await admin.json(
          'kms',
          'encrypt',
          '--key-id',
          made.keyId,
          '--plaintext',
          `fileb://${await fileb(`${name}.txt`, plaintext)}`,
        );
        const blob = Buffer.from(out.CiphertextBlob as string, 'base64');
        made.blobs.push({ file: await fileb(`${name}.bin`, blob), plaintext });
      };
      await encrypt('before-kms-rotation', 'sealed under material 1');
      await admin.json('kms', 'rotate-key-on-demand', '--key-id', made.keyId);
      await encrypt('after-kms-rotation', 'sealed under material 2');
      const dataKey = await admin.json(
        'kms',
        'generate-data-key',
        '--key-id',
        made.keyId,
        '--key-spec',
        'AES_256',
      );
      made.blobs.push({
        file: await fileb('data-key.bin', Buffer.from(dataKey.CiphertextBlob as string, 'base64')),
        plaintext: Buffer.from(dataKey.Plaintext as string, 'base64').toString('latin1'),
      });
      // A Secrets Manager secret (under the managed aws/secretsmanager key).
      await admin.json(
        'secretsmanager',
        'create-secret',
        '--name',
        'db-password',
        '--secret-string',
        'correct horse battery staple',
      );
      await stop(server);
      server = undefined;
    });
    afterAll(async () => {
      if (server) await server.stop();
      await at?.remove();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it('re-seals every value under a new key and leaves the old key nowhere in DIR', async () => {
      const oldKeyText = (await readFile(at.keyFile, 'utf8')).trim();
      const before = await sealedValues(at);
      const previousCopy = path.join(scratch, 'old.key');

      const rotation = await rotateRootJson(at, '--previous-key-out', previousCopy);

      expect(rotation).toMatchObject({
        keyFile: at.keyFile,
        // admin + alice; material 1 and 2 of the key + aws/secretsmanager's; one of each.
        resealed: { accessKeySecret: 2, kmsKeyMaterial: 3, mfaSeed: 1, stsSessionSecret: 1 },
        finishedInterrupted: false,
        previousKeyOverwritten: true,
        previousKeyFile: previousCopy,
      });
      // The copy asked for, outside the data directory, for backups made before the rotation.
      expect((await readFile(previousCopy, 'utf8')).trim()).toBe(oldKeyText);
      expect((await stat(previousCopy)).mode & 0o777).toBe(0o600);
      const newKeyText = (await readFile(at.keyFile, 'utf8')).trim();
      expect(newKeyText).not.toBe(oldKeyText);
      expect(Buffer.from(newKeyText, 'base64')).toHaveLength(32);
      expect((await stat(at.keyFile)).mode & 0o777).toBe(0o600);
      const after = await sealedValues(at);
      expect(after).toHaveLength(before.length);
      const beforeSealed = new Set(before.map((v) => v.sealed));
      expect(after.filter((v) => beforeSealed.has(v.sealed))).toEqual([]);
      const oldBytes = Buffer.from(oldKeyText, 'base64');
      for (const file of await filesUnder(at.dataDir)) {
        const content = await readFile(file);
        expect(content.includes(oldKeyText), file).toBe(false);
        expect(content.includes(oldBytes), file).toBe(false);
      }
      expect(await readdir(path.dirname(at.keyFile))).not.toContain('root.key.next');
    });

    it('serves everything as before after a restart, through the real AWS CLI', async () => {
      server = await start(at);
      const admin = cliFor(server, path.join(at.dataDir, 'credentials'));
      const alice = cliFor(server, made.aliceFile);
      expect((await alice.json('sts', 'get-caller-identity')).Arn).toMatch(/:user\/alice$/);
      const session = cliFor(server, made.sessionFile);
      expect((await session.json('sts', 'get-caller-identity')).UserId).toBeDefined();
      for (const { file, plaintext } of made.blobs) {
        const out = await admin.json('kms', 'decrypt', '--ciphertext-blob', `fileb://${file}`);
        expect(out.KeyId).toContain(made.keyId);
        expect(Buffer.from(out.Plaintext as string, 'base64').toString('latin1')).toBe(plaintext);
      }
      const secret = await admin.json(
        'secretsmanager',
        'get-secret-value',
        '--secret-id',
        'db-password',
      );
      expect(secret.SecretString).toBe('correct horse battery staple');
      // The MFA seed unseals: a fresh code opens an MFA session.
      const code = totpCode(made.seed, totpStep(Date.now()) + 1);
      const mfa = await alice.json(
        'sts',
        'get-session-token',
        '--serial-number',
        made.serial,
        '--token-code',
        code,
      );
      expect((mfa.Credentials as { AccessKeyId: string }).AccessKeyId).toMatch(/^ASIA/);
      await stop(server);
      server = undefined;
    });

    it('refuses to start with the previous key', async () => {
      const oldKey = path.join(scratch, 'old.key');
      await expect(start(at, ['--root-key-file', oldKey])).rejects.toThrow(
        /the root key in .*old\.key \(fingerprint [0-9a-f]{16}\) does not open the database's sealed values \(access_keys row AKIA/,
      );
    });
  });

  describe('after a crash', () => {
    let at: Installation;
    let oldKey = '';
    let newKey = '';
    const nextFile = () => `${at.keyFile}.next`;
    /** The files as a crash after the commit and before the rename leaves them. */
    const crashAfterCommit = async () => {
      await writeFile(at.keyFile, oldKey, { mode: 0o600 });
      await writeFile(nextFile(), newKey, { mode: 0o600 });
    };

    beforeAll(async () => {
      at = await newInstallation(postgres);
      await stop(await start(at));
      oldKey = await readFile(at.keyFile, 'utf8');
      await rotateRootJson(at);
      newKey = await readFile(at.keyFile, 'utf8');
    });
    afterAll(async () => {
      await at?.remove();
    });

    it('a server start finishes a rotation that committed but did not rename', async () => {
      await crashAfterCommit();
      const server = await start(at);
      try {
        expect(await readFile(at.keyFile, 'utf8')).toBe(newKey);
        expect(await readdir(path.dirname(at.keyFile))).not.toContain('root.key.next');
        const response = await fetch(`${server.url}/health`);
        expect(response.status).toBe(200);
      } finally {
        await stop(server);
      }
    });

    it('running the command again finishes it instead of rotating twice', async () => {
      await crashAfterCommit();
      const rotation = await rotateRootJson(at);
      expect(rotation.finishedInterrupted).toBe(true);
      expect(rotation.resealed.accessKeySecret).toBe(1);
      expect(await readFile(at.keyFile, 'utf8')).toBe(newKey);
      expect(await readdir(path.dirname(at.keyFile))).not.toContain('root.key.next');
      await stop(await start(at));
    });

    it('a pending key from a crash before the commit is kept by a server and discarded by the command', async () => {
      const stale = Buffer.alloc(32, 7).toString('base64') + '\n';
      await writeFile(nextFile(), stale, { mode: 0o600 });
      await stop(await start(at));
      expect(await readFile(at.keyFile, 'utf8')).toBe(newKey);
      expect(await readFile(nextFile(), 'utf8')).toBe(stale);

      const rotation = await rotateRootJson(at);
      expect(rotation.finishedInterrupted).toBe(false);
      const rotated = await readFile(at.keyFile, 'utf8');
      expect([newKey, stale]).not.toContain(rotated);
      expect(await readdir(path.dirname(at.keyFile))).not.toContain('root.key.next');
      await stop(await start(at));
    });
  });

  describe('refusals', () => {
    let at: Installation;
    beforeAll(async () => {
      at = await newInstallation(postgres);
      await stop(await start(at));
    });
    afterAll(async () => {
      await at?.remove();
    });

    it('refuses while a server is running, changing nothing', async () => {
      const keyBefore = await readFile(at.keyFile, 'utf8');
      const server = await start(at);
      try {
        const result = await rotateRoot(at);
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toMatch(
          postgres
            ? /other sessions are connected to the PostgreSQL database \(\d+ lockstep/
            : /another process has the SQLite database open \(a running lockstep server\?\)/,
        );
      } finally {
        await stop(server);
      }
      expect(await readFile(at.keyFile, 'utf8')).toBe(keyBefore);
    });

    it('refuses a tampered sealed value by table and row, changing nothing', async () => {
      const store = await openStateStore({ dataDir: at.dataDir, databaseUrl: at.databaseUrl });
      let accessKeyId: string;
      try {
        const [value] = await store.rootSealed.allValues();
        if (value?.kind !== 'accessKeySecret') throw new Error('expected the admin access key');
        accessKeyId = value.accessKeyId;
        const record = await store.getAccessKey(accessKeyId);
        if (!record) throw new Error('access key vanished');
        const parts = record.secretCiphertext.split('.');
        const body = Buffer.from(parts[3] ?? '', 'base64url');
        body[0] = (body[0] ?? 0) ^ 1;
        parts[3] = body.toString('base64url');
        await store.putAccessKey({ ...record, secretCiphertext: parts.join('.') });
      } finally {
        await store.close();
      }
      const keyBefore = await readFile(at.keyFile, 'utf8');
      const valuesBefore = await sealedValues(at);

      const result = await rotateRoot(at);

      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        `access_keys row ${accessKeyId} does not open with the root key in ${at.keyFile}`,
      );
      expect(result.stderr).toContain('nothing was changed');
      expect(await readFile(at.keyFile, 'utf8')).toBe(keyBefore);
      expect(await readdir(path.dirname(at.keyFile))).not.toContain('root.key.next');
      expect(await sealedValues(at)).toEqual(valuesBefore);
    });

    it('refuses a --previous-key-out file that exists, changing nothing', async () => {
      const keyBefore = await readFile(at.keyFile, 'utf8');
      const taken = path.join(at.dataDir, 'credentials');
      const result = await rotateRoot(at, '--previous-key-out', taken);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`--previous-key-out ${taken} already exists`);
      expect(await readFile(at.keyFile, 'utf8')).toBe(keyBefore);
      expect(await readFile(taken, 'utf8')).toContain('aws_access_key_id');
    });

    it('refuses a missing or malformed key file', async () => {
      const missing = await rotateRoot(at, '--root-key-file', path.join(at.dataDir, 'nope.key'));
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toMatch(/root key file .*nope\.key does not exist/);
      const bad = path.join(at.dataDir, 'bad.key');
      await writeFile(bad, 'not a key\n');
      const malformed = await rotateRoot(at, '--root-key-file', bad);
      expect(malformed.exitCode).toBe(1);
      expect(malformed.stderr).toContain(
        `root key file ${bad} does not hold 32 base64-encoded bytes`,
      );
    });
  });
});

/** Whether this machine lets an unprivileged user namespace bind-mount a directory read-only. */
function canMountReadOnly(): boolean {
  try {
    execFileSync(
      'unshare',
      ['-rm', 'sh', '-c', 'mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp'],
      {
        stdio: 'ignore',
      },
    );
    return true;
  } catch {
    return false;
  }
}

const READ_ONLY_MOUNTS = canMountReadOnly();
if (!READ_ONLY_MOUNTS) console.warn('root-key-rotation: read-only key directory test skipped');

describe.skipIf(!READ_ONLY_MOUNTS)('rotate-root with the key on a read-only mount', () => {
  it('refuses before touching anything', async () => {
    const at = await newInstallation(false);
    try {
      await stop(await start(at));
      const keys = path.dirname(at.keyFile);
      const keyBefore = await readFile(at.keyFile, 'utf8');
      const valuesBefore = await sealedValues(at);
      // The key directory read-only, as a mounted secret is; the database stays writable.
      const script =
        `mount --bind "${keys}" "${keys}" && mount -o remount,bind,ro "${keys}" && ` +
        `exec "${LOCKSTEP_BIN}" keys rotate-root --data-dir "${at.dataDir}"`;
      const result = await runClient('unshare', ['-rm', 'sh', '-c', script], process.env);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        `cannot replace the root key file: its directory ${keys} is not writable (EROFS)`,
      );
      expect(await readFile(at.keyFile, 'utf8')).toBe(keyBefore);
      expect(await sealedValues(at)).toEqual(valuesBefore);
    } finally {
      await at.remove();
    }
  });
});
