/**
 * `bin/lockstep pipelines ...` as a shell user runs it, against one real server: every command
 * is a real process with an environment scrubbed of the developer's AWS settings. Each test
 * uses its own pipeline names, so the tests do not depend on one another's order.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, loadFixture } from '../e2e/support/pipeline-fixtures.js';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import {
  closedPort,
  isolatedEnv,
  runLockstep,
  type CommandResult,
} from './support/lockstep-cli.js';

const S3_TO_CODEDEPLOY = 'awscli-example__create-pipeline__MySecondPipeline.json';
const V2_WITH_TRIGGERS = 'derived__awsdocs-pipeline-requirements__V2-MyPipeline.json';

let server: LockstepProcess;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-cli-test-'));
  server = await startLockstep({ dataDir: path.join(scratch, 'data') });
});
afterAll(async () => {
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** `lockstep pipelines ARGS` against the test server, with its admin key unless told not to. */
function pipelines(
  args: string[],
  options: { dataDir?: boolean; env?: Record<string, string> } = {},
): Promise<CommandResult> {
  const dataDir = options.dataDir === false ? [] : ['--data-dir', server.dataDir];
  return runLockstep(['pipelines', ...args, '--endpoint-url', server.url, ...dataDir], {
    env: isolatedEnv(options.env),
  });
}

function fixtureDeclaration(fixture: string, name: string): PipelineDeclaration {
  return { ...loadFixture(fixture).pipeline, name };
}

/** Writes a declaration to a file, as `{"pipeline": ...}` or bare, and returns its path. */
async function declarationFile(
  pipeline: PipelineDeclaration,
  form: 'wrapped' | 'bare' = 'wrapped',
): Promise<string> {
  const file = path.join(scratch, `${pipeline.name}-${form}-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(form === 'wrapped' ? { pipeline } : pipeline));
  return file;
}

/** Creates a pipeline from a fixture under a new name, through the CLI. */
async function created(fixture: string, name: string): Promise<PipelineDeclaration> {
  const pipeline = fixtureDeclaration(fixture, name);
  const result = await pipelines(['create', '--file', await declarationFile(pipeline)]);
  expect(result.stderr).not.toMatch(/lockstep: /);
  expect(result.code).toBe(0);
  return pipeline;
}

async function listedNames(): Promise<string[]> {
  const result = await pipelines(['list', '--output', 'json']);
  expect(result.code).toBe(0);
  const parsed = JSON.parse(result.stdout) as { pipelines: { name: string }[] };
  return parsed.pipelines.map((p) => p.name);
}

describe('lockstep pipelines', () => {
  it('creates from a {"pipeline": ...} file and from a bare declaration, and lists both', async () => {
    const wrapped = await pipelines(['create', '--file', fixturePath(S3_TO_CODEDEPLOY)]);
    expect(wrapped.code).toBe(0);
    expect(wrapped.stdout).toBe('created MySecondPipeline version 1\n');

    const bareFile = await declarationFile(fixtureDeclaration(V2_WITH_TRIGGERS, 'BareV2'), 'bare');
    const bare = await pipelines(['create', '--file', bareFile]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toBe('created BareV2 version 1\n');

    const table = await pipelines(['list']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+VERSION\s+TYPE\s+EXECUTION MODE\s+UPDATED$/);
    expect(rows).toContainEqual(
      expect.stringMatching(/^MySecondPipeline\s+1\s+V1\s+SUPERSEDED\s+\d{4}-/),
    );
    expect(rows).toContainEqual(expect.stringMatching(/^BareV2\s+1\s+V2\s+SUPERSEDED\s+\d{4}-/));

    expect(await listedNames()).toEqual(expect.arrayContaining(['MySecondPipeline', 'BareV2']));
  });

  it('prints the declaration as created with get --output json', async () => {
    const pipeline = await created(V2_WITH_TRIGGERS, 'GetMe');
    const result = await pipelines(['get', 'GetMe', '--output', 'json']);
    expect(result.code).toBe(0);
    const got = JSON.parse(result.stdout) as {
      pipeline: PipelineDeclaration;
      metadata: { pipelineArn: string };
    };
    // Everything sent comes back; CodePipeline's defaults (empty artifact lists) may be added.
    expect(got.pipeline).toMatchObject({ ...pipeline, version: 1 });
    expect(got.metadata.pipelineArn).toBe(
      `arn:aws:codepipeline:${server.region}:${server.accountId}:GetMe`,
    );
  });

  it('keeps version 1 readable with --pipeline-version after an update', async () => {
    const original = await created(S3_TO_CODEDEPLOY, 'Versioned');
    const changed = structuredClone(original);
    const source = changed.stages?.[0]?.actions?.[0];
    if (!source?.configuration) throw new Error('fixture has no source action configuration');
    source.configuration.S3ObjectKey = 'release-2.zip';
    const update = await pipelines(['update', '--file', await declarationFile(changed, 'bare')]);
    expect(update.code).toBe(0);
    expect(update.stdout).toBe('updated Versioned to version 2\n');

    const objectKey = (stdout: string) => {
      const { pipeline } = JSON.parse(stdout) as { pipeline: PipelineDeclaration };
      const config = pipeline.stages?.[0]?.actions?.[0]?.configuration;
      return { version: pipeline.version, objectKey: config?.S3ObjectKey };
    };
    const latest = await pipelines(['get', 'Versioned', '--output', 'json']);
    expect(objectKey(latest.stdout)).toEqual({ version: 2, objectKey: 'release-2.zip' });
    const first = await pipelines([
      'get',
      'Versioned',
      '--pipeline-version',
      '1',
      '--output',
      'json',
    ]);
    expect(first.code).toBe(0);
    expect(objectKey(first.stdout)).toEqual({
      version: 1,
      objectKey: 'aws-codepipeline-s3-aws-codedeploy_linux.zip',
    });
  });

  it('deletes a pipeline, after which get says PipelineNotFoundException with exit 1', async () => {
    await created(S3_TO_CODEDEPLOY, 'Doomed');
    const deleted = await pipelines(['delete', 'Doomed']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe('deleted Doomed\n');
    expect(await listedNames()).not.toContain('Doomed');

    const missing = await pipelines(['get', 'Doomed']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^lockstep: PipelineNotFoundException: \S.*$/m);
  });

  it('refuses an --output other than json or table', async () => {
    const result = await pipelines(['list', '--output', 'yaml']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("argument 'yaml' is invalid. Allowed choices are json, table.");
  });

  it('refuses a bad --output before it changes anything', async () => {
    // A command that reports failure must not have done the work: a script would retry it.
    const file = await declarationFile(fixtureDeclaration(S3_TO_CODEDEPLOY, 'NotMade'));
    const result = await pipelines(['create', '--file', file, '--output', 'yaml']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Allowed choices are json, table');
    expect(await listedNames()).not.toContain('NotMade');
  });

  it("says to run 'lockstep serve' when nothing listens at the endpoint", async () => {
    const port = await closedPort();
    const result = await runLockstep(
      [
        'pipelines',
        'list',
        '--endpoint-url',
        `http://127.0.0.1:${port}`,
        '--data-dir',
        server.dataDir,
      ],
      { env: isolatedEnv(), timeoutMs: 20_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain("is 'lockstep serve' running there?");
  });

  it('takes credentials from the standard AWS chain without --data-dir', async () => {
    await created(S3_TO_CODEDEPLOY, 'ViaChain');
    const result = await pipelines(['list', '--output', 'json'], {
      dataDir: false,
      env: { AWS_SHARED_CREDENTIALS_FILE: path.join(server.dataDir, 'credentials') },
    });
    expect(result.stderr).not.toMatch(/lockstep: /);
    expect(result.code).toBe(0);
    const names = (JSON.parse(result.stdout) as { pipelines: { name: string }[] }).pipelines;
    expect(names.map((p) => p.name)).toContain('ViaChain');
  });

  it('reports InvalidSignatureException, exit 1, for a wrong secret in the environment', async () => {
    const result = await pipelines(['list'], {
      dataDir: false,
      env: {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: 'x'.repeat(40),
      },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^lockstep: InvalidSignatureException: /m);
  });
});
