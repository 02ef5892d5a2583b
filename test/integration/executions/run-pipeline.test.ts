/**
 * A whole pipeline run through the JavaScript SDK: a git commit fetched through a connection,
 * built by a Commands action that uses the source's and the pipeline's variables and exports
 * its own, approved by a person whose request shows the build's variable, and deployed by a
 * later Commands action from the build's artifact. Then a new commit, and an override back to
 * the old one. On SQLite, and on PostgreSQL when LOCKSTEP_TEST_DATABASE_URL is set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  ListPipelineExecutionsCommand,
  PutApprovalResultCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectServiceError } from '../../e2e/support/sdk-client.js';
import { startTestServer, type TestServer } from '../../support/in-process-server.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../../support/postgres.js';
import {
  abandonRun,
  actionExecution,
  actionExecutions,
  actionLog,
  approvalAction,
  approvalToken,
  commandsAction,
  createConnection,
  createGitRepo,
  firstRun,
  getExecution,
  gitSource,
  unique,
  v2Pipeline,
  waitForAction,
  waitForStatus,
  type GitRepo,
} from './support.js';

reportPostgresSkipped('executions/run-pipeline');

const engines = [
  { engine: 'sqlite', database: () => Promise.resolve(undefined) },
  ...(TEST_DATABASE_URL ? [{ engine: 'postgres', database: createTestDatabase }] : []),
];

/** Source → Build (variables in, variable and artifact out) → Approve → Deploy. */
function releasePipeline(name: string, connectionArn: string, repositoryId: string) {
  return v2Pipeline(
    name,
    [
      ['Source', [gitSource(connectionArn, repositoryId)]],
      [
        'Build',
        [
          commandsAction(
            'Compile',
            [
              'echo "building #{SourceVariables.CommitId} for #{variables.audience}"',
              'mkdir -p dist && { cat app.txt; echo "#{variables.audience}"; } > dist/result.txt',
              'BUILD_ID="build-#{SourceVariables.CommitId}"',
              'APP_CONTENT="$(cat app.txt)"',
            ],
            {
              namespace: 'BuildVariables',
              outputVariables: ['BUILD_ID', 'APP_CONTENT'],
              outputArtifacts: [{ name: 'BuildOut', files: ['dist/**/*'] }],
            },
          ),
        ],
      ],
      ['Approve', [approvalAction('Sign-off', 'Release #{BuildVariables.BUILD_ID}?')]],
      [
        'Deploy',
        [
          commandsAction(
            'Ship',
            [
              'echo "shipping #{BuildVariables.BUILD_ID}"',
              'echo "artifact says: $(tr "\\n" " " < dist/result.txt)"',
              'SHIPPED="$(tr "\\n" " " < dist/result.txt)"',
              // Only the files the build listed travel in its artifact.
              'SOURCE_PRESENT="$(test -e app.txt && echo yes || echo no)"',
            ],
            { input: 'BuildOut', outputVariables: ['SHIPPED', 'SOURCE_PRESENT'] },
          ),
        ],
      ],
    ],
    [{ name: 'audience', defaultValue: 'staging' }],
  );
}

describe.each(engines)('a release pipeline on $engine', ({ database }) => {
  let t: TestServer;
  let scratch: string;
  let repo: GitRepo;
  let drop: (() => Promise<void>) | undefined;
  let firstCommit: string;
  const name = unique('release');

  beforeAll(async () => {
    const db = await database();
    drop = db && (() => db.drop());
    t = await startTestServer(db ? { databaseUrl: db.url } : {});
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-exec-repos-'));
    repo = await createGitRepo(scratch);
    firstCommit = await repo.commit({ 'app.txt': 'v1\n' }, 'First version\n\nWith a body.');
    const connectionArn = await createConnection(
      { url: t.server.url, dataDir: t.dataDir },
      repo.endpoint,
    );
    await t.client.send(
      new CreatePipelineCommand({
        pipeline: releasePipeline(name, connectionArn, repo.repositoryId),
      }),
    );
    // CreatePipeline starts a run with the default variables; these tests start their own.
    await abandonRun(t.client, name, await firstRun(t.client, name));
  });

  afterAll(async () => {
    await t?.stop();
    // A run that ended as the test expects may still have hidden a failure in the background.
    expect(t?.loggedErrors ?? []).toEqual([]);
    await drop?.();
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('builds the commit, waits for sign-off, and deploys the build artifact', async () => {
    const { pipelineExecutionId: id } = await t.client.send(
      new StartPipelineExecutionCommand({
        name,
        variables: [{ name: 'audience', value: 'customers' }],
      }),
    );
    if (!id) throw new Error('no execution id');

    const token = await approvalToken(t.client, name, id, 'Approve', 'Sign-off');
    const signOff = await actionExecution(t.client, name, id, 'Sign-off');
    expect(signOff?.input?.configuration).toEqual({
      CustomData: 'Release #{BuildVariables.BUILD_ID}?',
    });
    expect(signOff?.input?.resolvedConfiguration).toEqual({
      CustomData: `Release build-${firstCommit}?`,
    });
    // Nothing after the approval runs until a person answers.
    expect(await actionExecution(t.client, name, id, 'Ship')).toBeUndefined();

    await t.client.send(
      new PutApprovalResultCommand({
        pipelineName: name,
        stageName: 'Approve',
        actionName: 'Sign-off',
        result: { status: 'Approved', summary: 'looks good' },
        token,
      }),
    );
    const done = await waitForStatus(t.client, name, id, 'Succeeded');
    expect(done.trigger?.triggerType).toBe('StartPipelineExecution');
    expect(done.artifactRevisions).toEqual([
      expect.objectContaining({
        name: 'SourceOut',
        revisionId: firstCommit,
        revisionSummary: 'First version',
      }),
    ]);
    expect(done.variables).toEqual([{ name: 'audience', resolvedValue: 'customers' }]);
    const { pipelineExecutionSummaries = [] } = await t.client.send(
      new ListPipelineExecutionsCommand({ pipelineName: name }),
    );
    expect(pipelineExecutionSummaries.find((s) => s.pipelineExecutionId === id)).toMatchObject({
      status: 'Succeeded',
      sourceRevisions: [
        { actionName: 'Checkout', revisionId: firstCommit, revisionSummary: 'First version' },
      ],
    });

    const actions = await actionExecutions(t.client, name, id);
    const byName = new Map(actions.map((a) => [a.actionName, a]));
    expect([...byName.keys()].sort()).toEqual(['Checkout', 'Compile', 'Ship', 'Sign-off']);
    expect(actions.every((a) => a.status === 'Succeeded')).toBe(true);
    expect(byName.get('Checkout')?.output?.outputVariables).toMatchObject({
      CommitId: firstCommit,
      BranchName: 'main',
      CommitMessage: 'First version\n\nWith a body.',
      AuthorDisplayName: 'Ada Tester',
      FullRepositoryName: repo.repositoryId,
    });
    expect(byName.get('Compile')?.output?.outputVariables).toEqual({
      BUILD_ID: `build-${firstCommit}`,
      APP_CONTENT: 'v1',
    });
    expect(byName.get('Ship')?.output?.outputVariables).toEqual({
      SHIPPED: 'v1 customers ',
      SOURCE_PRESENT: 'no',
    });

    const compileLog = await actionLog(t, name, id, byName.get('Compile')?.actionExecutionId);
    expect(compileLog).toContain(`building ${firstCommit} for customers`);
    const shipLog = await actionLog(t, name, id, byName.get('Ship')?.actionExecutionId);
    expect(shipLog).toContain(`shipping build-${firstCommit}`);
    expect(shipLog).toContain('artifact says: v1 customers');
  });

  it('builds a new commit on the next start, and an older one when told to', async () => {
    const secondCommit = await repo.commit({ 'app.txt': 'v2\n' }, 'Second version');
    const builtBy = async (
      request: ConstructorParameters<typeof StartPipelineExecutionCommand>[0],
    ) => {
      const { pipelineExecutionId: id } = await t.client.send(
        new StartPipelineExecutionCommand(request),
      );
      if (!id) throw new Error('no execution id');
      const compile = await waitForAction(t.client, name, id, 'Compile', 'Succeeded');
      const execution = await getExecution(t.client, name, id);
      const log = await actionLog(t, name, id, compile.actionExecutionId);
      await abandonRun(t.client, name, id);
      return { compile, execution, log };
    };

    const latest = await builtBy({ name });
    expect(latest.compile.output?.outputVariables).toEqual({
      BUILD_ID: `build-${secondCommit}`,
      APP_CONTENT: 'v2',
    });
    expect(latest.execution.artifactRevisions?.[0]?.revisionId).toBe(secondCommit);
    // The default applies when a start gives no value.
    expect(latest.log).toContain(`building ${secondCommit} for staging`);

    const older = await builtBy({
      name,
      sourceRevisions: [
        { actionName: 'Checkout', revisionType: 'COMMIT_ID', revisionValue: firstCommit },
      ],
    });
    expect(older.compile.output?.outputVariables).toEqual({
      BUILD_ID: `build-${firstCommit}`,
      APP_CONTENT: 'v1',
    });
    expect(older.execution.artifactRevisions?.[0]?.revisionId).toBe(firstCommit);
    expect(older.log).toContain(`building ${firstCommit} for staging`);
  });

  it('fails the source action for a commit that is not on the branch', async () => {
    const missing = 'f'.repeat(40);
    const { pipelineExecutionId: id } = await t.client.send(
      new StartPipelineExecutionCommand({
        name,
        sourceRevisions: [
          { actionName: 'Checkout', revisionType: 'COMMIT_ID', revisionValue: missing },
        ],
      }),
    );
    if (!id) throw new Error('no execution id');
    const failed = await waitForStatus(t.client, name, id, 'Failed');
    expect(failed.statusSummary).toContain('Checkout');
    expect(failed.statusSummary).toContain(`${missing} is not on branch main`);
    expect(await actionExecution(t.client, name, id, 'Compile')).toBeUndefined();
  });

  it('refuses a variable the pipeline does not declare, and starts nothing', async () => {
    const before = await t.client.send(new ListPipelineExecutionsCommand({ pipelineName: name }));
    await expectServiceError(
      t.client.send(
        new StartPipelineExecutionCommand({ name, variables: [{ name: 'audiense', value: 'x' }] }),
      ),
      'ValidationException',
    );
    const after = await t.client.send(new ListPipelineExecutionsCommand({ pipelineName: name }));
    expect(after.pipelineExecutionSummaries).toHaveLength(
      before.pipelineExecutionSummaries?.length ?? -1,
    );
  });
});
