/**
 * Shared parts of the execution tests: a real git repository made with the real `git`, a
 * connection to it through Lockstep's own API, V2 pipeline builders, and waits that poll the
 * public API (never sleep) until a run or an action reaches the state a test expects.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  StopPipelineExecutionCommand,
  type ActionDeclaration,
  type ActionExecutionDetail,
  type CodePipelineClient,
  type PipelineDeclaration,
  type PipelineExecution,
  type StageDeclaration,
} from '@aws-sdk/client-codepipeline';
import { lockstepClient } from '../../../src/cli/lockstep-client.js';
import { KeyService } from '../../../src/kms/key-service.js';
import { RootKey } from '../../../src/kms/root-key.js';
import { ActionLogCipher } from '../../../src/logs/sealed-log.js';
import { openStateStore } from '../../../src/store/open-state-store.js';
import { PIPELINE_ROLE_ARN } from '../../support/pipeline-role.js';

const TEST_SCOPE = { accountId: '123456789012', region: 'us-east-1' };

const run = promisify(execFile);

/** Polls `probe` every 75 ms until it returns a value other than undefined or false. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 75));
  }
}

/** A short random suffix, so names never collide between tests or runs. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface GitRepo {
  /** The connection endpoint the repository lives under (`file:///...`). */
  endpoint: string;
  /** The path of the repository under the endpoint: a CodeStarSourceConnection FullRepositoryId. */
  repositoryId: string;
  /** Writes `files`, commits them on main and resolves with the full commit id. */
  commit(files: Record<string, string>, message: string): Promise<string>;
}

/** A fresh repository `acme/app` under `root`, branch main, with no commits yet. */
export async function createGitRepo(root: string, repositoryId = 'acme/app'): Promise<GitRepo> {
  const dir = path.join(root, repositoryId);
  await mkdir(dir, { recursive: true });
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Ada Tester',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada Tester',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
  const git = async (...args: string[]) =>
    (await run('git', args, { cwd: dir, env })).stdout.trim();
  await git('init', '--quiet', '--initial-branch=main');
  return {
    endpoint: `file://${root}`,
    repositoryId,
    commit: async (files, message) => {
      for (const [name, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await writeFile(path.join(dir, name), content);
      }
      await git('add', '--all');
      await git('commit', '--quiet', '--no-gpg-sign', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

/** Creates a Git connection to `endpoint` with Lockstep's own API; resolves with its ARN. */
export async function createConnection(
  server: { url: string; dataDir: string },
  endpoint: string,
): Promise<string> {
  const created = await lockstepClient({ endpointUrl: server.url, dataDir: server.dataDir }).call<{
    ConnectionArn: string;
  }>('CreateConnection', {
    ConnectionName: unique('repos'),
    ProviderType: 'Git',
    Endpoint: endpoint,
  });
  return created.ConnectionArn;
}

/** The git source action: branch main of `repositoryId` into SourceOut, namespace SourceVariables. */
export function gitSource(connectionArn: string, repositoryId: string): ActionDeclaration {
  return {
    name: 'Checkout',
    actionTypeId: {
      category: 'Source',
      owner: 'AWS',
      provider: 'CodeStarSourceConnection',
      version: '1',
    },
    configuration: {
      ConnectionArn: connectionArn,
      FullRepositoryId: repositoryId,
      BranchName: 'main',
    },
    outputArtifacts: [{ name: 'SourceOut' }],
    namespace: 'SourceVariables',
  };
}

/** A Commands action reading `input` (SourceOut unless told). */
export function commandsAction(
  name: string,
  commands: string[],
  more: Partial<ActionDeclaration> & { input?: string } = {},
): ActionDeclaration {
  const { input = 'SourceOut', ...rest } = more;
  return {
    name,
    actionTypeId: { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' },
    commands,
    inputArtifacts: [{ name: input }],
    ...rest,
  };
}

/** A Manual approval action. */
export function approvalAction(name: string, customData?: string): ActionDeclaration {
  return {
    name,
    actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' },
    ...(customData === undefined ? {} : { configuration: { CustomData: customData } }),
  };
}

/**
 * A V2 pipeline of `stages`, each `[name, actions]`. PARALLEL, because these tests run several
 * runs of one pipeline at once and none should wait on or supersede another.
 */
export function v2Pipeline(
  name: string,
  stages: [string, ActionDeclaration[]][],
  variables: { name: string; defaultValue: string }[] = [],
): PipelineDeclaration {
  return {
    name,
    pipelineType: 'V2',
    executionMode: 'PARALLEL',
    roleArn: PIPELINE_ROLE_ARN,
    artifactStore: { type: 'S3', location: 'lockstep-test-artifacts' },
    stages: stages.map(([stageName, actions]): StageDeclaration => ({ name: stageName, actions })),
    ...(variables.length > 0 ? { variables } : {}),
  };
}

/** The run CreatePipeline started; it is the only run of a pipeline just created. */
export async function firstRun(client: CodePipelineClient, pipelineName: string): Promise<string> {
  const { pipelineExecutionSummaries = [] } = await client.send(
    new ListPipelineExecutionsCommand({ pipelineName }),
  );
  const [only] = pipelineExecutionSummaries;
  if (pipelineExecutionSummaries.length !== 1 || !only?.pipelineExecutionId) {
    throw new Error(
      `expected one run of ${pipelineName}, got ${pipelineExecutionSummaries.length}`,
    );
  }
  if (only.trigger?.triggerType !== 'CreatePipeline') {
    throw new Error(`the first run of ${pipelineName} has trigger ${only.trigger?.triggerType}`);
  }
  return only.pipelineExecutionId;
}

/** GetPipelineExecution's pipelineExecution. */
export async function getExecution(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
): Promise<PipelineExecution> {
  const { pipelineExecution } = await client.send(
    new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId }),
  );
  if (!pipelineExecution) throw new Error('GetPipelineExecution returned no pipelineExecution');
  return pipelineExecution;
}

const FINISHED = ['Succeeded', 'Failed', 'Stopped', 'Cancelled', 'Superseded'];

/**
 * Waits until the run has `status`. A run that finishes otherwise fails the wait at once, with
 * its summary, instead of letting it run into the timeout.
 */
export async function waitForStatus(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
  status: string,
  timeoutMs = 30_000,
): Promise<PipelineExecution> {
  return waitFor(
    async () => {
      const execution = await getExecution(client, pipelineName, pipelineExecutionId);
      if (execution.status === status) return execution;
      if (FINISHED.includes(execution.status ?? '')) {
        throw new Error(
          `run ${pipelineExecutionId} ended ${execution.status}, not ${status}: ${execution.statusSummary ?? ''}`,
        );
      }
      return undefined;
    },
    timeoutMs,
    `run ${pipelineExecutionId} of ${pipelineName} to be ${status}`,
  );
}

/** Every action execution of one run. */
export async function actionExecutions(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
): Promise<ActionExecutionDetail[]> {
  const { actionExecutionDetails = [] } = await client.send(
    new ListActionExecutionsCommand({ pipelineName, filter: { pipelineExecutionId } }),
  );
  return actionExecutionDetails;
}

/** The one action execution of `actionName` in a run, or undefined if it has not started. */
export async function actionExecution(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
  actionName: string,
): Promise<ActionExecutionDetail | undefined> {
  const all = await actionExecutions(client, pipelineName, pipelineExecutionId);
  const matching = all.filter((a) => a.actionName === actionName);
  if (matching.length > 1) throw new Error(`${actionName} ran ${matching.length} times`);
  return matching[0];
}

/** Waits until the action `actionName` of a run has `status`. */
export function waitForAction(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
  actionName: string,
  status: string,
  timeoutMs = 30_000,
): Promise<ActionExecutionDetail> {
  return waitFor(
    async () => {
      const action = await actionExecution(client, pipelineName, pipelineExecutionId, actionName);
      if (action?.status === status) return action;
      if (action && action.status !== 'InProgress') {
        throw new Error(
          `${actionName} ended ${action.status}, not ${status}: ${action.output?.executionResult?.errorDetails?.message ?? ''}`,
        );
      }
      return undefined;
    },
    timeoutMs,
    `${actionName} of run ${pipelineExecutionId} to be ${status}`,
  );
}

/** The token of the approval `stage/action` while it waits in this run (GetPipelineState). */
export function approvalToken(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
  stageName: string,
  actionName: string,
  timeoutMs = 30_000,
): Promise<string> {
  return waitFor(
    async () => {
      const state = await client.send(new GetPipelineStateCommand({ name: pipelineName }));
      const stage = state.stageStates?.find((s) => s.stageName === stageName);
      if (stage?.latestExecution?.pipelineExecutionId !== pipelineExecutionId) return undefined;
      const action = stage.actionStates?.find((a) => a.actionName === actionName);
      const latest = action?.latestExecution;
      return latest?.status === 'InProgress' ? latest.token : undefined;
    },
    timeoutMs,
    `approval ${stageName}/${actionName} of run ${pipelineExecutionId} to wait`,
  );
}

/** Stops a run with abandon, unless it has already finished; waits until it has. */
export async function abandonRun(
  client: CodePipelineClient,
  pipelineName: string,
  pipelineExecutionId: string,
): Promise<void> {
  await client
    .send(new StopPipelineExecutionCommand({ pipelineName, pipelineExecutionId, abandon: true }))
    .catch((error: Error) => {
      if (error.name !== 'PipelineExecutionNotStoppableException') throw error;
    });
  await waitFor(
    async () => {
      const { status } = await getExecution(client, pipelineName, pipelineExecutionId);
      return FINISHED.includes(status ?? '');
    },
    10_000,
    `run ${pipelineExecutionId} to finish after stop`,
  );
}

/** A server's data directory, or the directory and the PostgreSQL database it runs on. */
type ServerData = string | { dataDir: string; databaseUrl?: string };

/**
 * The log of one action execution, from the server's data directory. Logs are sealed at rest,
 * so it is opened as the server opens it: with the server's store and root key.
 */
export function actionLog(
  server: ServerData,
  pipelineName: string,
  pipelineExecutionId: string,
  actionExecutionId: string | undefined,
): Promise<string> {
  if (!actionExecutionId) throw new Error('the action execution has no id');
  const dataDir = typeof server === 'string' ? server : server.dataDir;
  return readActionLogFile(
    server,
    path.join(dataDir, 'logs', pipelineName, pipelineExecutionId, `${actionExecutionId}.log`),
  );
}

/** The plaintext of a log file under the server's DIR/logs (which must exist). */
export async function readActionLogFile(server: ServerData, logFile: string): Promise<string> {
  const { dataDir, databaseUrl } = typeof server === 'string' ? { dataDir: server } : server;
  await readFile(logFile); // a missing log is an error here, not an empty one
  const store = await openStateStore({ dataDir, databaseUrl });
  try {
    const rootKey = await RootKey.load(path.join(dataDir, 'keys', 'root.key'));
    const kms = new KeyService(store.kms, rootKey, TEST_SCOPE);
    const cipher = new ActionLogCipher(kms, path.join(dataDir, 'logs'));
    return (await cipher.read(logFile)).toString('utf8');
  } finally {
    await store.close();
  }
}

/** Every process whose command line contains `marker`, as `pid args` lines. */
export async function processesWith(marker: string): Promise<{ pid: number; args: string }[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && (m[2] ?? '').includes(marker))
    .map((m) => ({ pid: Number(m[1]), args: m[2] ?? '' }))
    .filter((p) => p.pid !== process.pid && !p.args.startsWith('ps '));
}

/** A `sleep` duration nobody else runs, so `ps` finds exactly the sleep a test started. */
export function markedSleepSeconds(whole: number): string {
  return `${whole}.${String(randomBytes(3).readUIntBE(0, 3)).padStart(8, '0')}`;
}
