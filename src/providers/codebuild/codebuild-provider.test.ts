import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestKeyService } from '../../../test/support/key-service.js';
import type { ArtifactRef } from '../../engine/execution-state.js';
import { FsArtifactStore } from '../../artifacts/fs-artifact-store.js';
import type { JobOutcome, JobPayload } from '../../jobs/job-data.js';
import type { ActionDeclaration } from '../../pipelines/declaration.js';
import { detectBubblewrap } from '../../sandbox/detect-bubblewrap.js';
import { sandboxTurnedOff } from '../../sandbox/sandbox-workspace-path.js';
import type { ConnectionStore } from '../../store/connection-store.js';
import type { ProviderContext } from '../built-in-provider.js';
import { codeBuildProvider } from './codebuild-provider.js';

const bubblewrap = await detectBubblewrap();
const executionId = '0b6f3c1e-2a4d-4e8f-9c7b-5d1a2e3f4b6c';
const actionExecutionId = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const created: string[] = [];

afterAll(async () => {
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `lockstep-codebuild-${prefix}-`));
  created.push(dir);
  return dir;
}

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

interface Scenario {
  /** The primary input's files, buildspec.yml among them. */
  source: Record<string, string>;
  /** Further input artifacts by name. */
  secondary?: Record<string, Record<string, string>>;
  outputs?: string[];
  configuration?: Record<string, string>;
  remainingMs?: number;
}

let keys: Awaited<ReturnType<typeof openTestKeyService>>;
beforeAll(async () => {
  keys = await openTestKeyService(await tempDir('kms'));
});
afterAll(() => keys.close());

/** A real context: a real artifact store, real inputs, a fresh workspace and log. */
async function setUp(scenario: Scenario) {
  const base = await tempDir('base');
  const store = new FsArtifactStore(path.join(base, 'artifacts'), keys.kms);
  const key = (artifactName: string) => ({ pipelineName: 'web-app', executionId, artifactName });
  const putInput = async (name: string, files: Record<string, string>, revision?: string) => {
    const dir = path.join(base, 'inputs', name);
    await writeTree(dir, files);
    const stored = await store.putDirectory(key(name), dir);
    return { name, ...stored, ...(revision ? { revision } : {}) } satisfies ArtifactRef;
  };
  const inputs = [await putInput('SourceOutput', scenario.source, '9f8e7d6c5b4a')];
  for (const [name, files] of Object.entries(scenario.secondary ?? {})) {
    inputs.push(await putInput(name, files));
  }
  const action: ActionDeclaration = {
    name: 'Build',
    actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
    configuration: { ProjectName: 'web-app-build', ...scenario.configuration },
    inputArtifacts: inputs.map(({ name }) => ({ name })),
    outputArtifacts: (scenario.outputs ?? []).map((name) => ({ name })),
  };
  const payload: JobPayload = {
    jobData: {
      actionTypeId: action.actionTypeId,
      actionConfiguration: { configuration: action.configuration ?? {} },
      pipelineContext: {
        pipelineName: 'web-app',
        stage: { name: 'Build' },
        action: { name: 'Build', actionExecutionId },
        pipelineArn: 'arn:aws:codepipeline:us-east-1:123456789012:web-app',
        pipelineExecutionId: executionId,
      },
      inputArtifacts: [],
      outputArtifacts: [],
    },
    inputs,
    action,
  };
  const controller = new AbortController();
  const logFile = path.join(base, 'logs', 'action.log');
  const ctx: ProviderContext = {
    job: {
      id: 'job-1',
      actionExecutionId,
      executionId,
      actionTypeKey: 'Build/AWS/CodeBuild/1',
      status: 'InProgress',
      nonce: '1',
      workerId: null,
      queryValue: null,
      dataJson: JSON.stringify(payload),
      leaseExpiresMs: null,
      timeoutAtMs: Date.now() + 60_000,
      createdMs: Date.now(),
      updatedMs: Date.now(),
    },
    payload,
    workspaceDir: await tempDir('ws'),
    logFile,
    signal: controller.signal,
    artifacts: store,
    // The CodeBuild provider never touches connections; only source providers do.
    connections: {} as ConnectionStore,
    outputKey: key,
    remainingMs: () => scenario.remainingMs ?? 30_000,
  };
  const run = () => codeBuildProvider.run(ctx);
  const log = async () => (existsSync(logFile) ? await readFile(logFile, 'utf8') : '');
  const containerLines = async () =>
    (await log()).split('\n').filter((line) => line.startsWith('[Container]'));
  /** The files of a stored output artifact, extracted, by name. */
  const extracted = async (outcome: JobOutcome, name: string) => {
    if (outcome.status !== 'Succeeded') throw new Error(`the action failed: ${outcome.message}`);
    const ref = outcome.outputArtifacts.find((artifact) => artifact.name === name);
    if (!ref) throw new Error(`no output artifact ${name}`);
    const dest = path.join(base, 'extracted', name);
    await store.extractTo(ref, dest);
    return (await readdir(dest, { recursive: true })).sort();
  };
  return { run, log, containerLines, extracted, controller, base };
}

const failedWith = (outcome: JobOutcome) => {
  if (outcome.status !== 'Failed') throw new Error(`expected a failure, got ${outcome.status}`);
  return outcome;
};

describe('codeBuildProvider', () => {
  it('builds, exports variables and stores the primary and a secondary artifact', async () => {
    const buildspec = `
version: 0.2
env:
  variables:
    RELEASE: 1.10
  exported-variables: [IMAGE_TAG, BUILD_ID, SOURCE_VERSION, RELEASE, CONFIG]
phases:
  install:
    commands:
      - export IMAGE_TAG="web-$RELEASE"
  build:
    commands:
      - mkdir -p dist/js dist/css reports
      - echo app > dist/js/app.js && echo style > dist/css/site.css && echo ignored > dist/notes.txt
      - echo '<testsuite/>' > reports/junit.xml
      - test "$PWD" = "$CODEBUILD_SRC_DIR"
  post_build:
    commands:
      - export BUILD_ID="$CODEBUILD_BUILD_ID" SOURCE_VERSION="$CODEBUILD_RESOLVED_SOURCE_VERSION"
      - export CONFIG="$(cat "$CODEBUILD_SRC_DIR_Config/settings.ini")"
artifacts:
  files: ['**/*.js', '**/*.css']
  base-directory: dist
  discard-paths: yes
  secondary-artifacts:
    Reports:
      files: [reports/**/*]
`;
    const { run, extracted } = await setUp({
      source: { 'buildspec.yml': buildspec, 'README.md': '# web' },
      secondary: { Config: { 'settings.ini': 'mode=prod' } },
      outputs: ['BuildOutput', 'Reports'],
    });
    const outcome = await run();
    expect(outcome).toMatchObject({
      status: 'Succeeded',
      summary: expect.stringMatching(/^Build succeeded\./) as unknown,
      outputVariables: {
        IMAGE_TAG: 'web-1.10',
        BUILD_ID: `web-app-build:${actionExecutionId}`,
        SOURCE_VERSION: '9f8e7d6c5b4a',
        RELEASE: '1.10',
        CONFIG: 'mode=prod',
      },
      externalExecutionId: `web-app-build:${actionExecutionId}`,
    });
    expect(await extracted(outcome, 'BuildOutput')).toEqual(['app.js', 'site.css']);
    expect(await extracted(outcome, 'Reports')).toEqual(['reports', 'reports/junit.xml']);
  });

  it('logs the phases in order, as CodeBuild does', async () => {
    const phase = (name: string) => `  ${name}:\n    commands: ["echo in ${name}"]\n`;
    const buildspec = `version: 0.2\nphases:\n${['post_build', 'build', 'install', 'pre_build'].map(phase).join('')}`;
    const { run, containerLines } = await setUp({ source: { 'buildspec.yml': buildspec } });
    expect((await run()).status).toBe('Succeeded');
    const lines = await containerLines();
    expect(lines.slice(1)).toEqual(
      ['install', 'pre_build', 'build', 'post_build'].flatMap((name) => [
        `[Container] Entering phase ${name.toUpperCase()}`,
        `[Container] Running command echo in ${name}`,
        `[Container] Phase complete: ${name.toUpperCase()} State: SUCCEEDED`,
      ]),
    );
    expect(lines[0]).toBe('[Container] Using buildspec.yml from input artifact SourceOutput');
  });

  it('runs post_build and every finally after a failed build, and fails naming the phase', async () => {
    const buildspec = `
version: 0.2
phases:
  build:
    commands: [echo building, ls /no/such/dir, echo never-reached]
    finally: [echo build-finally]
  post_build:
    commands: ['echo "post succeeding=$CODEBUILD_BUILD_SUCCEEDING"']
    finally: [echo post-finally]
artifacts:
  files: ['**/*']
`;
    const { run, log, base } = await setUp({
      source: { 'buildspec.yml': buildspec },
      outputs: ['BuildOutput'],
    });
    const outcome = failedWith(await run());
    expect(outcome.errorCode).toBe('JobFailed');
    // Without bubblewrap a warning follows the message, hence toContain.
    expect(outcome.message).toContain(
      'Build terminated with state: FAILED. Phase BUILD, Code: COMMAND_EXECUTION_ERROR, ' +
        'Message: Error while executing command: ls /no/such/dir. Reason: exit status 2',
    );
    const text = await log();
    expect(text).toContain('build-finally\n');
    expect(text).toContain('post succeeding=0\n');
    expect(text).toContain('post-finally\n');
    expect(text).not.toContain('never-reached\n');
    expect(text).toContain('[Container] Phase complete: BUILD State: FAILED');
    // A failed build stores no output artifact.
    expect(
      existsSync(path.join(base, 'artifacts', 'web-app', executionId, 'BuildOutput.zip')),
    ).toBe(false);
  });

  it('skips the later phases when install fails, but runs its finally', async () => {
    const buildspec = `
version: 0.2
phases:
  install:
    commands: ['false']
    finally: [echo install-finally]
  pre_build: { commands: [echo pre-build-ran] }
  build: { commands: [echo build-ran] }
  post_build: { commands: [echo post-build-ran] }
`;
    const { run, log, containerLines } = await setUp({ source: { 'buildspec.yml': buildspec } });
    expect(failedWith(await run()).message).toContain('Phase INSTALL');
    expect(await log()).toContain('install-finally\n');
    expect(await log()).not.toMatch(/-ran\n/);
    expect((await containerLines()).filter((line) => line.includes('Entering'))).toEqual([
      '[Container] Entering phase INSTALL',
    ]);
  });

  it('goes on after a phase with on-failure CONTINUE, and stops after one with ABORT', async () => {
    const buildspec = `
version: 0.2
phases:
  pre_build:
    on-failure: CONTINUE
    commands: ['exit_status() { return 3; }', exit_status]
  build:
    on-failure: ABORT
    commands: [echo build-ran, 'false']
  post_build: { commands: [echo post-build-ran] }
`;
    const { run, log } = await setUp({ source: { 'buildspec.yml': buildspec } });
    const outcome = failedWith(await run());
    // The first failure is the one reported, though later phases ran.
    expect(outcome.message).toContain('Phase PRE_BUILD');
    expect(outcome.message).toContain('command: exit_status. Reason: exit status 3');
    expect(await log()).toContain('build-ran\n');
    expect(await log()).not.toContain('post-build-ran');
  });

  it('gives the action’s EnvironmentVariables precedence over the buildspec’s', async () => {
    const buildspec = `
version: 0.2
env:
  variables: { STAGE: from-buildspec, REGION: eu-west-1 }
phases:
  build:
    commands: ['echo "stage=$STAGE region=$REGION"']
`;
    const { run, log } = await setUp({
      source: { 'buildspec.yml': buildspec },
      configuration: {
        EnvironmentVariables: JSON.stringify([
          { name: 'STAGE', value: 'from-action', type: 'PLAINTEXT' },
        ]),
      },
    });
    expect((await run()).status).toBe('Succeeded');
    expect(await log()).toContain('stage=from-action region=eu-west-1\n');
  });

  it('runs the commands in the sandbox', async () => {
    const buildspec = 'version: 0.2\nphases:\n  build:\n    commands: ["echo uid=$(id -u)"]\n';
    const { run, log } = await setUp({ source: { 'buildspec.yml': buildspec } });
    expect((await run()).status).toBe('Succeeded');
    if (!bubblewrap.available || sandboxTurnedOff()) {
      const reason = bubblewrap.available ? 'LOCKSTEP_SANDBOX=none' : bubblewrap.reason;
      console.warn(`bubblewrap not in use (${reason}): the uid assertion is skipped`);
      return;
    }
    expect(await log()).toContain('uid=65534\n');
  });

  it('names the command running when the build times out, is stopped or ends the shell', async () => {
    const slow = 'version: 0.2\nphases:\n  build:\n    commands: [echo start, sleep 100]\n';
    const timedOut = await setUp({ source: { 'buildspec.yml': slow }, remainingMs: 1_000 });
    expect(failedWith(await timedOut.run()).message).toContain(
      "Build timed out after 1000 ms in phase BUILD while running command 'sleep 100'.",
    );
    const stopped = await setUp({ source: { 'buildspec.yml': slow } });
    setTimeout(() => stopped.controller.abort(), 300);
    expect(failedWith(await stopped.run()).message).toContain(
      "Build was stopped in phase BUILD while running command 'sleep 100'.",
    );
    const exits =
      'version: 0.2\nphases:\n  build:\n    commands: [exit 4]\n  post_build:\n    commands: [echo post]\n';
    const exited = await setUp({ source: { 'buildspec.yml': exits } });
    expect(failedWith(await exited.run()).message).toContain(
      'command: exit 4. Reason: the command ended the shell with exit status 4',
    );
  });

  it('fails the upload when the artifact files match nothing', async () => {
    const buildspec =
      'version: 0.2\nphases:\n  build:\n    commands: ["true"]\nartifacts:\n  files: [dist/**/*]\n';
    const { run } = await setUp({ source: { 'buildspec.yml': buildspec }, outputs: ['Out'] });
    const outcome = failedWith(await run());
    expect(outcome.errorCode).toBe('JobFailed');
    expect(outcome.message).toMatch(
      /^Phase UPLOAD_ARTIFACTS failed for output artifact Out: no matching/,
    );
  });
});

describe('codeBuildProvider configuration errors', () => {
  const refused = async (scenario: Scenario) => {
    const { run, log } = await setUp(scenario);
    const outcome = failedWith(await run());
    expect(outcome.errorCode).toBe('ConfigurationError');
    // Refused before any command ran.
    expect(await log()).not.toContain('Entering phase');
    return outcome.message;
  };
  const simple = 'version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n';

  it('refuses a source without a buildspec', async () => {
    expect(await refused({ source: { 'README.md': '# no buildspec' } })).toMatch(
      /^No buildspec.yml \(or buildspec.yaml\) at the root of the primary input artifact SourceOutput/,
    );
  });

  it('reads buildspec.yaml when there is no buildspec.yml', async () => {
    const { run } = await setUp({ source: { 'buildspec.yaml': simple } });
    expect((await run()).status).toBe('Succeeded');
  });

  it('refuses secrets when the action has no way to read them', async () => {
    const secrets = 'version: 0.2\nenv:\n  secrets-manager:\n    TOKEN: prod/token\nphases: {}\n';
    expect(await refused({ source: { 'buildspec.yml': secrets } })).toBe(
      'TOKEN names a secret, and this action has no way to read secrets',
    );
    const variables = JSON.stringify([{ name: 'T', value: 'arn', type: 'PARAMETER_STORE' }]);
    expect(
      await refused({
        source: { 'buildspec.yml': simple },
        configuration: { EnvironmentVariables: variables },
      }),
    ).toContain('Lockstep has no Parameter Store');
  });

  it('refuses a buildspec of the wrong shape, naming the key', async () => {
    const bad = 'version: 0.2\nphases:\n  build:\n    commands: echo hi\n';
    expect(await refused({ source: { 'buildspec.yml': bad } })).toBe(
      'phases.build.commands must be a list of strings, but it is a single value',
    );
  });

  it('refuses outputs the buildspec does not produce', async () => {
    expect(await refused({ source: { 'buildspec.yml': simple }, outputs: ['Out'] })).toBe(
      'The action declares output artifacts (Out) but the buildspec has no artifacts section',
    );
    const artifacts = `${simple}artifacts:\n  files: ['**/*']\n`;
    expect(
      await refused({ source: { 'buildspec.yml': artifacts }, outputs: ['Out', 'Reports'] }),
    ).toBe(
      'Output artifact Reports has no matching artifacts.secondary-artifacts.Reports in the buildspec',
    );
  });

  it('refuses variables in the CODEBUILD_ namespace', async () => {
    const reserved = 'version: 0.2\nenv:\n  variables:\n    CODEBUILD_BUILD_ID: x\nphases: {}\n';
    expect(await refused({ source: { 'buildspec.yml': reserved } })).toContain(
      'names starting with CODEBUILD_ are reserved',
    );
  });
});
