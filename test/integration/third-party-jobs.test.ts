/**
 * The partner (ThirdParty) job protocol: with LOCKSTEP_THIRD_PARTY_WORKERS=true a ThirdParty
 * action (here the GitHub v1 source) waits for a partner worker, which polls, reads the job,
 * acknowledges it with its client token, uploads its output artifact through the S3 API with
 * the job's artifactCredentials and reports the result; another client token is then refused. Without the setting, the same action fails at once as unavailable.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AcknowledgeThirdPartyJobCommand,
  CreatePipelineCommand,
  GetPipelineStateCommand,
  GetThirdPartyJobDetailsCommand,
  PollForThirdPartyJobsCommand,
  PutThirdPartyJobSuccessResultCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { eventually } from '../support/pipeline-runs.js';

/**
 * The partner's PutObject of its output artifact, with boto3 and the job's credentials. They
 * are the pipeline role's, narrowed to the job's objects, so the role is first given its
 * artifact bucket, as a CodePipeline service role has it.
 */
const UPLOAD = String.raw`
import json, sys, boto3
from botocore.config import Config
url, admin_key, admin_secret, data = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
boto3.client('iam', endpoint_url=url, region_name='us-east-1', aws_access_key_id=admin_key,
             aws_secret_access_key=admin_secret).put_role_policy(
    RoleName='pipeline', PolicyName='artifacts', PolicyDocument=json.dumps({
        'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:PutObject',
                                                'Resource': 'arn:aws:s3:::artifacts/*'}]}))
creds, target = data['artifactCredentials'], data['outputArtifacts'][0]['location']['s3Location']
boto3.client('s3', endpoint_url=url, region_name='us-east-1',
             aws_access_key_id=creds['accessKeyId'],
             aws_secret_access_key=creds['secretAccessKey'],
             aws_session_token=creds['sessionToken'],
             config=Config(s3={'addressing_style': 'path'})).put_object(
    Bucket=target['bucketName'], Key=target['objectKey'], Body=b'PK partner output')
`;

const github = {
  category: 'Source',
  owner: 'ThirdParty',
  provider: 'GitHub',
  version: '1',
} as const;

function declaration(name: string): PipelineDeclaration {
  return {
    name,
    roleArn: 'arn:aws:iam::123456789012:role/pipeline',
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'GitHub',
            actionTypeId: github,
            configuration: {
              Owner: 'o',
              Repo: 'r',
              Branch: 'main',
              OAuthToken: 'not-a-real-token',
            },
            outputArtifacts: [{ name: 'Code' }],
          },
        ],
      },
      {
        name: 'Hold',
        actions: [
          {
            name: 'Gate',
            actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' },
          },
        ],
      },
    ],
  };
}

async function stageStatuses(t: TestServer, name: string) {
  const state = await t.client.send(new GetPipelineStateCommand({ name }));
  return state.stageStates?.map((s) => s.actionStates?.[0]?.latestExecution?.status);
}

describe('ThirdParty jobs with partner workers', () => {
  let t: TestServer;
  beforeAll(
    async () => (t = await startTestServer({ env: { LOCKSTEP_THIRD_PARTY_WORKERS: 'true' } })),
  );
  afterAll(() => t.stop());

  it('runs a partner worker through poll, details, acknowledge and success', async () => {
    await t.client.send(new CreatePipelineCommand({ pipeline: declaration('partner') }));
    let jobId = '';
    await eventually(async () => {
      const polled = await t.client.send(
        new PollForThirdPartyJobsCommand({ actionTypeId: github }),
      );
      expect(polled.jobs).toHaveLength(1);
      expect(polled.jobs?.[0]?.clientId).toBe('lockstep-123456789012');
      jobId = polled.jobs?.[0]?.jobId ?? '';
    });
    const details = await t.client.send(
      new GetThirdPartyJobDetailsCommand({ jobId, clientToken: 'token-a' }),
    );
    const context = details.jobDetails?.data?.pipelineContext;
    // The partner variant leaves out the pipeline ARN and execution id, as CodePipeline does.
    expect(Object.keys(context ?? {}).sort()).toEqual(['action', 'pipelineName', 'stage']);
    expect(context?.stage).toEqual({ name: 'Source' });
    expect(context?.action?.name).toBe('GitHub');
    expect(context?.action?.actionExecutionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(details.jobDetails?.data?.actionConfiguration?.configuration?.Repo).toBe('r');
    const nonce = details.jobDetails?.nonce;
    const ack = await t.client.send(
      new AcknowledgeThirdPartyJobCommand({ jobId, nonce, clientToken: 'token-a' }),
    );
    expect(ack.status).toBe('InProgress');
    // The partner stores its output through the S3 API, as the job's data says where.
    await promisify(execFile)('python3', [
      '-c',
      UPLOAD,
      t.server.url,
      t.credentials.accessKeyId,
      t.credentials.secretAccessKey,
      JSON.stringify(details.jobDetails?.data),
    ]);
    await expect(
      t.client.send(new GetThirdPartyJobDetailsCommand({ jobId, clientToken: 'token-b' })),
    ).rejects.toHaveProperty('name', 'InvalidClientTokenException');
    await t.client.send(
      new PutThirdPartyJobSuccessResultCommand({
        jobId,
        clientToken: 'token-a',
        currentRevision: { revision: 'abc123', changeIdentifier: 'abc123' },
        executionDetails: { summary: 'fetched by the partner' },
      }),
    );
    await eventually(async () =>
      expect(await stageStatuses(t, 'partner')).toEqual(['Succeeded', 'InProgress']),
    );
    expect(t.loggedErrors).toEqual([]);
  });
});

describe('ThirdParty jobs without partner workers', () => {
  let t: TestServer;
  beforeAll(async () => (t = await startTestServer()));
  afterAll(() => t.stop());

  it('fails a ThirdParty action at once, naming the provider', async () => {
    await t.client.send(new CreatePipelineCommand({ pipeline: declaration('alone') }));
    await eventually(async () => expect((await stageStatuses(t, 'alone'))?.[0]).toBe('Failed'));
    const state = await t.client.send(new GetPipelineStateCommand({ name: 'alone' }));
    expect(
      state.stageStates?.[0]?.actionStates?.[0]?.latestExecution?.errorDetails?.message,
    ).toContain('provider GitHub');
  });
});
