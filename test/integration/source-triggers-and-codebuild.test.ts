/**
 * What starts runs besides StartPipelineExecution — change detection on a git branch and
 * PutActionRevision — and the CodeBuild action running a buildspec from the source, on a real
 * server with real git.
 */
import {
  CreatePipelineCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  PutActionRevisionCommand,
  type ActionDeclaration,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  eventually,
  executionStatus,
  gitSource,
  gitSourceAction,
  type GitSource,
} from '../support/pipeline-runs.js';

let t: TestServer;
let source: GitSource;

beforeAll(async () => {
  // Poll branches every second so that a pushed commit starts a run quickly.
  t = await startTestServer({ env: { LOCKSTEP_SOURCE_POLL_SECONDS: '1' } });
  source = await gitSource(t);
});
afterAll(() => t.stop());

const BUILDSPEC = `version: 0.2
env:
  variables:
    GREETING: hello
  exported-variables:
    - BUILT_FROM
phases:
  build:
    commands:
      - mkdir -p dist
      - echo "$GREETING from $CODEBUILD_RESOLVED_SOURCE_VERSION" > dist/out.txt
      - export BUILT_FROM=$CODEBUILD_RESOLVED_SOURCE_VERSION
artifacts:
  base-directory: dist
  files:
    - '**/*'
`;

function pipeline(name: string, build: ActionDeclaration[]) {
  return new CreatePipelineCommand({
    pipeline: {
      name,
      pipelineType: 'V2',
      executionMode: 'QUEUED',
      roleArn: 'arn:aws:iam::123456789012:role/pipeline',
      artifactStore: { type: 'S3', location: 'artifacts' },
      stages: [
        { name: 'Source', actions: [gitSourceAction(source, 'SourceVariables')] },
        { name: 'Build', actions: build },
      ],
    },
  });
}

async function runs(name: string) {
  const out = await t.client.send(new ListPipelineExecutionsCommand({ pipelineName: name }));
  return out.pipelineExecutionSummaries ?? [];
}

describe('runs started by the source', () => {
  it('builds the buildspec of the source with CodeBuild, and the next stage sees its variables', async () => {
    const commit = await source.commit('buildspec.yml', BUILDSPEC, 'add buildspec');
    await t.client.send(
      pipeline('built', [
        {
          name: 'Build',
          namespace: 'BuildVariables',
          actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
          configuration: { ProjectName: 'app' },
          inputArtifacts: [{ name: 'Code' }],
          outputArtifacts: [{ name: 'Dist' }],
        },
        {
          name: 'Check',
          runOrder: 2,
          actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
          commands: ['grep "hello from #{BuildVariables.BUILT_FROM}" out.txt'],
          inputArtifacts: [{ name: 'Dist' }],
        },
      ]),
    );
    await eventually(async () => expect((await runs('built'))[0]?.status).toBe('Succeeded'));
    const actions = await t.client.send(new ListActionExecutionsCommand({ pipelineName: 'built' }));
    const build = actions.actionExecutionDetails?.find((a) => a.actionName === 'Build');
    expect(build?.output?.outputVariables).toEqual({ BUILT_FROM: commit });
    expect(build?.output?.executionResult?.logStreamARN).toContain(':log-stream:');
  });

  it('starts a run when a new commit lands on the branch (DetectChanges)', async () => {
    await t.client.send(pipeline('watched', [echoAction()]));
    await eventually(async () => expect((await runs('watched'))[0]?.status).toBe('Succeeded'));
    // Give the detector one look at the current head before the push.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const commit = await source.commit('change.txt', `${Date.now()}\n`, 'a change');
    await eventually(async () => {
      const latest = (await runs('watched'))[0];
      expect(latest?.trigger?.triggerType).toBe('PollForSourceChanges');
      expect(latest?.sourceRevisions?.[0]?.revisionId).toBe(commit);
    });
  });

  it('does not watch a source that says DetectChanges false', async () => {
    const action = gitSourceAction(source);
    action.configuration = { ...action.configuration, DetectChanges: 'false' };
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name: 'unwatched',
          pipelineType: 'V2',
          roleArn: 'arn:aws:iam::123456789012:role/pipeline',
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [action] },
            { name: 'Build', actions: [echoAction()] },
          ],
        },
      }),
    );
    await eventually(async () => expect((await runs('unwatched'))[0]?.status).toBe('Succeeded'));
    await source.commit('other.txt', `${Date.now()}\n`, 'another change');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await runs('unwatched')).toHaveLength(1);
  });

  it('PutActionRevision starts a run with that commit, once per revision', async () => {
    const old = await source.commit('pinned.txt', 'v1\n', 'pin me');
    await source.commit('pinned.txt', 'v2\n', 'newer');
    const action = gitSourceAction(source);
    action.configuration = { ...action.configuration, DetectChanges: 'false' };
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          name: 'revised',
          pipelineType: 'V2',
          roleArn: 'arn:aws:iam::123456789012:role/pipeline',
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [action] },
            { name: 'Build', actions: [echoAction()] },
          ],
        },
      }),
    );
    const revision = { revisionId: old, revisionChangeId: old, created: new Date() };
    const put = () =>
      t.client.send(
        new PutActionRevisionCommand({
          pipelineName: 'revised',
          stageName: 'Source',
          actionName: 'Src',
          actionRevision: revision,
        }),
      );
    const first = await put();
    expect(first.newRevision).toBe(true);
    await eventually(async () =>
      expect(await executionStatus(t.client, 'revised', first.pipelineExecutionId ?? '')).toBe(
        'Succeeded',
      ),
    );
    const latest = (await runs('revised'))[0];
    expect(latest?.trigger?.triggerType).toBe('PutActionRevision');
    expect(latest?.sourceRevisions?.[0]?.revisionId).toBe(old);
    const again = await put();
    expect(again).toMatchObject({
      newRevision: false,
      pipelineExecutionId: first.pipelineExecutionId,
    });
    expect(t.loggedErrors).toEqual([]);
  });
});

describe('the CodePipeline invoke action', () => {
  it('starts another pipeline with variables, and fails clearly on one that does not exist', async () => {
    const action = gitSourceAction(source);
    action.configuration = { ...action.configuration, DetectChanges: 'false' };
    const stages = (build: ActionDeclaration) => [
      { name: 'Source', actions: [action] },
      { name: 'Next', actions: [build] },
    ];
    const base = {
      pipelineType: 'V2' as const,
      roleArn: 'arn:aws:iam::123456789012:role/pipeline',
      artifactStore: { type: 'S3' as const, location: 'artifacts' },
    };
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          ...base,
          name: 'callee',
          variables: [{ name: 'target', defaultValue: 'dev' }],
          stages: stages({ ...echoAction(), commands: ['echo deploying to #{variables.target}'] }),
        },
      }),
    );
    const invoke = (name: string, pipelineName: string): ActionDeclaration => ({
      name: 'Invoke',
      actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'CodePipeline', version: '1' },
      configuration: {
        PipelineName: pipelineName,
        Variables: JSON.stringify([{ name: 'target', value: 'prod' }]),
      },
      namespace: `${name}Invoke`,
    });
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: { ...base, name: 'caller', stages: stages(invoke('caller', 'callee')) },
      }),
    );
    await eventually(async () => expect((await runs('caller'))[0]?.status).toBe('Succeeded'));
    const actions = await t.client.send(
      new ListActionExecutionsCommand({ pipelineName: 'caller' }),
    );
    const started = actions.actionExecutionDetails?.find((a) => a.actionName === 'Invoke')?.output
      ?.outputVariables?.PipelineExecutionId;
    expect(started).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(async () =>
      expect(await executionStatus(t.client, 'callee', started ?? '')).toBe('Succeeded'),
    );
    const { GetPipelineExecutionCommand } = await import('@aws-sdk/client-codepipeline');
    const callee = await t.client.send(
      new GetPipelineExecutionCommand({ pipelineName: 'callee', pipelineExecutionId: started }),
    );
    expect(callee.pipelineExecution?.variables).toEqual([
      { name: 'target', resolvedValue: 'prod' },
    ]);
    expect(callee.pipelineExecution?.trigger?.triggerDetail).toContain(':caller/');

    await t.client.send(
      new CreatePipelineCommand({
        pipeline: {
          ...base,
          name: 'broken-caller',
          stages: stages(invoke('broken', 'no-such-pipeline')),
        },
      }),
    );
    await eventually(async () => expect((await runs('broken-caller'))[0]?.status).toBe('Failed'));
    expect((await runs('broken-caller'))[0]?.statusSummary).toContain('PipelineNotFoundException');
  });
});

function echoAction(): ActionDeclaration {
  return {
    name: 'Echo',
    actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
    commands: ['echo ok'],
    inputArtifacts: [{ name: 'Code' }],
  };
}
