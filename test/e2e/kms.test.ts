/**
 * KMS through the real clients against a real `bin/lockstep serve` on a loopback port: the
 * AWS CLI v1 (current models) for the whole key life, Debian's AWS CLI v2 2.9.19 for what its
 * older model has (no RotateKeyOnDemand or ListKeyRotations), and boto3 with its modelled
 * exception classes. Blob arguments go through fileb://, as the AWS documentation tells CLI
 * users to pass binary data. Needs `npm run build` (it spawns bin/lockstep).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import {
  awsAnyServiceCli,
  clientEnv,
  everyOnPath,
  runClient,
  versionOf,
  type AwsCli,
} from './support/run-client.js';
import { stopLockstep } from './support/stop-lockstep.js';

const CLI_V1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));
const CLI_V2 = versionOf('/usr/bin/aws')?.startsWith('aws-cli/2.') ? '/usr/bin/aws' : undefined;
const BOTO3 = versionOf('python3', ['-c', 'import boto3; print(boto3.__version__)']);
const DAY_S = 24 * 60 * 60;

interface KeyMetadata {
  KeyId: string;
  Arn: string;
  KeyState: string;
  KeyManager: string;
  KeySpec: string;
  CurrentKeyMaterialId?: string;
  DeletionDate?: number;
}

/** A server and a scratch directory shared by the suites of this file. */
function useServer() {
  const context = {} as { server: LockstepProcess; scratch: string };
  beforeAll(async () => {
    context.server = await startLockstep({ pipelineRoles: [] });
    context.scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-e2e-kms-'));
  });
  afterAll(async () => {
    await stopLockstep(context.server);
    if (context.scratch) await rm(context.scratch, { recursive: true, force: true });
  });
  return context;
}

/** Fails unless the CLI call failed with `exception`; returns its stderr. */
async function cliError(cli: AwsCli, exception: string, ...args: string[]): Promise<string> {
  const result = await cli.run(...args);
  expect(result.stderr).toContain(`An error occurred (${exception})`);
  expect(result.exitCode).not.toBe(0);
  return result.stderr;
}

describe.skipIf(!CLI_V1)('KMS through the AWS CLI v1', () => {
  const context = useServer();
  let kms: (...args: string[]) => Promise<Record<string, unknown>>;
  let cli: AwsCli;
  let key: KeyMetadata;
  let counter = 0;

  /** A fileb:// argument holding `bytes`. */
  async function fileb(bytes: Buffer | string): Promise<string> {
    const file = path.join(context.scratch, `blob-${(counter += 1)}`);
    await writeFile(file, bytes);
    return `fileb://${file}`;
  }
  const blobOf = (output: Record<string, unknown>) =>
    Buffer.from(output.CiphertextBlob as string, 'base64');
  const decrypt = async (blob: Buffer, context = 'pipeline=deploy') => [
    'decrypt',
    '--ciphertext-blob',
    await fileb(blob),
    '--encryption-context',
    context,
  ];

  beforeAll(async () => {
    const { server } = context;
    cli = awsAnyServiceCli(CLI_V1 ?? 'aws', server, path.join(server.dataDir, 'credentials'));
    kms = (...args) => cli.json('kms', ...args);
    key = (await kms('create-key', '--description', 'artifacts')).KeyMetadata as KeyMetadata;
  });

  it('creates symmetric encryption keys only, with the message CodePipeline users know', async () => {
    expect(key).toMatchObject({
      KeyState: 'Enabled',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Arn: `arn:aws:kms:us-east-1:123456789012:key/${key.KeyId}`,
    });
    const message = await cliError(
      cli,
      'UnsupportedOperationException',
      'kms',
      'create-key',
      '--key-spec',
      'RSA_2048',
      '--key-usage',
      'ENCRYPT_DECRYPT',
    );
    expect(message).toContain('supports only symmetric encryption KMS keys');
    const policy = await kms('get-key-policy', '--key-id', key.KeyId, '--policy-name', 'default');
    expect(JSON.parse(policy.Policy as string)).toMatchObject({
      Statement: [{ Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*' }],
    });
  });

  it('encrypts by alias, decrypts without a key id, and refuses a wrong context or a flipped byte', async () => {
    await kms('create-alias', '--alias-name', 'alias/e2e', '--target-key-id', key.KeyId);
    const sealed = await kms(
      'encrypt',
      '--key-id',
      'alias/e2e',
      '--plaintext',
      await fileb('deploy token'),
      '--encryption-context',
      'pipeline=deploy',
    );
    const blob = blobOf(sealed);
    const opened = await kms(...(await decrypt(blob)));
    expect(Buffer.from(opened.Plaintext as string, 'base64').toString()).toBe('deploy token');
    expect(opened.KeyId).toBe(key.Arn);
    await cliError(
      cli,
      'InvalidCiphertextException',
      'kms',
      ...(await decrypt(blob, 'pipeline=other')),
    );
    const flipped = Buffer.from(blob);
    flipped[30] = (flipped[30] ?? 0) ^ 0x01;
    await cliError(cli, 'InvalidCiphertextException', 'kms', ...(await decrypt(flipped)));
    const aliases = await kms('list-aliases', '--key-id', key.KeyId);
    expect(aliases.Aliases).toEqual([
      expect.objectContaining({ AliasName: 'alias/e2e', TargetKeyId: key.KeyId }),
    ]);
  });

  it('rotates: old ciphertext still decrypts, new ciphertext uses the new material', async () => {
    const old = blobOf(
      await kms(
        'encrypt',
        '--key-id',
        key.KeyId,
        '--plaintext',
        await fileb('v1'),
        '--encryption-context',
        'pipeline=deploy',
      ),
    );
    await kms('enable-key-rotation', '--key-id', key.KeyId, '--rotation-period-in-days', '90');
    expect(await kms('get-key-rotation-status', '--key-id', key.KeyId)).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 90,
    });
    await kms('rotate-key-on-demand', '--key-id', key.KeyId);
    const rotations = await kms('list-key-rotations', '--key-id', key.KeyId);
    expect(rotations.Rotations).toEqual([
      expect.objectContaining({ RotationType: 'ON_DEMAND', KeyMaterialState: 'CURRENT' }),
    ]);
    const fresh = blobOf(
      await kms(
        'encrypt',
        '--key-id',
        key.KeyId,
        '--plaintext',
        await fileb('v2'),
        '--encryption-context',
        'pipeline=deploy',
      ),
    );
    const [oldOpened, freshOpened] = [
      await kms(...(await decrypt(old))),
      await kms(...(await decrypt(fresh))),
    ];
    expect(Buffer.from(oldOpened.Plaintext as string, 'base64').toString()).toBe('v1');
    expect(oldOpened.KeyMaterialId).not.toBe(freshOpened.KeyMaterialId);
    const described = (await kms('describe-key', '--key-id', key.KeyId)).KeyMetadata as KeyMetadata;
    expect(described.CurrentKeyMaterialId).toBe(freshOpened.KeyMaterialId);
  });

  it('refuses a disabled key, and a key pending deletion until its deletion is cancelled', async () => {
    const sealed = blobOf(
      await kms(
        'encrypt',
        '--key-id',
        key.KeyId,
        '--plaintext',
        await fileb('kept'),
        '--encryption-context',
        'pipeline=deploy',
      ),
    );
    await kms('disable-key', '--key-id', key.KeyId);
    await cliError(cli, 'DisabledException', 'kms', ...(await decrypt(sealed)));
    await kms('enable-key', '--key-id', key.KeyId);
    await cliError(
      cli,
      'ValidationException',
      'kms',
      'schedule-key-deletion',
      '--key-id',
      key.KeyId,
      '--pending-window-in-days',
      '3',
    );
    const scheduled = await kms(
      'schedule-key-deletion',
      '--key-id',
      key.KeyId,
      '--pending-window-in-days',
      '7',
    );
    expect(scheduled).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(
      Math.abs((scheduled.DeletionDate as number) - (Date.now() / 1000 + 7 * DAY_S)),
    ).toBeLessThan(120);
    const pending = (await kms('describe-key', '--key-id', key.KeyId)).KeyMetadata as KeyMetadata;
    expect(pending).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false });
    const message = await cliError(
      cli,
      'KMSInvalidStateException',
      'kms',
      ...(await decrypt(sealed)),
    );
    expect(message).toContain('is pending deletion');
    await kms('cancel-key-deletion', '--key-id', key.KeyId);
    await cliError(cli, 'DisabledException', 'kms', ...(await decrypt(sealed)));
    await kms('enable-key', '--key-id', key.KeyId);
    expect((await kms(...(await decrypt(sealed)))).Plaintext).toBe(
      Buffer.from('kept').toString('base64'),
    );
  });

  it('pages list-keys', async () => {
    await kms('create-key');
    const listed = await kms('list-keys', '--page-size', '1');
    expect((listed.Keys as { KeyId: string }[]).map((k) => k.KeyId)).toContain(key.KeyId);
    expect((listed.Keys as unknown[]).length).toBeGreaterThanOrEqual(2);
  });
});

describe.skipIf(!CLI_V2)('KMS through the AWS CLI v2 (2.9.19)', () => {
  const context = useServer();

  it('creates a key, round-trips data and a data key, and schedules deletion', async () => {
    const { server, scratch } = context;
    const cli = awsAnyServiceCli(CLI_V2 ?? 'aws', server, path.join(server.dataDir, 'credentials'));
    const kms = (...args: string[]) => cli.json('kms', ...args);
    const key = (await kms('create-key')).KeyMetadata as KeyMetadata;
    const input = path.join(scratch, 'v2-plaintext');
    await writeFile(input, 'from cli v2');
    const sealed = await kms(
      'encrypt',
      '--key-id',
      key.KeyId,
      '--plaintext',
      `fileb://${input}`,
      '--encryption-context',
      'stage=Build',
    );
    const blobFile = path.join(scratch, 'v2-blob');
    await writeFile(blobFile, Buffer.from(sealed.CiphertextBlob as string, 'base64'));
    const opened = await kms(
      'decrypt',
      '--ciphertext-blob',
      `fileb://${blobFile}`,
      '--encryption-context',
      'stage=Build',
    );
    expect(Buffer.from(opened.Plaintext as string, 'base64').toString()).toBe('from cli v2');
    await cliError(
      cli,
      'InvalidCiphertextException',
      'kms',
      'decrypt',
      '--ciphertext-blob',
      `fileb://${blobFile}`,
    );
    const dataKey = await kms('generate-data-key', '--key-id', key.KeyId, '--key-spec', 'AES_256');
    expect(Buffer.from(dataKey.Plaintext as string, 'base64')).toHaveLength(32);
    await writeFile(blobFile, Buffer.from(dataKey.CiphertextBlob as string, 'base64'));
    const reopened = await kms('decrypt', '--ciphertext-blob', `fileb://${blobFile}`);
    expect(reopened.Plaintext).toBe(dataKey.Plaintext);
    expect(await kms('schedule-key-deletion', '--key-id', key.KeyId)).toMatchObject({
      KeyState: 'PendingDeletion',
    });
    await cliError(
      cli,
      'KMSInvalidStateException',
      'kms',
      'generate-data-key',
      '--key-id',
      key.KeyId,
      '--number-of-bytes',
      '16',
    );
  });
});

const BOTO3_SCRIPT = String.raw`
import base64, json, os, sys
import boto3, botocore.exceptions

kms = boto3.client('kms', endpoint_url=os.environ['LOCKSTEP_URL'], region_name='us-east-1')
out = {}

def failure(call):
    try:
        call()
        return None
    except botocore.exceptions.ClientError as error:
        return {'class': type(error).__name__, 'code': error.response['Error']['Code'],
                'message': error.response['Error']['Message']}

key = kms.create_key(Description='boto3')['KeyMetadata']
key_id = key['KeyId']
out['key'] = {'KeyId': key_id, 'KeyState': key['KeyState'], 'created': key['CreationDate'].timestamp()}
context = {'pipeline': 'deploy', 'artifact': 'BuildOutput'}
data_key = kms.generate_data_key(KeyId=key_id, KeySpec='AES_256', EncryptionContext=context)
out['dataKeyLength'] = len(data_key['Plaintext'])
opened = kms.decrypt(CiphertextBlob=data_key['CiphertextBlob'], EncryptionContext=context)
out['dataKeyRoundTrip'] = opened['Plaintext'] == data_key['Plaintext']
out['wrongContext'] = failure(lambda: kms.decrypt(CiphertextBlob=data_key['CiphertextBlob'],
                                                   EncryptionContext={'pipeline': 'other'}))
forged = bytearray(data_key['CiphertextBlob']); forged[-1] ^= 1
out['flipped'] = failure(lambda: kms.decrypt(CiphertextBlob=bytes(forged), EncryptionContext=context))
without = kms.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=24)
out['withoutPlaintext'] = 'Plaintext' not in without
target = kms.create_key()['KeyMetadata']['KeyId']
moved = kms.re_encrypt(CiphertextBlob=data_key['CiphertextBlob'], SourceEncryptionContext=context,
                       DestinationKeyId=target)
out['reEncrypted'] = kms.decrypt(CiphertextBlob=moved['CiphertextBlob'])['Plaintext'] == data_key['Plaintext']
kms.rotate_key_on_demand(KeyId=key_id)
out['rotations'] = [r['RotationType'] for r in kms.list_key_rotations(KeyId=key_id)['Rotations']]
out['oldAfterRotation'] = kms.decrypt(CiphertextBlob=data_key['CiphertextBlob'],
                                      EncryptionContext=context)['Plaintext'] == data_key['Plaintext']
out['asymmetric'] = failure(lambda: kms.create_key(KeySpec='ECC_NIST_P256', KeyUsage='SIGN_VERIFY'))
for n in range(3):
    kms.create_alias(AliasName='alias/boto3-%d' % n, TargetKeyId=key_id)
out['reserved'] = failure(lambda: kms.create_alias(AliasName='alias/aws/mine', TargetKeyId=key_id))
pages = kms.get_paginator('list_aliases').paginate(PaginationConfig={'PageSize': 2})
out['aliasPages'] = [[a['AliasName'] for a in page['Aliases']] for page in pages]
key_pages = kms.get_paginator('list_keys').paginate(PaginationConfig={'PageSize': 1})
out['keyPages'] = [[k['KeyId'] for k in page['Keys']] for page in key_pages]
kms.disable_key(KeyId=key_id)
out['disabled'] = failure(lambda: kms.encrypt(KeyId=key_id, Plaintext=b'x'))
kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
out['pending'] = failure(lambda: kms.decrypt(CiphertextBlob=data_key['CiphertextBlob'], EncryptionContext=context))
out['missing'] = failure(lambda: kms.describe_key(KeyId='alias/nothing-here'))
json.dump(out, sys.stdout)
`;

describe.skipIf(BOTO3 === undefined)(`KMS through boto3 ${BOTO3 ?? ''}`, () => {
  const context = useServer();
  let report: Record<string, unknown>;

  beforeAll(async () => {
    const { server } = context;
    const env = clientEnv(path.join(server.dataDir, 'credentials'), { LOCKSTEP_URL: server.url });
    const result = await runClient('python3', ['-c', BOTO3_SCRIPT], env);
    if (result.exitCode !== 0) throw new Error(`the boto3 script failed:\n${result.stderr}`);
    report = JSON.parse(result.stdout) as Record<string, unknown>;
  });

  it('generates, decrypts, re-encrypts and rotates, with datetimes and bytes as boto3 expects', () => {
    expect(report).toMatchObject({
      key: { KeyState: 'Enabled' },
      dataKeyLength: 32,
      dataKeyRoundTrip: true,
      withoutPlaintext: true,
      reEncrypted: true,
      rotations: ['ON_DEMAND'],
      oldAfterRotation: true,
    });
    expect(Math.abs((report.key as { created: number }).created - Date.now() / 1000)).toBeLessThan(
      120,
    );
  });

  it('raises the modelled exception classes', () => {
    expect(report).toMatchObject({
      wrongContext: { class: 'InvalidCiphertextException' },
      flipped: { class: 'InvalidCiphertextException' },
      asymmetric: { class: 'UnsupportedOperationException' },
      reserved: { class: 'InvalidAliasNameException' },
      disabled: { class: 'DisabledException' },
      pending: { class: 'KMSInvalidStateException' },
      missing: { class: 'NotFoundException' },
    });
  });

  it('walks the list_aliases and list_keys paginators', () => {
    expect(report.aliasPages).toEqual([['alias/boto3-0', 'alias/boto3-1'], ['alias/boto3-2']]);
    expect((report.keyPages as string[][]).every((page) => page.length === 1)).toBe(true);
    expect((report.keyPages as string[][]).length).toBe(2);
  });
});
