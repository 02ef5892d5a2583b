/**
 * The access review against a real server: users, groups, roles and policies made through the
 * IAM Query API (the real AWS CLI v1), keys used through the CodePipeline API, then
 * GetAccessReport through the Lockstep client and `bin/lockstep iam report`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  CodePipelineClient,
  CreatePipelineCommand,
  ListPipelinesCommand,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsAnyServiceCli } from '../e2e/support/run-client.js';
import type { AccessReport } from '../../src/iam/access-report.js';
import { lockstepClient } from '../../src/cli/lockstep-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { isolatedEnv, runLockstep } from './support/lockstep-cli.js';

const AWS_V1 = ['/root/.pyenv/shims/aws', '/usr/local/bin/aws'].find((p) => existsSync(p));
if (!AWS_V1) console.warn('access-report: skipped, the AWS CLI v1 is not installed');

const ACCOUNT = '123456789012';
const pipelineArn = (name: string) => `arn:aws:codepipeline:us-east-1:${ACCOUNT}:${name}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** The report as JSON on the wire: timestamps are epoch seconds. */
type WireReport = Omit<AccessReport, 'generatedAt'> & { generatedAt: number };

describe.skipIf(!AWS_V1)('access review (GetAccessReport, lockstep iam report)', () => {
  let t: TestServer;
  let report: WireReport;

  /** Runs `aws iam ...` as the administrator and parses its JSON output. */
  function iam(...args: string[]): Promise<Record<string, unknown>> {
    const cli = awsAnyServiceCli(AWS_V1 ?? 'aws', t.server, path.join(t.dataDir, 'credentials'));
    return cli.json('iam', ...args);
  }

  async function newKey(userName: string) {
    const key = (await iam('create-access-key', '--user-name', userName)).AccessKey as Record<
      string,
      string
    >;
    return { accessKeyId: key.AccessKeyId ?? '', secretAccessKey: key.SecretAccessKey ?? '' };
  }

  const principal = (name: string) => {
    const found = report.principals.find((p) => p.name === name);
    if (!found) throw new Error(`no principal ${name} in the report`);
    return found;
  };
  const actionsOn = (name: string, pipeline: string) =>
    Object.fromEntries(
      (principal(name).pipelines.find((p) => p.pipelineName === pipeline)?.actions ?? []).map(
        (a) => [a.action, a.access],
      ),
    );

  async function createPipeline(name: string) {
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name,
          roleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            {
              name: 'Source',
              actions: [
                {
                  name: 'Src',
                  actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
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

  beforeAll(async () => {
    // No roles made for us: the report must list exactly the principals this test creates.
    t = await startTestServer({ pipelineRoles: [] });
    const trust = {
      Effect: 'Allow',
      Principal: { Service: 'codepipeline.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    const createRole = (document: string) =>
      iam('create-role', '--role-name', 'pipeline', '--assume-role-policy-document', document);
    // IAM refuses a Resource in a trust policy; Lockstep's CreateRole currently demands one.
    // Either way, the role is what this test needs.
    await createRole(doc(trust)).catch(() => createRole(doc({ ...trust, Resource: '*' })));
    await iam(
      ...['put-role-policy', '--role-name', 'pipeline', '--policy-name', 'run-alpha'],
      ...[
        '--policy-document',
        doc({
          Effect: 'Allow',
          Action: 'codepipeline:StartPipelineExecution',
          Resource: pipelineArn('alpha'),
        }),
      ],
    );
    for (const name of ['alpha', 'beta']) await createPipeline(name);

    // A reader who uses its key once; a group member with a deny that wins; an approver
    // who needs MFA; an administrator-like user whose key is never used.
    await iam('create-user', '--user-name', 'reader');
    await iam(
      ...['put-user-policy', '--user-name', 'reader', '--policy-name', 'read'],
      ...[
        '--policy-document',
        doc({
          Effect: 'Allow',
          Action: ['codepipeline:Get*', 'codepipeline:List*'],
          Resource: '*',
        }),
      ],
    );
    const readerKey = await newKey('reader');
    const reader = new CodePipelineClient({
      endpoint: t.server.url,
      region: 'us-east-1',
      credentials: readerKey,
      maxAttempts: 1,
    });
    await reader.send(new ListPipelinesCommand({}));
    reader.destroy();

    await iam('create-group', '--group-name', 'developers');
    await iam(
      ...['put-group-policy', '--group-name', 'developers', '--policy-name', 'develop'],
      ...[
        '--policy-document',
        doc(
          { Effect: 'Allow', Action: 'codepipeline:*', Resource: '*' },
          {
            Sid: 'KeepBeta',
            Effect: 'Deny',
            Action: 'codepipeline:DeletePipeline',
            Resource: pipelineArn('beta'),
          },
        ),
      ],
    );
    await iam('create-user', '--user-name', 'dev');
    await iam('add-user-to-group', '--group-name', 'developers', '--user-name', 'dev');

    await iam('create-user', '--user-name', 'approver');
    await iam(
      ...['put-user-policy', '--user-name', 'approver', '--policy-name', 'approve'],
      ...[
        '--policy-document',
        doc({
          Effect: 'Allow',
          Action: 'codepipeline:PutApprovalResult',
          Resource: `${pipelineArn('beta')}/Hold/Gate`,
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        }),
      ],
    );

    const admin = (
      await iam(
        ...['create-policy', '--policy-name', 'AdminAccess'],
        ...[
          '--policy-document',
          doc({ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }),
        ],
      )
    ).Policy as Record<string, string>;
    await iam('create-user', '--user-name', 'ops');
    await iam('attach-user-policy', '--user-name', 'ops', '--policy-arn', admin.Arn ?? '');
    await newKey('ops');

    report = await lockstepClient({
      endpointUrl: t.server.url,
      dataDir: t.dataDir,
    }).call<WireReport>('GetAccessReport', {});
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lists every principal with what the policy engine allows it per pipeline', () => {
    expect(report.principals.map((p) => `${p.type}:${p.name}`).sort()).toEqual([
      'role:pipeline',
      'root:lockstep-admin',
      'user:approver',
      'user:dev',
      'user:ops',
      'user:reader',
    ]);
    expect(principal('lockstep-admin').rootEquivalent).toBe(true);
    expect(Object.keys(actionsOn('lockstep-admin', 'beta'))).toHaveLength(
      report.actionsChecked.pipeline.length,
    );
    expect(actionsOn('reader', 'alpha')['codepipeline:GetPipeline']).toBe('allowed');
    expect(actionsOn('reader', 'alpha')['codepipeline:DeletePipeline']).toBeUndefined();
    expect(principal('reader').accountActions.map((a) => a.action)).toContain(
      'codepipeline:ListPipelines',
    );
    // The group's policy reaches its member, and its explicit deny wins on beta only.
    expect(actionsOn('dev', 'alpha')['codepipeline:DeletePipeline']).toBe('allowed');
    expect(actionsOn('dev', 'beta')['codepipeline:DeletePipeline']).toBeUndefined();
    expect(actionsOn('dev', 'beta')['codepipeline:UpdatePipeline']).toBe('allowed');
    expect(actionsOn('approver', 'beta')).toEqual({
      'codepipeline:PutApprovalResult': 'allowed-with-mfa',
    });
    expect(principal('approver').pipelines.map((p) => p.pipelineName)).toEqual(['beta']);
    expect(principal('pipeline').pipelines).toEqual([
      {
        pipelineName: 'alpha',
        pipelineArn: pipelineArn('alpha'),
        actions: [{ action: 'codepipeline:StartPipelineExecution', access: 'allowed' }],
      },
    ]);
  });

  it('finds the unused key, users without MFA and the wildcard grant', () => {
    const opsKey = principal('ops').accessKeys[0];
    const readerKey = principal('reader').accessKeys[0];
    expect(readerKey?.lastUsedDate).toEqual(expect.any(Number));
    expect(opsKey?.lastUsedDate).toBeNull();
    const findings = report.findings.map((f) => `${f.kind} ${f.principals.join(',')}`);
    expect(findings).toContain('key-never-used ops');
    expect(findings).not.toContain('key-never-used reader');
    expect(findings.filter((f) => f.startsWith('key-older'))).toEqual([]);
    const wildcards = report.findings
      .filter((f) => f.kind === 'wildcard-action')
      .map((f) => [f.policy, f.sid ?? null, f.principals]);
    // AdminAccess grants `*`; the group's `codepipeline:*` reaches its member.
    expect(wildcards).toEqual([
      ['develop', null, ['dev']],
      ['AdminAccess', 'Everything', ['ops']],
    ]);
    expect(report.mfaStatus).toBe('available');
    expect(findings).toContain('user-without-mfa reader');
    // Without an active key the approver cannot call anything yet: not a finding.
    expect(findings).not.toContain('user-without-mfa approver');
  });

  it('prints the same report from `bin/lockstep iam report`, as JSON and as a table', async () => {
    const common = ['iam', 'report', '--data-dir', t.dataDir, '--endpoint-url', t.server.url];
    const json = await runLockstep([...common, '--output', 'json'], { env: isolatedEnv() });
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const printed = JSON.parse(json.stdout) as { generatedAt: string; principals: unknown[] };
    expect(printed.generatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(printed.principals).toHaveLength(report.principals.length);
    const table = await runLockstep(common, { env: isolatedEnv() });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^dev\s+beta\s+all but DeletePipeline$/m);
    expect(table.stdout).toMatch(/^approver\s+beta\s+only with MFA: PutApprovalResult$/m);
    expect(table.stdout).toContain('policy AdminAccess (managed), Sid Everything: Allow Action *');
  });
});
