/**
 * CodeBuild build projects through the real AWS CLI v1: create, batch-get, list and delete,
 * CodeBuild's errors by name, and a pipeline whose CodeBuild action takes its buildspec from
 * the project named in ProjectName (inline, or a path in the source) because the source has
 * no buildspec.yml.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  CreatePipelineCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  type ActionDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  eventually,
  gitSource,
  gitSourceAction,
  type GitSource,
} from '../support/pipeline-runs.js';

const run = promisify(execFile);
const AWS_V1 = ['/root/.pyenv/shims/aws', '/usr/local/bin/aws'].find((p) => existsSync(p));
if (!AWS_V1) console.warn('codebuild-projects: skipped, the AWS CLI v1 is not installed');

const INLINE_BUILDSPEC = `version: 0.2
env:
  exported-variables:
    - BUILT_BY
phases:
  build:
    commands:
      - export BUILT_BY=inline-$(cat README)
`;

const FILE_BUILDSPEC = `version: 0.2
env:
  exported-variables:
    - FROM_FILE
phases:
  build:
    commands:
      - export FROM_FILE=yes
`;

describe.skipIf(!AWS_V1)('CodeBuild projects', () => {
  let t: TestServer;
  let source: GitSource;

  /** Runs `aws codebuild ...` as the administrator and parses its JSON output. */
  async function codebuild(...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(
      AWS_V1 ?? 'aws',
      [
        'codebuild',
        ...args,
        '--endpoint-url',
        t.server.url,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
          AWS_MAX_ATTEMPTS: '1',
        },
      },
    );
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  }

  /** The error code the CLI printed for a refused call. */
  async function refusedWith(call: Promise<unknown>): Promise<string> {
    try {
      await call;
    } catch (error) {
      const match = /\((\w+)\) when calling/.exec((error as { stderr?: string }).stderr ?? '');
      return match?.[1] ?? `unparsed: ${String((error as { stderr?: string }).stderr)}`;
    }
    throw new Error('the call succeeded but should have been refused');
  }

  /** `aws codebuild create-project` as a CodePipeline project with `buildspec`. */
  function createProject(name: string, buildspec?: string, artifactsType = 'CODEPIPELINE') {
    return codebuild(
      'create-project',
      '--name',
      name,
      '--source',
      buildspec === undefined ? 'type=CODEPIPELINE' : `type=CODEPIPELINE,buildspec=${buildspec}`,
      '--artifacts',
      `type=${artifactsType}`,
      '--environment',
      'type=LINUX_CONTAINER,image=aws/codebuild/standard:7.0,computeType=BUILD_GENERAL1_SMALL',
      '--service-role',
      'arn:aws:iam::123456789012:role/build',
    );
  }

  beforeAll(async () => {
    t = await startTestServer();
    source = await gitSource(t);
  });
  afterAll(() => t?.stop());

  it('creates, gets, lists and deletes a project, with CodeBuild errors by name', async () => {
    const created = (await createProject('app', INLINE_BUILDSPEC)).project as Record<
      string,
      unknown
    >;
    expect(created).toMatchObject({
      name: 'app',
      arn: 'arn:aws:codebuild:us-east-1:123456789012:project/app',
      // The CLI's shorthand syntax drops the trailing newline, as `$(cat buildspec.yml)` does.
      source: { type: 'CODEPIPELINE', buildspec: INLINE_BUILDSPEC.trimEnd() },
      artifacts: { type: 'CODEPIPELINE' },
      environment: { image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
      serviceRole: 'arn:aws:iam::123456789012:role/build',
      timeoutInMinutes: 60,
    });
    expect(typeof created.created).toBe('number');
    await createProject('zeta');

    expect(await refusedWith(createProject('app'))).toBe('ResourceAlreadyExistsException');
    expect(await refusedWith(createProject('mixed', undefined, 'NO_ARTIFACTS'))).toBe(
      'InvalidInputException',
    );

    const got = await codebuild(
      'batch-get-projects',
      '--names',
      'arn:aws:codebuild:us-east-1:123456789012:project/zeta',
      'app',
      'nope',
    );
    expect((got.projects as { name: string }[]).map((p) => p.name)).toEqual(['zeta', 'app']);
    expect(got.projectsNotFound).toEqual(['nope']);

    expect((await codebuild('list-projects')).projects).toEqual(['app', 'zeta']);
    const descending = await codebuild(
      'list-projects',
      '--sort-by',
      'NAME',
      '--sort-order',
      'DESCENDING',
    );
    expect(descending.projects).toEqual(['zeta', 'app']);
    expect(
      await refusedWith(codebuild('list-projects', '--no-paginate', '--next-token', 'garbage')),
    ).toBe('InvalidInputException');

    expect(await codebuild('delete-project', '--name', 'zeta')).toEqual({});
    expect((await codebuild('batch-get-projects', '--names', 'zeta')).projectsNotFound).toEqual([
      'zeta',
    ]);
    expect(await refusedWith(codebuild('delete-project', '--name', 'zeta'))).toBe(
      'ResourceNotFoundException',
    );
    expect((await codebuild('list-projects')).projects).toEqual(['app']);
  });

  it("builds with the project's buildspec when the source has none", async () => {
    await createProject('inline-built', INLINE_BUILDSPEC);
    await createProject('file-built', 'ci-spec.yml');
    await source.commit('ci-spec.yml', FILE_BUILDSPEC, 'a buildspec under another name');
    const build = (name: string, project: string): ActionDeclaration => ({
      name,
      namespace: name,
      actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
      configuration: { ProjectName: project },
      inputArtifacts: [{ name: 'Code' }],
    });
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name: 'projects',
          pipelineType: 'V2',
          roleArn: 'arn:aws:iam::123456789012:role/pipeline',
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [gitSourceAction(source)] },
            {
              name: 'Build',
              actions: [
                build('Inline', 'inline-built'),
                build('FromFile', 'file-built'),
                // No such project and no buildspec.yml in the source: nothing to run.
                build('Unregistered', 'not-registered'),
              ],
            },
          ],
        },
      }),
    );
    await eventually(async () => {
      const out = await t.client.send(
        new ListPipelineExecutionsCommand({ pipelineName: 'projects' }),
      );
      expect(out.pipelineExecutionSummaries?.[0]?.status).toBe('Failed');
    }, 30_000);
    const actions = await t.client.send(
      new ListActionExecutionsCommand({ pipelineName: 'projects' }),
    );
    const byName = (name: string) =>
      actions.actionExecutionDetails?.find((a) => a.actionName === name);
    expect(byName('Inline')?.status).toBe('Succeeded');
    expect(byName('Inline')?.output?.outputVariables).toEqual({ BUILT_BY: 'inline-app' });
    expect(byName('FromFile')?.status).toBe('Succeeded');
    expect(byName('FromFile')?.output?.outputVariables).toEqual({ FROM_FILE: 'yes' });
    expect(byName('Unregistered')?.status).toBe('Failed');
    expect(byName('Unregistered')?.output?.executionResult?.errorDetails).toMatchObject({
      code: 'ConfigurationError',
      message: expect.stringMatching(/^No buildspec\.yml/) as unknown,
    });
  }, 60_000);
});
