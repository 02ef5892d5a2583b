/**
 * A Manual approval that only a person with MFA may answer: the approver's policy allows
 * PutApprovalResult only when `aws:MultiFactorAuthPresent` is true. The approver enables a
 * virtual MFA device itself with codes the test computes from the seed (AWS CLI v1); with the
 * plain access key the JS SDK's PutApprovalResult is refused and the run keeps waiting; with
 * a GetSessionToken MFA session it is accepted and the run succeeds. CloudTrail lookup-events
 * then shows both calls, who made each, and no credential or seed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineStateCommand,
  PutApprovalResultCommand,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode } from '../../src/iam/mfa/base32.js';
import { totpCode, totpStep } from '../../src/iam/mfa/totp.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  eventually,
  executionStatus,
  gitSource,
  gitSourceAction,
  type GitSource,
} from '../support/pipeline-runs.js';
import { expectServiceError } from './support/sdk-client.js';

const exec = promisify(execFile);
const AWS_V1 = ['/root/.pyenv/shims/aws', '/usr/local/bin/aws'].find((p) => existsSync(p));
if (!AWS_V1) console.warn('approval-mfa: skipped, the AWS CLI v1 is not installed');

const ACCOUNT = '123456789012';
const PIPELINE = 'gated';
const PIPELINE_ARN = `arn:aws:codepipeline:us-east-1:${ACCOUNT}:${PIPELINE}`;
const APPROVER_ARN = `arn:aws:iam::${ACCOUNT}:user/approver`;

interface Credentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
}

interface CliResult {
  ok: boolean;
  json: Record<string, unknown>;
  stderr: string;
}

interface LookupEvent {
  EventName: string;
  AccessKeyId?: string;
  Username?: string;
  CloudTrailEvent: string;
}

describe.skipIf(!AWS_V1)('a Manual approval that needs MFA', () => {
  let t: TestServer;
  let source: GitSource;
  let workDir = '';
  let admin: Credentials;
  let approver: Credentials;
  let base32Seed = '';
  let seed: Buffer = Buffer.alloc(0);
  let serial = '';
  let mfaSession: Credentials;
  let waiting = { executionId: '', token: '' };
  const clients: CodePipelineClient[] = [];

  /** Runs `aws ...` with the given credentials; never throws, so refusals can be asserted. */
  async function aws(creds: Credentials, ...args: string[]): Promise<CliResult> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: creds.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
      ...(creds.SessionToken ? { AWS_SESSION_TOKEN: creds.SessionToken } : {}),
    };
    const argv = [...args, '--endpoint-url', t.server.url, '--region', 'us-east-1'];
    try {
      const { stdout } = await exec(AWS_V1 ?? 'aws', [...argv, '--output', 'json'], { env });
      const json = stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
      return { ok: true, json, stderr: '' };
    } catch (error) {
      return { ok: false, json: {}, stderr: (error as { stderr: string }).stderr };
    }
  }

  async function must(creds: Credentials, ...args: string[]): Promise<Record<string, unknown>> {
    const result = await aws(creds, ...args);
    if (!result.ok) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return result.json;
  }

  /** The JS SDK signed with `creds`, session token included when there is one. */
  function sdk(creds: Credentials): CodePipelineClient {
    const client = new CodePipelineClient({
      endpoint: t.server.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: creds.AccessKeyId,
        secretAccessKey: creds.SecretAccessKey,
        ...(creds.SessionToken ? { sessionToken: creds.SessionToken } : {}),
      },
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  }

  /** The approval action's latest execution, as `client` sees it in GetPipelineState. */
  async function gate(client: CodePipelineClient) {
    const state = await client.send(new GetPipelineStateCommand({ name: PIPELINE }));
    const stage = state.stageStates?.find((s) => s.stageName === 'Approve');
    return {
      executionId: stage?.latestExecution?.pipelineExecutionId ?? '',
      status: stage?.actionStates?.[0]?.latestExecution?.status,
      token: stage?.actionStates?.[0]?.latestExecution?.token ?? '',
    };
  }

  function approve(client: CodePipelineClient, summary: string) {
    return client.send(
      new PutApprovalResultCommand({
        pipelineName: PIPELINE,
        stageName: 'Approve',
        actionName: 'Gate',
        token: waiting.token,
        result: { status: 'Approved', summary },
      }),
    );
  }

  const policy = (...statements: object[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const codeAt = (offset: number) => totpCode(seed, totpStep(Date.now()) + offset);

  beforeAll(async () => {
    t = await startTestServer();
    source = await gitSource(t);
    workDir = await mkdtemp(path.join(tmpdir(), 'lockstep-approval-mfa-'));
    admin = {
      AccessKeyId: t.credentials.accessKeyId,
      SecretAccessKey: t.credentials.secretAccessKey,
    };
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name: PIPELINE,
          pipelineType: 'V2',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [gitSourceAction(source)] },
            {
              name: 'Approve',
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
    await must(admin, 'iam', 'create-user', '--user-name', 'approver');
    approver = (await must(admin, 'iam', 'create-access-key', '--user-name', 'approver'))
      .AccessKey as Credentials;
    // As in CodePipeline's guide to approval permissions, plus IAM's self-managed MFA device.
    await must(
      admin,
      ...['iam', 'put-user-policy', '--user-name', 'approver', '--policy-name', 'approve'],
      '--policy-document',
      policy(
        { Effect: 'Allow', Action: 'codepipeline:GetPipelineState', Resource: PIPELINE_ARN },
        {
          Effect: 'Allow',
          Action: 'codepipeline:PutApprovalResult',
          Resource: `${PIPELINE_ARN}/Approve/Gate`,
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
        {
          Effect: 'Allow',
          Action: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices'],
          Resource: [
            `arn:aws:iam::${ACCOUNT}:mfa/\${aws:username}`,
            `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`,
          ],
        },
      ),
    );
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await t?.stop();
    for (const dir of [workDir, source?.root]) {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets the approver enable its own virtual MFA device with two computed codes', async () => {
    const seedFile = path.join(workDir, 'seed.txt');
    const created = await must(
      approver,
      ...['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'approver'],
      ...['--outfile', seedFile, '--bootstrap-method', 'Base32StringSeed'],
    );
    serial = (created.VirtualMFADevice as { SerialNumber: string }).SerialNumber;
    expect(serial).toBe(`arn:aws:iam::${ACCOUNT}:mfa/approver`);
    base32Seed = (await readFile(seedFile, 'utf8')).trim();
    expect(base32Seed).toMatch(/^[A-Z2-7]{64}$/);
    seed = base32Decode(base32Seed);

    // The policy's ${aws:username} names the approver's own device only.
    const other = await aws(
      approver,
      ...['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'someone-else'],
      ...['--outfile', path.join(workDir, 'other.txt'), '--bootstrap-method', 'Base32StringSeed'],
    );
    expect(other.stderr).toContain('AccessDenied');

    await must(
      approver,
      ...['iam', 'enable-mfa-device', '--user-name', 'approver', '--serial-number', serial],
      ...['--authentication-code1', codeAt(-1), '--authentication-code2', codeAt(0)],
    );
    const listed = await must(approver, 'iam', 'list-mfa-devices', '--user-name', 'approver');
    expect(listed.MFADevices).toMatchObject([{ UserName: 'approver', SerialNumber: serial }]);
  });

  it('refuses PutApprovalResult with the plain access key, and the run keeps waiting', async () => {
    const plain = sdk(approver);
    // The approver may look at the pipeline without MFA, and so learns the token.
    await eventually(async () => expect((await gate(plain)).status).toBe('InProgress'));
    waiting = await gate(plain);
    expect(waiting.token).not.toBe('');

    const refused = await expectServiceError(
      approve(plain, 'no MFA'),
      'AccessDeniedException',
      undefined,
      400,
    );
    expect(refused.message).toContain(
      `User: ${APPROVER_ARN} is not authorized to perform: codepipeline:PutApprovalResult`,
    );

    // Still waiting, for the same run and with the same token, after a moment to settle.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await gate(t.client)).toEqual({ ...waiting, status: 'InProgress' });
    expect(await executionStatus(t.client, PIPELINE, waiting.executionId)).toBe('InProgress');
  });

  it('accepts it in an MFA session from get-session-token, and the run succeeds', async () => {
    // The enabling pair used the current step; the next one is still within the window.
    const issued = await must(
      approver,
      ...['sts', 'get-session-token', '--serial-number', serial, '--token-code', codeAt(1)],
    );
    mfaSession = issued.Credentials as Credentials;
    expect(mfaSession.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(mfaSession.SessionToken).toBeTruthy();

    const approved = await approve(sdk(mfaSession), 'checked the change, with MFA');
    expect(approved.approvedAt).toBeInstanceOf(Date);
    await eventually(async () =>
      expect(await executionStatus(t.client, PIPELINE, waiting.executionId)).toBe('Succeeded'),
    );
    expect((await gate(t.client)).status).toBe('Succeeded');
  });

  it('shows both calls in CloudTrail, who made each, and no secret', async () => {
    const found = await must(
      admin,
      ...['cloudtrail', 'lookup-events'],
      ...['--lookup-attributes', 'AttributeKey=EventName,AttributeValue=PutApprovalResult'],
    );
    const events = found.Events as LookupEvent[];
    expect(events).toHaveLength(2);
    // Newest first: the accepted call, then the refused one.
    const [accepted, refused] = events.map((e) => ({
      ...e,
      record: JSON.parse(e.CloudTrailEvent) as Record<string, unknown>,
    }));

    expect(refused).toMatchObject({ AccessKeyId: approver.AccessKeyId, Username: 'approver' });
    expect(refused!.record).toMatchObject({
      eventSource: 'codepipeline.amazonaws.com',
      eventName: 'PutApprovalResult',
      errorCode: expect.stringMatching(/^AccessDenied/) as string,
      errorMessage: expect.stringContaining(APPROVER_ARN) as string,
      userIdentity: {
        type: 'IAMUser',
        arn: APPROVER_ARN,
        accountId: ACCOUNT,
        accessKeyId: approver.AccessKeyId,
        userName: 'approver',
      },
    });

    expect(accepted).toMatchObject({ AccessKeyId: mfaSession.AccessKeyId, Username: 'approver' });
    expect(accepted!.record).toMatchObject({
      eventName: 'PutApprovalResult',
      userIdentity: {
        arn: APPROVER_ARN,
        accountId: ACCOUNT,
        accessKeyId: mfaSession.AccessKeyId,
      },
      requestParameters: {
        pipelineName: PIPELINE,
        result: { status: 'Approved', summary: 'checked the change, with MFA' },
      },
    });
    expect(accepted!.record).not.toHaveProperty('errorCode');

    const secrets = [
      mfaSession.SessionToken ?? '',
      mfaSession.SecretAccessKey,
      approver.SecretAccessKey,
      admin.SecretAccessKey,
      base32Seed,
      seed.toString('hex'),
      seed.toString('base64'),
    ];
    expect(secrets.every((s) => s.length >= 16)).toBe(true);
    // Neither in these two events nor anywhere in the trail (MFA and STS calls included).
    const whole = await must(admin, 'cloudtrail', 'lookup-events');
    const wholeText = JSON.stringify(whole);
    expect(wholeText).toContain('GetSessionToken');
    expect(wholeText).toContain('EnableMFADevice');
    for (const text of [JSON.stringify(found), wholeText]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    expect(t.loggedErrors).toEqual([]);
  });
});
