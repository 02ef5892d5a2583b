/**
 * Secrets at run time, as a user sets them up: `aws secretsmanager create-secret --name
 * GITHUB_TOKEN`, a role policy that lets the pipeline role read it, then a run whose actions use
 * it three ways (a SECRETS_MANAGER variable of a Commands action, a buildspec's
 * `env.secrets-manager`, and a `{{resolve:secretsmanager:...}}` reference in CodeBuild's
 * EnvironmentVariables). Each action prints it, encodes it and exports it: the log, the output
 * variables and the summary show only `***`, no file of the data directory holds it, and an
 * action whose role may not read it fails, naming the secret and not its value.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CreatePipelineCommand } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';
import {
  actionExecutions,
  actionLog,
  commandsAction,
  createConnection,
  createGitRepo,
  firstRun,
  gitSource,
  v2Pipeline,
  waitForStatus,
} from '../integration/executions/support.js';
import { awsAnyServiceCli, everyOnPath, versionOf, type AwsCli } from './support/run-client.js';

const CLI_V1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));
if (!CLI_V1) console.warn('pipeline-secrets.test.ts: skipped, the AWS CLI v1 is not installed');

// Not shaped like any well-known credential: only the run's own redaction can hide it.
const SECRET = 'lockstep-e2e-s3cr3t-7Qv9Xw2Kz';
const ACCOUNT = '123456789012';
const OUTSIDER_ROLE = `arn:aws:iam::${ACCOUNT}:role/outsider`;
const BUILDSPEC = `version: 0.2
env:
  secrets-manager:
    FROM_BUILDSPEC: GITHUB_TOKEN
  exported-variables: [LEAKED]
phases:
  build:
    commands:
      - echo "buildspec sees $FROM_BUILDSPEC and action sees $FROM_ACTION"
      - test "$FROM_BUILDSPEC" = "$FROM_ACTION"
      - export LEAKED="$FROM_BUILDSPEC"
`;

let t: TestServer;
let stopped = false;
let cli: AwsCli;
let executionId: string;

describe.skipIf(!CLI_V1)('secrets resolved when an action starts', () => {
  beforeAll(async () => {
    t = await startTestServer({ pipelineRoles: [PIPELINE_ROLE_ARN, OUTSIDER_ROLE] });
    cli = awsAnyServiceCli(CLI_V1 ?? 'aws', t.server, path.join(t.dataDir, 'credentials'));
    await cli.json(
      'secretsmanager',
      'create-secret',
      '--name',
      'GITHUB_TOKEN',
      '--secret-string',
      SECRET,
    );
    await cli.json(
      ...['iam', 'put-role-policy', '--role-name', 'pipeline', '--policy-name', 'read-token'],
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:GITHUB_TOKEN-??????`,
          },
        ],
      }),
    );
    const repo = await createGitRepo(
      path.join(t.dataDir, '..', `repos-${path.basename(t.dataDir)}`),
    );
    await repo.commit({ 'buildspec.yml': BUILDSPEC }, 'buildspec reading a secret');
    const connectionArn = await createConnection(
      { url: t.server.url, dataDir: t.dataDir },
      repo.endpoint,
    );
    const pipeline = v2Pipeline('secrets', [
      ['Source', [gitSource(connectionArn, repo.repositoryId)]],
      [
        'Use',
        [
          commandsAction(
            'Print',
            ['echo "the token is $TOKEN"', 'printf %s "$TOKEN" | base64', 'export SEEN="$TOKEN"'],
            {
              environmentVariables: [
                { name: 'TOKEN', value: 'GITHUB_TOKEN', type: 'SECRETS_MANAGER' },
              ],
              outputVariables: ['SEEN'],
            },
          ),
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            inputArtifacts: [{ name: 'SourceOut' }],
            configuration: {
              ProjectName: 'secrets-build',
              EnvironmentVariables: JSON.stringify([
                {
                  name: 'FROM_ACTION',
                  value: '{{resolve:secretsmanager:GITHUB_TOKEN}}',
                  type: 'PLAINTEXT',
                },
              ]),
            },
          },
          commandsAction('Outsider', ['echo "should not run: $TOKEN"'], {
            roleArn: OUTSIDER_ROLE,
            environmentVariables: [
              { name: 'TOKEN', value: 'GITHUB_TOKEN', type: 'SECRETS_MANAGER' },
            ],
          }),
        ],
      ],
    ]);
    await t.client.send(new CreatePipelineCommand({ pipeline }));
    executionId = await firstRun(t.client, 'secrets');
    await waitForStatus(t.client, 'secrets', executionId, 'Failed', 60_000);
  }, 120_000);

  afterAll(async () => {
    if (!stopped) await t?.stop();
  });

  it('hands the value to the action, and shows only *** in its log and outputs', async () => {
    const actions = await actionExecutions(t.client, 'secrets', executionId);
    const print = actions.find((a) => a.actionName === 'Print');
    expect(print?.status).toBe('Succeeded');
    expect(print?.output?.outputVariables).toEqual({ SEEN: '***' });
    const log = await actionLog(t.dataDir, 'secrets', executionId, print?.actionExecutionId);
    expect(log).toContain('the token is ***');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(Buffer.from(SECRET).toString('base64'));
  });

  it('resolves buildspec secrets and {{resolve:...}} references alike', async () => {
    const actions = await actionExecutions(t.client, 'secrets', executionId);
    const build = actions.find((a) => a.actionName === 'Build');
    expect(build?.status).toBe('Succeeded');
    expect(build?.output?.outputVariables).toEqual({ LEAKED: '***' });
    const log = await actionLog(t.dataDir, 'secrets', executionId, build?.actionExecutionId);
    expect(log).toContain('buildspec sees *** and action sees ***');
    // What the run recorded as the action's configuration keeps the reference, not the value.
    expect(JSON.stringify(build?.input?.configuration)).toContain(
      '{{resolve:secretsmanager:GITHUB_TOKEN}}',
    );
  });

  it('fails an action whose role may not read the secret, naming it and not its value', async () => {
    const actions = await actionExecutions(t.client, 'secrets', executionId);
    const outsider = actions.find((a) => a.actionName === 'Outsider');
    expect(outsider?.status).toBe('Failed');
    const message = outsider?.output?.executionResult?.errorDetails?.message ?? '';
    expect(message).toContain('GITHUB_TOKEN');
    expect(message).toContain('assumed-role/outsider/');
    expect(message).toContain('not authorized to perform: secretsmanager:GetSecretValue');
    expect(message).not.toContain(SECRET);
  });

  it('leaves the value in no file of the data directory', async () => {
    await t.stop();
    stopped = true;
    const entries = await readdir(t.dataDir, { withFileTypes: true, recursive: true });
    const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect((await readFile(file)).includes(SECRET), file).toBe(false);
    }
  });
});
