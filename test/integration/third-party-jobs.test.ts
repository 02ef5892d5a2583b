/**
 * The partner (ThirdParty) job protocol: with LOCKSTEP_THIRD_PARTY_WORKERS=true a ThirdParty
 * action (here the GitHub v1 source) waits for a partner worker, which polls, reads the job,
 * acknowledges it with its client token and reports the result; another client token is then
 * refused. Without the setting, the same action fails at once as unavailable.
 */
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
