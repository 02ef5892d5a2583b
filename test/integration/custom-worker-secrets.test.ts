/**
 * A custom action's configuration may reference a secret: the worker holding the job receives
 * the value in PollForJobs and GetJobDetails (read as the action's role), while GetPipeline and
 * the stored job keep the reference. A job whose role may not read the secret is never handed
 * out; its action fails naming the reference, not the value.
 */
import path from 'node:path';
import {
  AcknowledgeJobCommand,
  CreateCustomActionTypeCommand,
  CreatePipelineCommand,
  GetJobDetailsCommand,
  GetPipelineCommand,
  PollForJobsCommand,
  PutJobFailureResultCommand,
  type ActionTypeId,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/store/open-state-store.js';
import { awsAnyServiceCli } from '../e2e/support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';
import {
  actionExecution,
  firstRun,
  v2Pipeline,
  waitFor,
  waitForAction,
} from './executions/support.js';

const SECRET = 'deploy-key-value-3Nc8Wq';
const OUTSIDER_ROLE = 'arn:aws:iam::123456789012:role/outsider';
const actionTypeId: ActionTypeId = {
  category: 'Deploy',
  owner: 'Custom',
  provider: 'Rollout',
  version: '1',
};

let t: TestServer;

/** A pipeline whose only action is the custom one, as `roleArn`. */
function pipeline(name: string, roleArn: string) {
  return v2Pipeline(name, [
    [
      'Source',
      [
        {
          name: 'Fetch',
          actionTypeId: { ...actionTypeId, category: 'Source', provider: 'Fetcher' },
          configuration: { Target: 'prod', Key: '{{resolve:secretsmanager:deploy-key}}' },
          outputArtifacts: [{ name: 'Out' }],
          roleArn,
        },
      ],
    ],
    ['Notify', [{ name: 'Wait', actionTypeId: { ...actionTypeId, provider: 'Noop' } }]],
  ]);
}

describe('secrets for custom job workers', () => {
  beforeAll(async () => {
    t = await startTestServer({ pipelineRoles: [PIPELINE_ROLE_ARN, OUTSIDER_ROLE] });
    const cli = awsAnyServiceCli('aws', t.server, path.join(t.dataDir, 'credentials'));
    const secret = await cli.json<{ ARN: string }>(
      ...['secretsmanager', 'create-secret', '--name', 'deploy-key', '--secret-string', SECRET],
    );
    await cli.json(
      ...['iam', 'put-role-policy', '--role-name', 'pipeline', '--policy-name', 'key'],
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.ARN },
        ],
      }),
    );
    for (const provider of ['Fetcher', 'Noop']) {
      await t.client.send(
        new CreateCustomActionTypeCommand({
          category: provider === 'Fetcher' ? 'Source' : 'Deploy',
          provider,
          version: '1',
          configurationProperties:
            provider === 'Fetcher'
              ? [
                  {
                    name: 'Target',
                    required: true,
                    key: true,
                    secret: false,
                    queryable: true,
                    type: 'String',
                  },
                  { name: 'Key', required: true, key: false, secret: false, type: 'String' },
                ]
              : [],
          inputArtifactDetails: { minimumCount: 0, maximumCount: 1 },
          outputArtifactDetails: { minimumCount: provider === 'Fetcher' ? 1 : 0, maximumCount: 1 },
        }),
      );
    }
  }, 60_000);

  afterAll(() => t?.stop());

  const poll = async () =>
    (
      await t.client.send(
        new PollForJobsCommand({
          actionTypeId: { ...actionTypeId, category: 'Source', provider: 'Fetcher' },
          queryParam: { Target: 'prod' },
          maxBatchSize: 5,
        }),
      )
    ).jobs ?? [];

  it('hands the worker the value, and keeps the reference everywhere else', async () => {
    await t.client.send(
      new CreatePipelineCommand({ pipeline: pipeline('allowed', PIPELINE_ROLE_ARN) }),
    );
    const [job] = await waitFor(
      async () => {
        const jobs = await poll();
        return jobs.length > 0 ? jobs : undefined;
      },
      20_000,
      'a job for the custom source',
    );
    expect(job?.data?.actionConfiguration?.configuration).toEqual({ Target: 'prod', Key: SECRET });
    const details = await t.client.send(new GetJobDetailsCommand({ jobId: job?.id }));
    expect(details.jobDetails?.data?.actionConfiguration?.configuration?.Key).toBe(SECRET);
    const got = await t.client.send(new GetPipelineCommand({ name: 'allowed' }));
    expect(got.pipeline?.stages?.[0]?.actions?.[0]?.configuration?.Key).toBe(
      '{{resolve:secretsmanager:deploy-key}}',
    );
  });

  it('hides the value when the worker echoes it back, in the action and the trail', async () => {
    const [job] = await poll();
    expect(job?.id).toBeDefined();
    await t.client.send(new AcknowledgeJobCommand({ jobId: job?.id, nonce: job?.nonce }));
    await t.client.send(
      new PutJobFailureResultCommand({
        jobId: job?.id,
        failureDetails: { type: 'JobFailed', message: `deploy refused key ${SECRET}` },
      }),
    );
    const id = job?.data?.pipelineContext?.pipelineExecutionId ?? '';
    const fetch = await waitForAction(t.client, 'allowed', id, 'Fetch', 'Failed');
    expect(fetch.output?.executionResult?.errorDetails?.message).toBe('deploy refused key ***');
    const store = await openStateStore({ dataDir: t.dataDir });
    try {
      const records = await store.listAudit(0, 10_000);
      const report = records.find((r) => r.eventName === 'PutJobFailureResult');
      expect(report?.requestParametersJson).toContain('deploy refused key ***');
      expect(JSON.stringify(records)).not.toContain(SECRET);
    } finally {
      await store.close();
    }
  });

  it('fails, without handing it out, a job whose role may not read the secret', async () => {
    await t.client.send(new CreatePipelineCommand({ pipeline: pipeline('denied', OUTSIDER_ROLE) }));
    const id = await firstRun(t.client, 'denied');
    await waitFor(
      async () => (await actionExecution(t.client, 'denied', id, 'Fetch')) ?? undefined,
      20_000,
      'the action to start',
    );
    // Polls until the server has tried to hand the job out and failed it instead.
    const failed = await waitFor(
      async () => {
        const jobs = await poll();
        expect(jobs.map((j) => j.data?.pipelineContext?.pipelineName)).not.toContain('denied');
        const action = await actionExecution(t.client, 'denied', id, 'Fetch');
        return action?.status === 'Failed' ? action : undefined;
      },
      20_000,
      'the denied job to fail',
    );
    const message = failed.output?.executionResult?.errorDetails?.message ?? '';
    expect(message).toContain('could not resolve {{resolve:secretsmanager:deploy-key}}');
    expect(message).toContain('assumed-role/outsider/');
    expect(message).not.toContain(SECRET);
    await waitForAction(t.client, 'denied', id, 'Fetch', 'Failed');
  });
});
