/**
 * IAM users with policies, managed through the real AWS CLI (IAM's Query protocol) and
 * enforced on every CodePipeline call: a reader who can list but not delete, an explicit deny
 * that wins over an allow, an inactive key refused, and IAM's own errors by name.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CodePipelineClient,
  DeletePipelineCommand,
  GetPipelineCommand,
  ListPipelinesCommand,
  TagResourceCommand,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsAnyServiceCli } from './support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';

const run = promisify(execFile);
const AWS_V1 = ['/root/.pyenv/shims/aws', '/usr/local/bin/aws'].find((p) => existsSync(p));
if (!AWS_V1)
  console.warn('iam-users: skipped, the AWS CLI v1 (`aws` with current models) is not installed');

describe.skipIf(!AWS_V1)('IAM users and policies', () => {
  let t: TestServer;
  let reader: CodePipelineClient;
  let readerKeyId = '';
  let readerSecret = '';

  /** The AWS CLI as the administrator. */
  const adminCli = () =>
    awsAnyServiceCli(AWS_V1 ?? 'aws', t.server, path.join(t.dataDir, 'credentials'));

  /** Runs `aws iam ...` as the administrator and parses its JSON output. */
  function iam(...args: string[]): Promise<Record<string, unknown>> {
    return adminCli().json('iam', ...args);
  }

  async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string }> {
    try {
      await call;
    } catch (error) {
      return error as { name: string; message: string };
    }
    throw new Error('the call succeeded but should have been refused');
  }

  beforeAll(async () => {
    t = await startTestServer();
    for (const name of ['alpha', 'beta']) {
      await t.client.send(
        new (await import('@aws-sdk/client-codepipeline')).CreatePipelineCommand({
          pipeline: {
            name,
            roleArn: 'arn:aws:iam::123456789012:role/pipeline',
            artifactStore: { type: 'S3', location: 'artifacts' },
            stages: [
              {
                name: 'Source',
                actions: [
                  {
                    name: 'Src',
                    actionTypeId: {
                      category: 'Source',
                      owner: 'AWS',
                      provider: 'S3',
                      version: '1',
                    },
                    configuration: { S3Bucket: 'b', S3ObjectKey: 'k' },
                    outputArtifacts: [{ name: 'Code' }],
                  },
                ],
              },
              {
                name: 'Hold',
                actions: [
                  {
                    name: 'Gate',
                    actionTypeId: {
                      category: 'Approval',
                      owner: 'AWS',
                      provider: 'Manual',
                      version: '1',
                    },
                  },
                ],
              },
            ],
          },
        }),
      );
    }
    await iam('create-user', '--user-name', 'reader');
    const key = (await iam('create-access-key', '--user-name', 'reader')).AccessKey as Record<
      string,
      string
    >;
    readerKeyId = key.AccessKeyId ?? '';
    readerSecret = key.SecretAccessKey ?? '';
    reader = new CodePipelineClient({
      endpoint: t.server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: readerKeyId, secretAccessKey: key.SecretAccessKey ?? '' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    reader?.destroy();
    await t?.stop();
  });

  it('refuses a user with no policy, then lets a reader list and read but not delete', async () => {
    const denied = await refusal(reader.send(new ListPipelinesCommand({})));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain(
      'user/reader is not authorized to perform: codepipeline:ListPipelines',
    );

    await iam(
      'put-user-policy',
      '--user-name',
      'reader',
      '--policy-name',
      'read-pipelines',
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['codepipeline:List*', 'codepipeline:Get*'], Resource: '*' },
        ],
      }),
    );
    const listed = await reader.send(new ListPipelinesCommand({}));
    expect(listed.pipelines?.map((p) => p.name)).toEqual(['alpha', 'beta']);
    const refused = await refusal(reader.send(new DeletePipelineCommand({ name: 'alpha' })));
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toContain(
      'codepipeline:DeletePipeline on resource: arn:aws:codepipeline:us-east-1:123456789012:alpha',
    );
    // The refusal names the action, never the policy text.
    expect(refused.message).not.toContain('read-pipelines');
    expect((await t.client.send(new GetPipelineCommand({ name: 'alpha' }))).pipeline?.name).toBe(
      'alpha',
    );
  });

  it('lets an explicit deny in an attached managed policy win over the allow', async () => {
    const created = (
      await iam(
        'create-policy',
        '--policy-name',
        'no-beta',
        '--policy-document',
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: 'codepipeline:GetPipeline',
              Resource: 'arn:aws:codepipeline:*:*:beta',
            },
          ],
        }),
      )
    ).Policy as Record<string, string>;
    expect(created.Arn).toBe('arn:aws:iam::123456789012:policy/no-beta');
    await iam('attach-user-policy', '--user-name', 'reader', '--policy-arn', created.Arn ?? '');
    await expect(reader.send(new GetPipelineCommand({ name: 'alpha' }))).resolves.toBeDefined();
    const refused = await refusal(reader.send(new GetPipelineCommand({ name: 'beta' })));
    expect(refused.message).toContain('explicit deny');
    const attached = await iam('list-attached-user-policies', '--user-name', 'reader');
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: 'no-beta', PolicyArn: created.Arn }]);
  });

  it('versions a managed policy: the default version is the one in force', async () => {
    const document = (resource: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'codepipeline:TagResource', Resource: resource }],
      });
    const arn = 'arn:aws:iam::123456789012:policy/lister';
    await iam(
      'create-policy',
      '--policy-name',
      'lister',
      '--policy-document',
      document('arn:aws:codepipeline:us-east-1:123456789012:none'),
    );
    await iam('attach-user-policy', '--user-name', 'reader', '--policy-arn', arn);
    const alpha = 'arn:aws:codepipeline:us-east-1:123456789012:alpha';
    const listing = () =>
      reader.send(
        new TagResourceCommand({ resourceArn: alpha, tags: [{ key: 'team', value: 'web' }] }),
      );
    // v1 grants nothing that matches; v2, once the default, lets the reader tag alpha.
    expect((await refusal(listing())).name).toBe('AccessDeniedException');
    const v2 = await iam(
      ...['create-policy-version', '--policy-arn', arn, '--policy-document', document(alpha)],
    );
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: false });
    expect((await refusal(listing())).name).toBe('AccessDeniedException');
    await iam('set-default-policy-version', '--policy-arn', arn, '--version-id', 'v2');
    await expect(listing()).resolves.toBeDefined();
    const versions = (await iam('list-policy-versions', '--policy-arn', arn)).Versions as {
      VersionId: string;
      IsDefaultVersion: boolean;
    }[];
    expect(versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    const deleteDefault = await refusal(
      iam('delete-policy-version', '--policy-arn', arn, '--version-id', 'v2'),
    );
    expect(deleteDefault.message).toContain('DeleteConflict');
    for (const n of [3, 4, 5]) {
      await iam(
        'create-policy-version',
        '--policy-arn',
        arn,
        '--policy-document',
        document(`arn:aws:codepipeline:us-east-1:123456789012:x${n}`),
      );
    }
    const sixth = await refusal(
      iam(
        'create-policy-version',
        '--policy-arn',
        arn,
        '--policy-document',
        document('arn:aws:codepipeline:us-east-1:123456789012:x6'),
      ),
    );
    expect(sixth.message).toContain('LimitExceeded');
    await iam('delete-policy-version', '--policy-arn', arn, '--version-id', 'v1');
    const listed = (await iam('list-policies', '--scope', 'Local', '--only-attached')).Policies as {
      PolicyName: string;
      DefaultVersionId: string;
    }[];
    expect(listed.find((p) => p.PolicyName === 'lister')?.DefaultVersionId).toBe('v2');
    await iam('detach-user-policy', '--user-name', 'reader', '--policy-arn', arn);
  });

  it('refuses IAM calls the reader is not allowed, a wrong secret, and an inactive key', async () => {
    const asReader = (secret: string) =>
      run(
        AWS_V1 ?? 'aws',
        [
          'iam',
          'create-user',
          '--user-name',
          'mallory',
          '--endpoint-url',
          t.server.url,
          '--region',
          'us-east-1',
        ],
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            AWS_ACCESS_KEY_ID: readerKeyId,
            AWS_SECRET_ACCESS_KEY: secret,
            AWS_CONFIG_FILE: '/dev/null',
            AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          },
        },
      ).then(
        () => '',
        (error: { stderr: string }) => error.stderr,
      );
    expect(await asReader(readerSecret)).toMatch(/AccessDenied.*iam:CreateUser/s);
    expect(await asReader('wrong')).toContain('SignatureDoesNotMatch');
    await expect(iam('get-user', '--user-name', 'mallory')).rejects.toBeDefined();

    await iam(
      'update-access-key',
      '--user-name',
      'reader',
      '--access-key-id',
      readerKeyId,
      '--status',
      'Inactive',
    );
    const inactive = await refusal(reader.send(new ListPipelinesCommand({})));
    expect(inactive.name).toBe('UnrecognizedClientException');
    const keys = await iam('list-access-keys', '--user-name', 'reader');
    expect(keys.AccessKeyMetadata).toMatchObject([
      { AccessKeyId: readerKeyId, Status: 'Inactive' },
    ]);
    expect(JSON.stringify(keys)).not.toContain('SecretAccessKey');
  });

  it("answers with IAM's own errors: NoSuchEntity, EntityAlreadyExists, DeleteConflict, MalformedPolicyDocument", async () => {
    const fail = async (...args: string[]) => (await adminCli().run('iam', ...args)).stderr;
    expect(await fail('get-user', '--user-name', 'nobody')).toContain('NoSuchEntity');
    expect(await fail('create-user', '--user-name', 'reader')).toContain('EntityAlreadyExists');
    expect(await fail('delete-user', '--user-name', 'reader')).toContain('DeleteConflict');
    expect(
      await fail(
        'put-user-policy',
        '--user-name',
        'reader',
        '--policy-name',
        'bad',
        '--policy-document',
        '{"Statement": 5}',
      ),
    ).toContain('MalformedPolicyDocument');
  });

  it('refuses a creator without iam:PassRole on the pipeline role, and accepts one with it', async () => {
    await iam('create-user', '--user-name', 'creator');
    const key = (await iam('create-access-key', '--user-name', 'creator')).AccessKey as Record<
      string,
      string
    >;
    const creator = new CodePipelineClient({
      endpoint: t.server.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: key.AccessKeyId ?? '',
        secretAccessKey: key.SecretAccessKey ?? '',
      },
      maxAttempts: 1,
    });
    const allow = (statements: object[]) =>
      iam(
        ...['put-user-policy', '--user-name', 'creator', '--policy-name', 'create'],
        ...['--policy-document', JSON.stringify({ Version: '2012-10-17', Statement: statements })],
      );
    const { CreatePipelineCommand } = await import('@aws-sdk/client-codepipeline');
    const create = (name: string) =>
      creator.send(
        new CreatePipelineCommand({
          pipeline: {
            name,
            roleArn: 'arn:aws:iam::123456789012:role/pipeline',
            artifactStore: { type: 'S3', location: 'artifacts' },
            stages: [
              {
                name: 'Source',
                actions: [
                  {
                    name: 'Src',
                    actionTypeId: {
                      category: 'Source',
                      owner: 'AWS',
                      provider: 'S3',
                      version: '1',
                    },
                    configuration: { S3Bucket: 'b', S3ObjectKey: 'k' },
                    outputArtifacts: [{ name: 'Code' }],
                  },
                ],
              },
              {
                name: 'Hold',
                actions: [
                  {
                    name: 'Gate',
                    actionTypeId: {
                      category: 'Approval',
                      owner: 'AWS',
                      provider: 'Manual',
                      version: '1',
                    },
                  },
                ],
              },
            ],
          },
        }),
      );
    try {
      await allow([{ Effect: 'Allow', Action: 'codepipeline:CreatePipeline', Resource: '*' }]);
      const refused = await refusal(create('made-by-creator'));
      expect(refused.name).toBe('AccessDeniedException');
      expect(refused.message).toContain(
        'iam:PassRole on resource: arn:aws:iam::123456789012:role/pipeline',
      );
      await expect(
        t.client.send(new GetPipelineCommand({ name: 'made-by-creator' })),
      ).rejects.toHaveProperty('name', 'PipelineNotFoundException');
      await allow([
        { Effect: 'Allow', Action: 'codepipeline:CreatePipeline', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: 'arn:aws:iam::123456789012:role/pipeline',
        },
      ]);
      const created = await create('made-by-creator');
      expect(created.pipeline?.name).toBe('made-by-creator');
    } finally {
      creator.destroy();
    }
  });
});
