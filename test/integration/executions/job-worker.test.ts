/**
 * An external job worker for a custom action type, written with the JavaScript SDK as a user
 * would write one: PollForJobs (with queryParam), AcknowledgeJob, GetJobDetails,
 * PutJobSuccessResult with a continuation token and then output variables that a later
 * Commands action uses, and PutJobFailureResult failing a run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AcknowledgeJobCommand,
  CreateCustomActionTypeCommand,
  CreatePipelineCommand,
  GetJobDetailsCommand,
  PollForJobsCommand,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
  StartPipelineExecutionCommand,
  type ActionTypeId,
  type Job,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectServiceError } from '../../e2e/support/sdk-client.js';
import { startTestServer, type TestServer } from '../../support/in-process-server.js';
import {
  actionExecution,
  actionLog,
  commandsAction,
  createConnection,
  createGitRepo,
  firstRun,
  gitSource,
  unique,
  v2Pipeline,
  waitFor,
  waitForAction,
  waitForStatus,
} from './support.js';

describe('an external worker for a custom action type', () => {
  let t: TestServer;
  let scratch: string;
  let commitId: string;
  let firstRunId: string;
  const name = unique('custom');
  const actionTypeId: ActionTypeId = {
    category: 'Deploy',
    owner: 'Custom',
    provider: unique('Rollout'),
    version: '1',
  };

  /** One PollForJobs call for the blue queue (or `queue`). */
  const poll = async (queue = 'blue'): Promise<Job[]> =>
    (
      await t.client.send(
        new PollForJobsCommand({ actionTypeId, maxBatchSize: 5, queryParam: { Queue: queue } }),
      )
    ).jobs ?? [];
  /** Polls until a job is offered; it must be the only one. */
  const nextJob = async (): Promise<Job> => {
    const jobs = await waitFor(
      async () => {
        const found = await poll();
        return found.length > 0 ? found : undefined;
      },
      20_000,
      'a job for the custom action',
    );
    expect(jobs).toHaveLength(1);
    return jobs[0]!;
  };
  const acknowledge = (job: Job) =>
    t.client.send(new AcknowledgeJobCommand({ jobId: job.id, nonce: job.nonce }));

  beforeAll(async () => {
    t = await startTestServer();
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-exec-repos-'));
    const repo = await createGitRepo(scratch);
    commitId = await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
    const connectionArn = await createConnection(
      { url: t.server.url, dataDir: t.dataDir },
      repo.endpoint,
    );
    await t.client.send(
      new CreateCustomActionTypeCommand({
        category: actionTypeId.category,
        provider: actionTypeId.provider,
        version: actionTypeId.version,
        configurationProperties: [
          {
            name: 'Queue',
            required: true,
            key: true,
            secret: false,
            queryable: true,
            type: 'String',
          },
        ],
        inputArtifactDetails: { minimumCount: 0, maximumCount: 1 },
        outputArtifactDetails: { minimumCount: 0, maximumCount: 0 },
      }),
    );
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: v2Pipeline(name, [
          ['Source', [gitSource(connectionArn, repo.repositoryId)]],
          [
            'Rollout',
            [
              {
                name: 'External',
                actionTypeId,
                configuration: { Queue: 'blue' },
                inputArtifacts: [{ name: 'SourceOut' }],
                namespace: 'CustomNs',
              },
            ],
          ],
          [
            'Verify',
            [
              commandsAction(
                'UseResult',
                ['echo "the worker said #{CustomNs.result}"', 'RESULT="#{CustomNs.result}"'],
                { outputVariables: ['RESULT'] },
              ),
            ],
          ],
        ]),
      }),
    );
    firstRunId = await firstRun(t.client, name);
  });

  afterAll(async () => {
    await t?.stop();
    // A run that ended as the test expects may still have hidden a failure in the background.
    expect(t?.loggedErrors ?? []).toEqual([]);
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('serves jobs by queryParam, claims them by nonce, continues them, and takes output variables', async () => {
    const id = firstRunId;
    await waitFor(
      async () => (await actionExecution(t.client, name, id, 'External'))?.status === 'InProgress',
      20_000,
      'the custom action to start',
    );
    // The job waits for the blue queue's worker; a red worker is offered nothing.
    expect(await poll('red')).toEqual([]);

    const job = await nextJob();
    expect(job.accountId).toBe('123456789012');
    expect(job.data?.actionTypeId).toEqual(actionTypeId);
    expect(job.data?.actionConfiguration?.configuration).toEqual({ Queue: 'blue' });
    expect(job.data?.pipelineContext).toMatchObject({
      pipelineName: name,
      stage: { name: 'Rollout' },
      action: { name: 'External' },
      pipelineExecutionId: id,
    });
    expect(job.data?.inputArtifacts?.map((a) => [a.name, a.revision])).toEqual([
      ['SourceOut', commitId],
    ]);
    expect(job.data?.continuationToken).toBeUndefined();

    await expectServiceError(
      t.client.send(new AcknowledgeJobCommand({ jobId: job.id, nonce: 'not-the-nonce' })),
      'InvalidNonceException',
    );
    expect((await acknowledge(job)).status).toBe('InProgress');
    const details = await t.client.send(new GetJobDetailsCommand({ jobId: job.id }));
    expect(details.jobDetails?.id).toBe(job.id);
    expect(details.jobDetails?.data?.pipelineContext?.pipelineExecutionId).toBe(id);

    // A continuation token ends this job and offers a new one for the same action.
    await t.client.send(
      new PutJobSuccessResultCommand({
        jobId: job.id,
        continuationToken: 'page-2',
        executionDetails: { summary: 'half way', percentComplete: 50 },
      }),
    );
    const continued = await nextJob();
    expect(continued.id).not.toBe(job.id);
    expect(continued.data?.continuationToken).toBe('page-2');
    expect(continued.data?.pipelineContext?.action?.actionExecutionId).toBe(
      job.data?.pipelineContext?.action?.actionExecutionId,
    );
    expect((await actionExecution(t.client, name, id, 'External'))?.status).toBe('InProgress');
    await expectServiceError(
      t.client.send(new PutJobSuccessResultCommand({ jobId: job.id })),
      'InvalidJobStateException',
    );

    expect((await acknowledge(continued)).status).toBe('InProgress');
    await t.client.send(
      new PutJobSuccessResultCommand({
        jobId: continued.id,
        outputVariables: { result: 'forty-two' },
        executionDetails: { summary: 'rolled out', externalExecutionId: 'rollout-7' },
      }),
    );
    await waitForStatus(t.client, name, id, 'Succeeded');
    const external = await actionExecution(t.client, name, id, 'External');
    expect(external?.status).toBe('Succeeded');
    expect(external?.output?.outputVariables).toEqual({ result: 'forty-two' });
    expect(external?.output?.executionResult).toMatchObject({
      externalExecutionId: 'rollout-7',
      externalExecutionSummary: 'rolled out',
    });
    const useResult = await waitForAction(t.client, name, id, 'UseResult', 'Succeeded');
    expect(useResult.output?.outputVariables).toEqual({ RESULT: 'forty-two' });
    expect(await actionLog(t.dataDir, name, id, useResult.actionExecutionId)).toContain(
      'the worker said forty-two',
    );

    // A finished job takes no second result.
    await expectServiceError(
      t.client.send(new PutJobSuccessResultCommand({ jobId: continued.id })),
      'InvalidJobStateException',
    );
    expect(await poll()).toEqual([]);
  });

  it('fails the run with the message of PutJobFailureResult', async () => {
    const { pipelineExecutionId: id } = await t.client.send(
      new StartPipelineExecutionCommand({ name }),
    );
    if (!id) throw new Error('no execution id');
    const job = await nextJob();
    expect(job.data?.pipelineContext?.pipelineExecutionId).toBe(id);
    await acknowledge(job);
    await t.client.send(
      new PutJobFailureResultCommand({
        jobId: job.id,
        failureDetails: {
          type: 'JobFailed',
          message: 'the fleet refused the rollout',
          externalExecutionId: 'rollout-8',
        },
      }),
    );
    const failed = await waitForStatus(t.client, name, id, 'Failed');
    expect(failed.statusSummary).toContain('the fleet refused the rollout');
    const external = await actionExecution(t.client, name, id, 'External');
    expect(external?.output?.executionResult?.errorDetails).toEqual({
      code: 'JobFailed',
      message: 'the fleet refused the rollout',
    });
    expect(await actionExecution(t.client, name, id, 'UseResult')).toBeUndefined();
    await expectServiceError(
      t.client.send(
        new PutJobFailureResultCommand({
          jobId: job.id,
          failureDetails: { type: 'JobFailed', message: 'again' },
        }),
      ),
      'InvalidJobStateException',
    );
  });

  it('refuses to poll for jobs of AWS-owned action types, or of a type that does not exist', async () => {
    await expectServiceError(
      t.client.send(
        new PollForJobsCommand({
          actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
        }),
      ),
      'ValidationException',
    );
    await expectServiceError(
      t.client.send(
        new PollForJobsCommand({ actionTypeId: { ...actionTypeId, provider: 'NoSuchWorker' } }),
      ),
      'ActionTypeNotFoundException',
    );
  });
});
