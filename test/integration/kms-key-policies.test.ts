/**
 * KMS authorization on a real server with the real AWS CLI v1, as AWS decides it: the key
 * policy is the gate. Under the default key policy IAM policies decide (a user without
 * kms:Decrypt is refused); a key policy that leaves out the account root refuses even a user
 * whose IAM policies allow kms:*, and lets a user it names in without any IAM policy. Then the
 * whole data directory is searched for the key material, a data key and a plaintext.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/kms/key-ring.js';
import { RootKey } from '../../src/kms/root-key.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import {
  awsAnyServiceCli,
  everyOnPath,
  versionOf,
  type AwsCli,
} from '../e2e/support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';

const AWS_V1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));
if (!AWS_V1) console.warn('kms-key-policies: skipped, the AWS CLI v1 is not installed');

const PLAINTEXT = `release signing passphrase ${Date.now()}`;
const CONTEXT = 'pipeline=deploy,execution=e-42';

interface KeyMetadata {
  KeyId: string;
  Arn: string;
}

describe.skipIf(!AWS_V1)('KMS key policies and IAM', () => {
  let t: TestServer;
  let scratch: string;
  let admin: AwsCli;
  let stopped = false;
  const users: Record<string, AwsCli> = {};
  let open: KeyMetadata;
  let closed: KeyMetadata;

  /** An IAM user with an access key and, when given, one inline policy; its CLI. */
  async function user(name: string, policy?: object): Promise<AwsCli> {
    await admin.json('iam', 'create-user', '--user-name', name);
    const { AccessKey } = await admin.json<{
      AccessKey: { AccessKeyId: string; SecretAccessKey: string };
    }>('iam', 'create-access-key', '--user-name', name);
    if (policy) {
      await admin.json(
        'iam',
        'put-user-policy',
        '--user-name',
        name,
        '--policy-name',
        'kms',
        '--policy-document',
        JSON.stringify({ Version: '2012-10-17', Statement: [policy] }),
      );
    }
    const file = path.join(scratch, `${name}.credentials`);
    await writeFile(
      file,
      `[default]\naws_access_key_id = ${AccessKey.AccessKeyId}\n` +
        `aws_secret_access_key = ${AccessKey.SecretAccessKey}\n`,
      { mode: 0o600 },
    );
    return awsAnyServiceCli(AWS_V1 ?? 'aws', t.server, file);
  }

  /** Fails unless the CLI call was refused with `exception`; returns the message. */
  async function refused(cli: AwsCli, exception: string, ...args: string[]): Promise<string> {
    const result = await cli.run(...args);
    expect(result.stderr).toContain(`An error occurred (${exception})`);
    expect(result.exitCode).not.toBe(0);
    return result.stderr;
  }

  /** A file argument for a blob member: the CLI sends a file's bytes as they are. */
  async function blobFile(name: string, bytes: Buffer): Promise<string> {
    const file = path.join(scratch, name);
    await writeFile(file, bytes);
    return `fileb://${file}`;
  }

  async function encrypt(cli: AwsCli, keyId: string): Promise<string> {
    const { CiphertextBlob } = await cli.json<{ CiphertextBlob: string }>(
      'kms',
      'encrypt',
      '--key-id',
      keyId,
      '--plaintext',
      await blobFile('plaintext', Buffer.from(PLAINTEXT)),
      '--encryption-context',
      CONTEXT,
    );
    return blobFile(`blob-${keyId.replaceAll('/', '_')}`, Buffer.from(CiphertextBlob, 'base64'));
  }

  beforeAll(async () => {
    t = await startTestServer();
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-kms-it-'));
    admin = awsAnyServiceCli(AWS_V1 ?? 'aws', t.server, path.join(t.dataDir, 'credentials'));
    ({ KeyMetadata: open } = await admin.json<{ KeyMetadata: KeyMetadata }>('kms', 'create-key'));
    await admin.json(
      'kms',
      'create-alias',
      '--alias-name',
      'alias/open',
      '--target-key-id',
      open.KeyId,
    );
    const adminArn = 'arn:aws:iam::123456789012:user/lockstep-admin';
    const noRoot = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Admin',
          Effect: 'Allow',
          Principal: { AWS: adminArn },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'Named user',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:user/named' },
          Action: ['kms:Encrypt', 'kms:Decrypt'],
          Resource: '*',
        },
      ],
    };
    ({ KeyMetadata: closed } = await admin.json<{ KeyMetadata: KeyMetadata }>(
      'kms',
      'create-key',
      '--policy',
      JSON.stringify(noRoot),
    ));
    users.reader = await user('reader', {
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:DescribeKey'],
      Resource: open.Arn,
    });
    users.power = await user('power', { Effect: 'Allow', Action: 'kms:*', Resource: '*' });
    users.named = await user('named');
  }, 120_000);

  afterAll(async () => {
    if (!stopped) await t?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    await rm(t?.dataDir ?? '', { recursive: true, force: true });
  });

  it('lets IAM decide under the default key policy, by key ARN even through an alias', async () => {
    const reader = users.reader as AwsCli;
    const blob = await encrypt(reader, 'alias/open');
    const message = await refused(
      reader,
      'AccessDeniedException',
      'kms',
      'decrypt',
      '--ciphertext-blob',
      blob,
      '--encryption-context',
      CONTEXT,
    );
    expect(message).toContain(
      `is not authorized to perform: kms:Decrypt on resource: ${open.Arn} ` +
        'because no identity-based policy allows the kms:Decrypt action',
    );
    const decrypted = await (users.power as AwsCli).json<{ Plaintext: string }>(
      'kms',
      'decrypt',
      '--ciphertext-blob',
      blob,
      '--encryption-context',
      CONTEXT,
    );
    expect(Buffer.from(decrypted.Plaintext, 'base64').toString()).toBe(PLAINTEXT);
  }, 60_000);

  it('refuses an IAM-allowed user when the key policy leaves out the account root', async () => {
    const message = await refused(
      users.power as AwsCli,
      'AccessDeniedException',
      'kms',
      'encrypt',
      '--key-id',
      closed.KeyId,
      '--plaintext',
      'aGk=',
    );
    expect(message).toContain('because no resource-based policy allows the kms:Encrypt action');
    const blob = await encrypt(users.named as AwsCli, closed.Arn);
    const opened = await (users.named as AwsCli).json<{ Plaintext: string }>(
      'kms',
      'decrypt',
      '--ciphertext-blob',
      blob,
      '--encryption-context',
      CONTEXT,
    );
    expect(Buffer.from(opened.Plaintext, 'base64').toString()).toBe(PLAINTEXT);
    await refused(
      users.named as AwsCli,
      'AccessDeniedException',
      'kms',
      'schedule-key-deletion',
      '--key-id',
      closed.KeyId,
    );
  }, 60_000);

  it('binds the administrator too: a key policy naming neither it nor the account refuses it', async () => {
    const onlyNamed = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:user/named' },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    await refused(
      admin,
      'MalformedPolicyDocumentException',
      'kms',
      'create-key',
      '--policy',
      onlyNamed,
    );
    const { KeyMetadata } = await admin.json<{ KeyMetadata: KeyMetadata }>(
      'kms',
      'create-key',
      '--policy',
      onlyNamed,
      '--bypass-policy-lockout-safety-check',
    );
    const message = await refused(
      admin,
      'AccessDeniedException',
      'kms',
      'describe-key',
      '--key-id',
      KeyMetadata.KeyId,
    );
    expect(message).toContain('because no resource-based policy allows the kms:DescribeKey action');
    const named = await (users.named as AwsCli).json<{ KeyMetadata: KeyMetadata }>(
      'kms',
      'describe-key',
      '--key-id',
      KeyMetadata.KeyId,
    );
    expect(named.KeyMetadata.Arn).toBe(KeyMetadata.Arn);
  }, 60_000);

  it('refuses a key policy that would lock its author out', async () => {
    const lockout = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '123456789012' },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
      ],
    });
    const message = await refused(
      admin,
      'MalformedPolicyDocumentException',
      'kms',
      'put-key-policy',
      '--key-id',
      open.KeyId,
      '--policy-name',
      'default',
      '--policy',
      lockout,
    );
    expect(message).toContain('will not allow you to update the key policy in the future');
  }, 30_000);

  it('keeps no key material, data key or plaintext anywhere in the data directory', async () => {
    const dataKey = await admin.json<{ Plaintext: string; CiphertextBlob: string }>(
      'kms',
      'generate-data-key',
      '--key-id',
      open.KeyId,
      '--key-spec',
      'AES_256',
    );
    await admin.json('kms', 'rotate-key-on-demand', '--key-id', open.KeyId);
    await t.stop();
    stopped = true;
    const store = await openStateStore({ dataDir: t.dataDir });
    const materials: Buffer[] = [];
    try {
      const rootKey = await RootKey.loadOrCreate(path.join(t.dataDir, 'keys', 'root.key'), false);
      const ring = new KeyRing(
        store.kms,
        rootKey,
        { accountId: '123456789012', region: 'us-east-1' },
        Date.now,
      );
      for (const version of [1, 2]) {
        const opened = await ring.material(open.KeyId, version);
        if (opened) materials.push(opened.material);
      }
    } finally {
      await store.close();
    }
    expect(materials).toHaveLength(2);
    const secrets: Buffer[] = [Buffer.from(PLAINTEXT), Buffer.from(dataKey.Plaintext, 'base64')];
    const needles = [...materials, ...secrets].flatMap((bytes) => [
      bytes,
      Buffer.from(bytes.toString('base64')),
      Buffer.from(bytes.toString('hex')),
    ]);
    // The search must be able to find what is there: key ids are stored in clear.
    expect(await filesContaining(t.dataDir, [Buffer.from(open.KeyId)])).not.toEqual([]);
    expect(await filesContaining(t.dataDir, needles)).toEqual([]);
    // And grep itself, as an operator would run it, for the text forms.
    for (const bytes of [...materials, ...secrets]) {
      expect(await grepFiles(t.dataDir, bytes.toString('base64'))).toEqual([]);
    }
    expect(await grepFiles(t.dataDir, PLAINTEXT)).toEqual([]);
    expect(await grepFiles(t.dataDir, open.KeyId)).not.toEqual([]);
  }, 60_000);
});

/** The files under `dir` that `grep -r -a -F` finds `text` in (grep exits 1 for none). */
function grepFiles(dir: string, text: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('grep', ['-r', '-l', '-a', '-F', '-e', text, dir], (error, stdout) => {
      if (error && error.code !== 1) reject(new Error(`grep failed: ${error.message}`));
      else resolve(stdout.split('\n').filter((line) => line !== ''));
    });
  });
}

/** Every file under `dir` whose bytes contain any of `needles`. */
async function filesContaining(dir: string, needles: Buffer[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file);
    if (needles.some((needle) => bytes.includes(needle))) found.push(file);
  }
  return found;
}
