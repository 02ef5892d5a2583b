/**
 * Secrets Manager against a real `bin/lockstep serve`, driven as a user would: the AWS CLI v1
 * (`aws` on PATH), Debian's AWS CLI v2 (/usr/bin/aws), boto3 and `bin/lockstep secrets
 * overdue`. Every value is sealed under the real KMS service; the tests check the staging
 * labels, the recovery window, per-secret authorization, and that neither the audit trail nor
 * any file of the data directory (the SQLite database and its WAL included) holds a value.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCKSTEP_BIN, startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import {
  clientEnv,
  everyOnPath,
  runClient,
  versionOf,
  type ClientResult,
} from './support/run-client.js';
import { stopLockstep } from './support/stop-lockstep.js';

const run = promisify(execFile);
const CLI_V1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));
const CLI_V2 = versionOf('/usr/bin/aws')?.startsWith('aws-cli/2.') ? '/usr/bin/aws' : undefined;
const BOTO3 = versionOf('python3', ['-c', 'import boto3; print(boto3.__version__)']);
if (!CLI_V1) console.warn('secretsmanager.test.ts: skipped, the AWS CLI v1 is not installed');

// Values a test writes; none of them may appear in the trail or in the data directory.
const GITHUB_TOKEN = 'ghp_e2eTokenValue0123456789abcdefABCDEF';
const SECOND_TOKEN = 'ghp_secondTokenValue9876543210zyxwvuZYXW';
const PENDING_TOKEN = 'ghp_pendingTokenValue5555555555pppppPPPP';
const OTHER_VALUE = 'other-plaintext-value-4f1d2a';
const BINARY_VALUE = Buffer.from('binary-secret-bytes-\u00e9\u00e8-7c3b', 'utf8');
const ALL_VALUES = [GITHUB_TOKEN, SECOND_TOKEN, PENDING_TOKEN, OTHER_VALUE];

describe.skipIf(!CLI_V1)('Secrets Manager with the AWS CLI and boto3', () => {
  let server: LockstepProcess;
  let adminCredentials: string;
  let readerCredentials: string;

  /** Runs `aws secretsmanager ...` with `bin` and the credentials file `credentials`. */
  function sm(args: string[], bin = CLI_V1 ?? 'aws', credentials = adminCredentials) {
    return runClient(
      bin,
      [
        'secretsmanager',
        ...args,
        ...['--endpoint-url', server.url, '--region', server.region, '--output', 'json'],
      ],
      clientEnv(credentials),
    );
  }

  /** Runs an `aws` command as the administrator and parses its JSON output. */
  async function json<T = Record<string, unknown>>(service: string, ...args: string[]): Promise<T> {
    const result =
      service === 'secretsmanager'
        ? await sm(args)
        : await runClient(
            CLI_V1 ?? 'aws',
            [service, ...args, '--endpoint-url', server.url, '--region', server.region],
            clientEnv(adminCredentials),
          );
    if (result.exitCode !== 0) throw new Error(`aws ${service} ${args[0]}: ${result.stderr}`);
    return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
  }

  /** Fails unless the CLI call was refused with `exception` and `message`. */
  function expectRefused(result: ClientResult, exception: string, message?: string) {
    expect(result.stderr).toContain(`An error occurred (${exception})`);
    if (message) expect(result.stderr).toContain(message);
    expect(result.exitCode).not.toBe(0);
  }

  beforeAll(async () => {
    server = await startLockstep();
    adminCredentials = path.join(server.dataDir, 'credentials');
  });
  afterAll(() => stopLockstep(server));

  it('creates GITHUB_TOKEN with create-secret and reads it back with get-secret-value', async () => {
    const created = await json(
      'secretsmanager',
      'create-secret',
      '--name',
      'GITHUB_TOKEN',
      '--secret-string',
      GITHUB_TOKEN,
    );
    expect(created.ARN).toMatch(
      new RegExp(
        `^arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:GITHUB_TOKEN-[A-Za-z0-9]{6}$`,
      ),
    );
    const got = await json('secretsmanager', 'get-secret-value', '--secret-id', 'GITHUB_TOKEN');
    expect(got).toMatchObject({
      ARN: created.ARN,
      Name: 'GITHUB_TOKEN',
      VersionId: created.VersionId,
      SecretString: GITHUB_TOKEN,
      VersionStages: ['AWSCURRENT'],
    });
    // By full ARN and by partial ARN (without the random suffix), as AWS allows.
    const partial = String(created.ARN).slice(0, -7);
    for (const id of [String(created.ARN), partial]) {
      expect(
        (await json('secretsmanager', 'get-secret-value', '--secret-id', id)).SecretString,
      ).toBe(GITHUB_TOKEN);
    }
    expectRefused(
      await sm(['create-secret', '--name', 'GITHUB_TOKEN', '--secret-string', 'x']),
      'ResourceExistsException',
      'The operation failed because the secret GITHUB_TOKEN already exists.',
    );
    expectRefused(
      await sm(['get-secret-value', '--secret-id', 'NO_SUCH_SECRET']),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret.",
    );
  });

  it.skipIf(!CLI_V2)('answers the AWS CLI v2 too', async () => {
    const got = await sm(['get-secret-value', '--secret-id', 'GITHUB_TOKEN'], CLI_V2);
    expect(got.exitCode, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ SecretString: GITHUB_TOKEN });
    const listed = await sm(['list-secrets'], CLI_V2);
    const { SecretList } = JSON.parse(listed.stdout) as { SecretList: { Name: string }[] };
    expect(SecretList.map((s) => s.Name)).toContain('GITHUB_TOKEN');
  });

  it('stages versions: AWSCURRENT moves on PutSecretValue, the old one becomes AWSPREVIOUS, AWSPENDING when asked', async () => {
    const first = await json('secretsmanager', 'get-secret-value', '--secret-id', 'GITHUB_TOKEN');
    const second = await json(
      'secretsmanager',
      'put-secret-value',
      '--secret-id',
      'GITHUB_TOKEN',
      '--secret-string',
      SECOND_TOKEN,
    );
    expect(second.VersionStages).toEqual(['AWSCURRENT']);
    const byStage = async (stage: string) =>
      (
        await json(
          'secretsmanager',
          'get-secret-value',
          '--secret-id',
          'GITHUB_TOKEN',
          '--version-stage',
          stage,
        )
      ).SecretString;
    expect(await byStage('AWSCURRENT')).toBe(SECOND_TOKEN);
    expect(await byStage('AWSPREVIOUS')).toBe(GITHUB_TOKEN);

    const pending = await json(
      'secretsmanager',
      'put-secret-value',
      '--secret-id',
      'GITHUB_TOKEN',
      '--secret-string',
      PENDING_TOKEN,
      '--version-stages',
      'AWSPENDING',
    );
    expect(pending.VersionStages).toEqual(['AWSPENDING']);
    expect(await byStage('AWSCURRENT')).toBe(SECOND_TOKEN);
    expect(await byStage('AWSPENDING')).toBe(PENDING_TOKEN);
    const byVersion = await json(
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'GITHUB_TOKEN',
      '--version-id',
      String(first.VersionId),
    );
    expect(byVersion).toMatchObject({ SecretString: GITHUB_TOKEN, VersionStages: ['AWSPREVIOUS'] });

    // Promote the pending version, as a rotation's last step does.
    await json(
      'secretsmanager',
      'update-secret-version-stage',
      '--secret-id',
      'GITHUB_TOKEN',
      '--version-stage',
      'AWSCURRENT',
      '--move-to-version-id',
      String(pending.VersionId),
      '--remove-from-version-id',
      String(second.VersionId),
    );
    const described = await json<{ VersionIdsToStages: Record<string, string[]> }>(
      'secretsmanager',
      'describe-secret',
      '--secret-id',
      'GITHUB_TOKEN',
    );
    expect(described.VersionIdsToStages).toEqual({
      [String(pending.VersionId)]: ['AWSCURRENT', 'AWSPENDING'],
      [String(second.VersionId)]: ['AWSPREVIOUS'],
    });
    expectRefused(
      await sm(['get-secret-value', '--secret-id', 'GITHUB_TOKEN', '--version-stage', 'NOPE']),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: NOPE",
    );
  });

  it('deletes with a recovery window: refused while pending, hidden from lists, back after restore', async () => {
    await json(
      'secretsmanager',
      'create-secret',
      '--name',
      'OTHER',
      '--secret-string',
      OTHER_VALUE,
      '--tags',
      'Key=team,Value=platform',
    );
    const deleted = await json(
      'secretsmanager',
      'delete-secret',
      '--secret-id',
      'OTHER',
      '--recovery-window-in-days',
      '7',
    );
    expect(Number(deleted.DeletionDate) * 1000 - Date.now()).toBeGreaterThan(
      7 * 86_400_000 - 60_000,
    );
    expectRefused(
      await sm(['get-secret-value', '--secret-id', 'OTHER']),
      'InvalidRequestException',
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
    expectRefused(
      await sm(['delete-secret', '--secret-id', 'OTHER', '--recovery-window-in-days', '31']),
      'InvalidParameterException',
      'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
    );
    const names = async (...extra: string[]) =>
      (
        await json<{ SecretList: { Name: string }[] }>('secretsmanager', 'list-secrets', ...extra)
      ).SecretList.map((s) => s.Name);
    expect(await names()).not.toContain('OTHER');
    expect(await names('--include-planned-deletion')).toContain('OTHER');
    const described = await json('secretsmanager', 'describe-secret', '--secret-id', 'OTHER');
    expect(described.DeletedDate).toBe(deleted.DeletionDate);

    await json('secretsmanager', 'restore-secret', '--secret-id', 'OTHER');
    expect(
      (await json('secretsmanager', 'get-secret-value', '--secret-id', 'OTHER')).SecretString,
    ).toBe(OTHER_VALUE);
    expect(await names('--filters', 'Key=tag-key,Values=team')).toEqual(['OTHER']);
    expect(await names('--filters', 'Key=name,Values=!OTHER')).toEqual(['GITHUB_TOKEN']);
  });

  it('force-deletes at once: the secret is gone and its name free', async () => {
    await json(
      'secretsmanager',
      'create-secret',
      '--name',
      'EPHEMERAL',
      '--secret-string',
      'short-lived-value',
    );
    await json(
      'secretsmanager',
      'delete-secret',
      '--secret-id',
      'EPHEMERAL',
      '--force-delete-without-recovery',
    );
    expectRefused(
      await sm(['describe-secret', '--secret-id', 'EPHEMERAL']),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret.",
    );
    await json(
      'secretsmanager',
      'create-secret',
      '--name',
      'EPHEMERAL',
      '--secret-string',
      'again',
    );
  });

  it('refuses a caller without secretsmanager:GetSecretValue on that secret', async () => {
    const { accountId } = server;
    await json('iam', 'create-user', '--user-name', 'reader');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: `arn:aws:secretsmanager:us-east-1:${accountId}:secret:GITHUB_TOKEN-??????`,
        },
      ],
    };
    await json(
      'iam',
      'put-user-policy',
      '--user-name',
      'reader',
      '--policy-name',
      'read-github-token',
      '--policy-document',
      JSON.stringify(policy),
    );
    const key = (
      await json<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>(
        'iam',
        'create-access-key',
        '--user-name',
        'reader',
      )
    ).AccessKey;
    readerCredentials = path.join(server.dataDir, 'reader-credentials');
    await writeFile(
      readerCredentials,
      `[default]\naws_access_key_id = ${key.AccessKeyId}\naws_secret_access_key = ${key.SecretAccessKey}\n`,
      { mode: 0o600 },
    );
    const asReader = (...args: string[]) => sm(args, CLI_V1, readerCredentials);

    const allowed = await asReader('get-secret-value', '--secret-id', 'GITHUB_TOKEN');
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    const refused = await asReader('get-secret-value', '--secret-id', 'OTHER');
    expectRefused(
      refused,
      'AccessDeniedException',
      'is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:',
    );
    expect(refused.stderr).toMatch(/secret:OTHER-[A-Za-z0-9]{6}/);
    expectRefused(
      await asReader(
        'put-secret-value',
        '--secret-id',
        'GITHUB_TOKEN',
        '--secret-string',
        'overwrite',
      ),
      'AccessDeniedException',
    );
    expectRefused(await asReader('list-secrets'), 'AccessDeniedException');
  });

  it('enforces a resource policy: an Allow for another user, a Deny even for the administrator', async () => {
    const { accountId } = server;
    const other = await json('secretsmanager', 'describe-secret', '--secret-id', 'OTHER');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:user/reader` },
          Action: 'secretsmanager:GetSecretValue',
          Resource: '*',
        },
        { Effect: 'Deny', Principal: '*', Action: 'secretsmanager:DeleteSecret', Resource: '*' },
      ],
    };
    await json(
      'secretsmanager',
      'put-resource-policy',
      '--secret-id',
      'OTHER',
      '--resource-policy',
      JSON.stringify(policy),
    );
    const got = await json('secretsmanager', 'get-resource-policy', '--secret-id', 'OTHER');
    expect(JSON.parse(String(got.ResourcePolicy))).toEqual(policy);

    const asReader = (...args: string[]) => sm(args, CLI_V1, readerCredentials);
    const read = await asReader('get-secret-value', '--secret-id', 'OTHER');
    expect(read.exitCode, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ SecretString: OTHER_VALUE });
    expectRefused(
      await sm(['delete-secret', '--secret-id', 'OTHER']),
      'AccessDeniedException',
      `on resource: ${String(other.ARN)} with an explicit deny in a resource-based policy`,
    );

    const everyone = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
      ],
    };
    expectRefused(
      await sm([
        'put-resource-policy',
        '--secret-id',
        'OTHER',
        '--block-public-policy',
        '--resource-policy',
        JSON.stringify(everyone),
      ]),
      'PublicPolicyException',
    );
    expectRefused(
      await sm([
        'put-resource-policy',
        '--secret-id',
        'OTHER',
        '--resource-policy',
        '{"Statement": 3}',
      ]),
      'MalformedPolicyDocumentException',
    );
    await json('secretsmanager', 'delete-resource-policy', '--secret-id', 'OTHER');
    expectRefused(
      await asReader('get-secret-value', '--secret-id', 'OTHER'),
      'AccessDeniedException',
    );
  });

  it.skipIf(!BOTO3)(
    'boto3: binary values, the list_secrets paginator, modelled exceptions, rotation schedule',
    async () => {
      const script = String.raw`
import base64, json, os, sys
import boto3, botocore.exceptions
c = boto3.client('secretsmanager', endpoint_url=os.environ['LOCKSTEP_URL'], region_name='us-east-1')
out = {}
c.create_secret(Name='BINARY', SecretBinary=base64.b64decode(os.environ['BINARY_B64']))
out['binary'] = base64.b64encode(c.get_secret_value(SecretId='BINARY')['SecretBinary']).decode()
pages = c.get_paginator('list_secrets').paginate(PaginationConfig={'PageSize': 2})
out['pages'] = [[s['Name'] for s in p['SecretList']] for p in pages]
try:
    c.get_secret_value(SecretId='MISSING')
except c.exceptions.ResourceNotFoundException as e:
    out['missing'] = e.response['Error']['Message']
c.create_secret(Name='ROTATED', SecretString='rotate-me-1')
c.rotate_secret(SecretId='ROTATED', RotationRules={'AutomaticallyAfterDays': 30})
d = c.describe_secret(SecretId='ROTATED')
out['rotation'] = {'enabled': d['RotationEnabled'], 'rules': d['RotationRules'],
                   'due': d['NextRotationDate'].timestamp()}
try:
    c.rotate_secret(SecretId='ROTATED', RotationLambdaARN='arn:aws:lambda:us-east-1:123456789012:function:rot')
except c.exceptions.InvalidRequestException as e:
    out['lambda'] = e.response['Error']['Message']
json.dump(out, sys.stdout)
`;
      const result = await runClient(
        'python3',
        ['-c', script],
        clientEnv(adminCredentials, {
          LOCKSTEP_URL: server.url,
          BINARY_B64: BINARY_VALUE.toString('base64'),
        }),
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as {
        binary: string;
        pages: string[][];
        missing: string;
        rotation: { enabled: boolean; rules: unknown; due: number };
        lambda: string;
      };
      expect(Buffer.from(out.binary, 'base64').equals(BINARY_VALUE)).toBe(true);
      expect(out.pages.every((page) => page.length <= 2)).toBe(true);
      expect(out.pages.flat().sort()).toEqual(['BINARY', 'EPHEMERAL', 'GITHUB_TOKEN', 'OTHER']);
      expect(out.missing).toBe("Secrets Manager can't find the specified secret.");
      expect(out.rotation).toMatchObject({ enabled: true, rules: { AutomaticallyAfterDays: 30 } });
      // Rotating "immediately" with no Lambda means due now: overdue until a new value is put.
      expect(Math.abs(out.rotation.due - Date.now() / 1000)).toBeLessThan(60);
      expect(out.lambda).toMatch(/Lockstep runs no rotation functions/);
    },
  );

  it('lists overdue secrets with `lockstep secrets overdue` until a new value is put', async () => {
    if (!BOTO3)
      await json(
        'secretsmanager',
        'create-secret',
        '--name',
        'ROTATED',
        '--secret-string',
        'rotate-me-1',
      );
    if (!BOTO3)
      await json(
        'secretsmanager',
        'rotate-secret',
        '--secret-id',
        'ROTATED',
        '--rotation-rules',
        'AutomaticallyAfterDays=30',
      );
    const overdue = async () => {
      const { stdout } = await run(LOCKSTEP_BIN, [
        'secrets',
        'overdue',
        '--endpoint-url',
        server.url,
        '--data-dir',
        server.dataDir,
        '--output',
        'json',
      ]);
      return (JSON.parse(stdout) as { secrets: { name: string }[] }).secrets.map((s) => s.name);
    };
    expect(await overdue()).toEqual(['ROTATED']);
    const table = await run(LOCKSTEP_BIN, [
      'secrets',
      'overdue',
      '--endpoint-url',
      server.url,
      '--data-dir',
      server.dataDir,
    ]);
    expect(table.stdout).toMatch(
      /^NAME\s+DUE\s+OVERDUE\s+LAST ROTATED\s+SCHEDULE\s+ARN\nROTATED\s.*never\s+every 30 days\s+arn:aws:secretsmanager:/,
    );
    await json(
      'secretsmanager',
      'put-secret-value',
      '--secret-id',
      'ROTATED',
      '--secret-string',
      'rotate-me-2',
    );
    expect(await overdue()).toEqual([]);
    const described = await json('secretsmanager', 'describe-secret', '--secret-id', 'ROTATED');
    expect(Number(described.NextRotationDate) - Number(described.LastRotatedDate)).toBeCloseTo(
      30 * 86_400,
      0,
    );
  });

  it('keeps every value out of the audit trail', async () => {
    const events: { CloudTrailEvent: string }[] = [];
    let token: string | undefined;
    do {
      const page = await json<{ Events: { CloudTrailEvent: string }[]; NextToken?: string }>(
        'cloudtrail',
        'lookup-events',
        '--max-results',
        '50',
        ...(token ? ['--next-token', token] : []),
      );
      events.push(...page.Events);
      token = page.NextToken;
    } while (token);
    const trail = events.map((e) => e.CloudTrailEvent).join('\n');
    const putCalls = events
      .map((e) => JSON.parse(e.CloudTrailEvent) as Record<string, unknown>)
      .filter((e) => e.eventName === 'PutSecretValue');
    expect(putCalls.length).toBeGreaterThan(0);
    expect(putCalls[0]).toMatchObject({
      requestParameters: { SecretString: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
    });
    for (const value of [...ALL_VALUES, BINARY_VALUE.toString('base64')]) {
      expect(trail).not.toContain(value);
    }
  });

  it('leaves no value in plaintext anywhere in the data directory (grep -r, database and WAL included)', async () => {
    const grep = async (needle: string) =>
      run('grep', ['-r', '-a', '-F', '-l', '-e', needle, server.dataDir]).then(
        ({ stdout }) => stdout.trim().split('\n'),
        (error: { code?: number }) => {
          if (error.code === 1) return [];
          throw error as Error;
        },
      );
    // The grep itself works: the secret's name (not secret) is in the database.
    expect((await grep('GITHUB_TOKEN')).some((file) => file.includes('state.db'))).toBe(true);
    for (const value of ALL_VALUES) {
      expect(await grep(value), value).toEqual([]);
      expect(await grep(Buffer.from(value).toString('base64')), value).toEqual([]);
    }
    expect(await grep(BINARY_VALUE.toString('utf8'))).toEqual([]);
  });
});
