/**
 * Running pipelines from the real AWS CLI against a real `bin/lockstep serve`: the connection
 * made with `lockstep connections create`, the V2 pipeline created and started with AWS CLI v1
 * (whose models know pipeline variables), the approval answered and a run abandoned with
 * Debian's AWS CLI v2 (2.9.19), whose older models still have every member those calls need.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, runLockstep } from '../integration/support/lockstep-cli.js';
import {
  commandsAction,
  approvalAction,
  createGitRepo,
  gitSource,
  markedSleepSeconds,
  processesWith,
  unique,
  v2Pipeline,
  waitFor,
  type GitRepo,
} from '../integration/executions/support.js';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import { awsCli, everyOnPath, versionOf, type AwsCli } from './support/run-client.js';
import { stopLockstep } from './support/stop-lockstep.js';

const DEBIAN_CLI_V2 = '/usr/bin/aws';
const cliV2Version = versionOf(DEBIAN_CLI_V2);
const cliV1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));

interface Execution {
  pipelineExecutionId: string;
  status: string;
  statusSummary?: string;
  artifactRevisions?: { name: string; revisionId?: string }[];
  variables?: { name: string; resolvedValue: string }[];
}

interface ActionDetail {
  actionName: string;
  actionExecutionId: string;
  status: string;
  input: { configuration?: Record<string, string>; resolvedConfiguration?: Record<string, string> };
  output: { outputVariables?: Record<string, string> };
}

interface StageState {
  stageName: string;
  latestExecution?: { pipelineExecutionId: string; status: string };
  actionStates: { actionName: string; latestExecution?: { status?: string; token?: string } }[];
}

if (cliV1 === undefined || !cliV2Version?.startsWith('aws-cli/2.')) {
  console.warn(
    'executions-cli.test.ts: skipped: it needs AWS CLI v1 on PATH (pip install awscli) and ' +
      `AWS CLI v2 at ${DEBIAN_CLI_V2} (apt-get install awscli); found v1 ${cliV1 ?? 'nowhere'}, ` +
      `v2 ${cliV2Version ?? 'nowhere'}`,
  );
  describe.skip('pipeline runs from the AWS CLI', () => {
    it('needs AWS CLI v1 and v2', () => {});
  });
} else {
  describeRuns(cliV1);
}

function describeRuns(cliV1Bin: string): void {
  describe('pipeline runs from the AWS CLI', () => {
    let server: LockstepProcess;
    let scratch: string;
    let repo: GitRepo;
    let commitId: string;
    let connectionArn: string;
    let v1: AwsCli;
    let v2: AwsCli;

    /** `create-pipeline --cli-input-json` with CLI v1; resolves with the run it started. */
    const createPipeline = async (pipeline: PipelineDeclaration): Promise<string> => {
      const file = path.join(scratch, `${pipeline.name}.json`);
      await writeFile(file, JSON.stringify({ pipeline }));
      await v1.json('create-pipeline', '--cli-input-json', `file://${file}`);
      const listed = await v1.json<{
        pipelineExecutionSummaries: { pipelineExecutionId: string }[];
      }>('list-pipeline-executions', '--pipeline-name', pipeline.name ?? '');
      expect(listed.pipelineExecutionSummaries).toHaveLength(1);
      return listed.pipelineExecutionSummaries[0]!.pipelineExecutionId;
    };
    const getExecution = async (cli: AwsCli, name: string, id: string) =>
      (
        await cli.json<{ pipelineExecution: Execution }>(
          'get-pipeline-execution',
          '--pipeline-name',
          name,
          '--pipeline-execution-id',
          id,
        )
      ).pipelineExecution;
    const abandon = (name: string, id: string) =>
      v2.json<{ pipelineExecutionId: string }>(
        'stop-pipeline-execution',
        '--pipeline-name',
        name,
        '--pipeline-execution-id',
        id,
        '--abandon',
        '--reason',
        'abandoned from the CLI',
      );

    beforeAll(async () => {
      server = await startLockstep();
      scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-e2e-runs-'));
      repo = await createGitRepo(path.join(scratch, 'repos'));
      commitId = await repo.commit({ 'app.txt': 'v1\n' }, 'First version');
      const credentials = path.join(server.dataDir, 'credentials');
      v1 = awsCli(cliV1Bin, server, credentials);
      v2 = awsCli(DEBIAN_CLI_V2, server, credentials);
      const created = await runLockstep(
        [
          'connections',
          'create',
          '--name',
          'local-repos',
          '--provider-type',
          'Git',
          '--endpoint',
          repo.endpoint,
          '--data-dir',
          server.dataDir,
          '--endpoint-url',
          server.url,
          '--output',
          'json',
        ],
        { env: isolatedEnv() },
      );
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      connectionArn = (JSON.parse(created.stdout) as { ConnectionArn: string }).ConnectionArn;
    });

    afterAll(async () => {
      await stopLockstep(server);
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    it('starts a run with a variable, approves it with CLI v2, and lists what each action did', async () => {
      const name = unique('cli-release');
      const first = await createPipeline(
        v2Pipeline(
          name,
          [
            ['Source', [gitSource(connectionArn, repo.repositoryId)]],
            [
              'Build',
              [
                commandsAction(
                  'Compile',
                  ['TARGET="#{variables.target}-#{SourceVariables.CommitId}"'],
                  {
                    namespace: 'BuildVariables',
                    outputVariables: ['TARGET'],
                  },
                ),
              ],
            ],
            ['Approve', [approvalAction('Gate', 'Deploy #{BuildVariables.TARGET}?')]],
            ['Deploy', [commandsAction('Ship', ['echo "shipping #{BuildVariables.TARGET}"'])]],
          ],
          [{ name: 'target', defaultValue: 'staging' }],
        ),
      );
      // CreatePipeline's own run, with the default target, is not the one this test follows.
      expect((await abandon(name, first)).pipelineExecutionId).toBe(first);

      const { pipelineExecutionId: id } = await v1.json<{ pipelineExecutionId: string }>(
        'start-pipeline-execution',
        '--name',
        name,
        '--variables',
        'name=target,value=production',
      );
      const token = await waitFor(
        async () => {
          const state = await v1.json<{ stageStates: StageState[] }>(
            'get-pipeline-state',
            '--name',
            name,
          );
          const stage = state.stageStates.find((s) => s.stageName === 'Approve');
          if (stage?.latestExecution?.pipelineExecutionId !== id) return undefined;
          return stage.actionStates[0]?.latestExecution?.token;
        },
        30_000,
        'the approval token in get-pipeline-state',
      );

      const approved = await v2.run(
        'put-approval-result',
        '--pipeline-name',
        name,
        '--stage-name',
        'Approve',
        '--action-name',
        'Gate',
        '--result',
        'summary=ship it,status=Approved',
        '--token',
        token,
      );
      expect(approved.stderr).toBe('');
      expect(approved.exitCode).toBe(0);
      const { approvedAt } = JSON.parse(approved.stdout) as { approvedAt: string };
      expect(Math.abs(Date.parse(approvedAt) - Date.now())).toBeLessThan(60_000);

      const done = await waitFor(
        async () => {
          const execution = await getExecution(v1, name, id);
          if (!['InProgress', 'Stopping'].includes(execution.status)) return execution;
          return undefined;
        },
        30_000,
        'the run to finish',
      );
      expect(done.status).toBe('Succeeded');
      expect(done.artifactRevisions).toEqual([
        expect.objectContaining({ name: 'SourceOut', revisionId: commitId }),
      ]);
      expect(done.variables).toEqual([{ name: 'target', resolvedValue: 'production' }]);

      const { actionExecutionDetails } = await v1.json<{ actionExecutionDetails: ActionDetail[] }>(
        'list-action-executions',
        '--pipeline-name',
        name,
        '--filter',
        `pipelineExecutionId=${id}`,
      );
      const byName = new Map(actionExecutionDetails.map((a) => [a.actionName, a]));
      expect([...byName.keys()].sort()).toEqual(['Checkout', 'Compile', 'Gate', 'Ship']);
      expect(actionExecutionDetails.every((a) => a.status === 'Succeeded')).toBe(true);
      expect(byName.get('Compile')?.output.outputVariables).toEqual({
        TARGET: `production-${commitId}`,
      });
      expect(byName.get('Gate')?.input.resolvedConfiguration).toEqual({
        CustomData: `Deploy production-${commitId}?`,
      });
    });

    it('abandons a running command with stop-pipeline-execution --abandon (CLI v2)', async () => {
      const name = unique('cli-abandon');
      const seconds = markedSleepSeconds(63);
      const id = await createPipeline(
        v2Pipeline(name, [
          ['Source', [gitSource(connectionArn, repo.repositoryId)]],
          ['Build', [commandsAction('Wait', [`sleep ${seconds}`])]],
        ]),
      );
      await waitFor(
        async () => (await processesWith(`sleep ${seconds}`)).length > 0,
        20_000,
        `sleep ${seconds} to start`,
      );

      expect((await abandon(name, id)).pipelineExecutionId).toBe(id);
      const stopped = await getExecution(v2, name, id);
      expect(stopped.status).toBe('Stopped');
      expect(stopped.statusSummary).toBe('abandoned from the CLI');
      await waitFor(
        async () => (await processesWith(`sleep ${seconds}`)).length === 0,
        10_000,
        `sleep ${seconds} to be killed`,
      );

      const again = await abandon(name, id).then(
        () => 'stopped twice',
        (error: Error) => error.message,
      );
      expect(again).toContain('An error occurred (PipelineExecutionNotStoppableException)');
    });
  });
}
