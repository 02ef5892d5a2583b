/**
 * Per-action credentials, from inside the action: a Commands action whose role may only read
 * its own pipeline gets a session in the AWS_* variables, and the real AWS CLI v2 in the
 * sandbox can read that pipeline and is refused anything else; an action with no role of its
 * own runs as the pipeline role; an action whose role does not exist runs without credentials
 * and says so in its summary; no secret reaches the log.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { CreatePipelineCommand, ListActionExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockstepClient } from '../../src/cli/lockstep-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';
import { eventually, gitSource, gitSourceAction } from '../support/pipeline-runs.js';

const exec = promisify(execFile);
// Debian's CLI v2 lives under /usr, which the sandbox mounts; the pyenv one is not visible there.
const AWS_V2 = '/usr/bin/aws';
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/reader-role`;
const MISSING_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/missing-role`;
const CLI = `${AWS_V2} --endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1`;

describe.skipIf(!existsSync(AWS_V2))('an action runs with its role’s credentials', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const iam = (...args: string[]) =>
      exec(AWS_V2, ['iam', ...args, '--endpoint-url', t.server.url, '--region', 'us-east-1'], {
        env,
      });
    await iam(
      'create-role',
      '--role-name',
      'reader-role',
      '--assume-role-policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'codepipeline.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    );
    await iam(
      'put-role-policy',
      '--role-name',
      'reader-role',
      '--policy-name',
      'read-creds',
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'codepipeline:GetPipeline',
            Resource: `arn:aws:codepipeline:us-east-1:${ACCOUNT}:creds`,
          },
        ],
      }),
    );
  });
  afterAll(() => t?.stop());

  it('can do what its role allows and nothing else', async () => {
    const source = await gitSource(t);
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name: 'creds',
          pipelineType: 'V2',
          roleArn: PIPELINE_ROLE_ARN,
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [gitSourceAction(source)] },
            {
              name: 'Run',
              actions: [
                {
                  name: 'WithRole',
                  roleArn: ROLE_ARN,
                  actionTypeId: commands,
                  inputArtifacts: [{ name: 'Code' }],
                  outputVariables: ['SECRET_SEEN'],
                  commands: [
                    'export HOME=$PWD AWS_PAGER=""',
                    `${CLI} codepipeline get-pipeline --name creds > pipeline.json`,
                    'grep -q reader-role pipeline.json',
                    `! ${CLI} codepipeline list-pipelines 2> err`,
                    'grep AccessDeniedException err',
                    // Only so that the test learns the secret and can look for it in the log.
                    'export SECRET_SEEN="$AWS_SECRET_ACCESS_KEY"',
                  ],
                },
                {
                  name: 'AsPipelineRole',
                  actionTypeId: commands,
                  inputArtifacts: [{ name: 'Code' }],
                  commands: [
                    'export HOME=$PWD AWS_PAGER=""',
                    `${CLI} sts get-caller-identity > identity.json`,
                    'grep -q assumed-role/pipeline/ identity.json',
                    // The pipeline role has no permissions of its own.
                    `! ${CLI} codepipeline get-pipeline --name creds 2> err`,
                    'grep AccessDeniedException err',
                  ],
                },
                {
                  name: 'WithMissingRole',
                  roleArn: MISSING_ROLE_ARN,
                  actionTypeId: commands,
                  inputArtifacts: [{ name: 'Code' }],
                  commands: ['test -z "$AWS_ACCESS_KEY_ID" && test -z "$AWS_SESSION_TOKEN"'],
                },
              ],
            },
          ],
        },
      }),
    );
    let executionId = '';
    await eventually(async () => {
      const out = await t.client.send(new ListActionExecutionsCommand({ pipelineName: 'creds' }));
      const run = (out.actionExecutionDetails ?? []).filter((a) => a.stageName === 'Run');
      expect(run.map((a) => [a.actionName, a.status]).sort()).toEqual([
        ['AsPipelineRole', 'Succeeded'],
        ['WithMissingRole', 'Succeeded'],
        ['WithRole', 'Succeeded'],
      ]);
      const withRole = run.find((a) => a.actionName === 'WithRole');
      const asPipelineRole = run.find((a) => a.actionName === 'AsPipelineRole');
      const withMissingRole = run.find((a) => a.actionName === 'WithMissingRole');
      for (const action of [withRole, asPipelineRole]) {
        expect(action?.output?.executionResult?.externalExecutionSummary).not.toContain(
          'without AWS credentials',
        );
      }
      expect(withMissingRole?.output?.executionResult?.externalExecutionSummary).toContain(
        `Ran without AWS credentials: role ${MISSING_ROLE_ARN} does not exist.`,
      );
      const secret = withRole?.output?.outputVariables?.SECRET_SEEN ?? '';
      expect(secret).toMatch(/^\S{40}$/);
      executionId = withRole?.pipelineExecutionId ?? '';
      const { log } = await lockstepClient({ endpointUrl: t.server.url, dataDir: t.dataDir }).call<{
        log: string;
      }>('GetActionExecutionLog', {
        pipelineName: 'creds',
        pipelineExecutionId: executionId,
        actionName: 'WithRole',
      });
      expect(log).toContain('AccessDeniedException');
      expect(log).not.toContain(secret);
      expect(log).not.toContain('lsts1_');
    }, 60_000);
    expect(executionId).not.toBe('');
  }, 90_000);
});

const commands = { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' } as const;
