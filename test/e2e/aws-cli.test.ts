/**
 * The real AWS CLI against a real `bin/lockstep serve` on a loopback port, exactly as the
 * README tells a user to point it: `--endpoint-url` and the server's credentials file.
 *
 * Two CLIs, because users have both: Debian's AWS CLI v2 (2.9.19, /usr/bin/aws), whose models
 * predate V2 pipelines, so it gets V1 declarations only; and AWS CLI v1 from PyPI (`aws` on
 * PATH), whose current models carry pipelineType, executionMode, variables and triggers. Each
 * CLI call costs about half a second, so each suite is lean; breadth lives in js-sdk.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  type CodePipelineClient,
  type PipelineDeclaration,
  type PipelineSummary,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import {
  expectedDeclaration,
  FIXTURE,
  fixturePath,
  loadFixture,
  minimalDeclaration,
  publishedFixturePath,
  TEST_ACCOUNT,
} from './support/pipeline-fixtures.js';
import { awsCli, everyOnPath, versionOf, type AwsCli } from './support/run-client.js';
import { codePipelineClient, expectRecentDate } from './support/sdk-client.js';
import { stopLockstep } from './support/stop-lockstep.js';

const DEBIAN_CLI_V2 = '/usr/bin/aws';
const cliV2Version = versionOf(DEBIAN_CLI_V2);
const cliV1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));

interface GetPipelineOutput {
  pipeline: PipelineDeclaration;
  metadata: { pipelineArn: string; created: string | number; updated: string | number };
}

/** Fails unless the CLI exited `exitCode` naming `exception` in its error message. */
function expectCliError(
  result: { exitCode: number; stderr: string },
  exitCode: number,
  exception: string,
) {
  expect(result.stderr).toContain(`An error occurred (${exception})`);
  expect(result.exitCode).toBe(exitCode);
}

/** A server, a scratch directory for input files, and an SDK client to seed data quickly. */
function useServer() {
  const context = {} as { server: LockstepProcess; scratch: string; sdk: CodePipelineClient };
  beforeAll(async () => {
    context.server = await startLockstep();
    context.scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-e2e-cli-'));
    context.sdk = codePipelineClient(context.server);
  });
  afterAll(async () => {
    context.sdk?.destroy();
    await stopLockstep(context.server);
    if (context.scratch) await rm(context.scratch, { recursive: true, force: true });
  });
  return context;
}

/** Writes `{"pipeline": decl}` for `--cli-input-json` and returns its file:// argument. */
async function inputFile(dir: string, name: string, decl: PipelineDeclaration): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ pipeline: decl }));
  return `file://${file}`;
}

if (cliV2Version?.startsWith('aws-cli/2.')) {
  describeCliV2();
} else {
  console.warn(
    `aws-cli.test.ts: AWS CLI v2 tests skipped: ${DEBIAN_CLI_V2} is missing or is not AWS CLI v2 ` +
      `(got: ${cliV2Version ?? 'nothing'}); on Debian, apt-get install awscli`,
  );
  describe.skip('AWS CLI v2 (Debian) against Lockstep', () => {
    it('needs /usr/bin/aws', () => {});
  });
}

if (cliV1 !== undefined) {
  describeCliV1(cliV1);
} else {
  console.warn(
    'aws-cli.test.ts: AWS CLI v1 tests skipped: no `aws` on PATH reports aws-cli/1.x; ' +
      'pip install awscli',
  );
  describe.skip('AWS CLI v1 against Lockstep', () => {
    it('needs AWS CLI v1 on PATH', () => {});
  });
}

function describeCliV2(): void {
  describe(`AWS CLI v2 (${cliV2Version}) against Lockstep`, () => {
    const ctx = useServer();
    let cli: AwsCli;
    const { pipeline } = loadFixture(FIXTURE.mySecondPipeline);
    const name = pipeline.name ?? '';
    // This CLI's models predate V2 pipelines: it drops pipelineType and executionMode from what
    // the server sends, so what it prints is the declaration without them.
    const printed = (decl: PipelineDeclaration, version: number) => {
      const shown = expectedDeclaration(decl, version);
      delete shown.pipelineType;
      delete shown.executionMode;
      return shown;
    };
    const changed = structuredClone(pipeline);
    const deploy = changed.stages?.[1]?.actions?.[0];
    if (deploy) deploy.configuration = { ...deploy.configuration, DeploymentGroupName: 'Canary' };

    beforeAll(() => {
      cli = awsCli(DEBIAN_CLI_V2, ctx.server, path.join(ctx.server.dataDir, 'credentials'));
    });

    it('creates a pipeline from --cli-input-json and reads it back', async () => {
      const created = await cli.json<{ pipeline: PipelineDeclaration }>(
        'create-pipeline',
        '--cli-input-json',
        `file://${fixturePath(FIXTURE.mySecondPipeline)}`,
      );
      expect(created.pipeline).toEqual(printed(pipeline, 1));

      const got = await cli.json<GetPipelineOutput>('get-pipeline', '--name', name);
      expect(got.pipeline).toEqual(printed(pipeline, 1));
      expect(got.metadata.pipelineArn).toBe(
        `arn:aws:codepipeline:us-east-1:${ctx.server.accountId}:${name}`,
      );
      // The CLI prints the epoch seconds it received as ISO 8601.
      expectRecentDate(new Date(got.metadata.created));
    });

    it('refuses a second create of one name: exit 254, PipelineNameInUseException', async () => {
      const again = await cli.run(
        'create-pipeline',
        '--cli-input-json',
        `file://${fixturePath(FIXTURE.mySecondPipeline)}`,
      );
      expectCliError(again, 254, 'PipelineNameInUseException');
    });

    it('refuses a documentation placeholder roleArn: ValidationException', async () => {
      const refused = await cli.run(
        'create-pipeline',
        '--cli-input-json',
        `file://${fixturePath('awsdocs-userguide__pipelines-create__MyFirstPipeline.json')}`,
      );
      expectCliError(refused, 254, 'ValidationException');
      expect(refused.stderr).toContain("at 'pipeline.roleArn' failed to satisfy constraint");
    });

    it('refuses a service role CodePipeline cannot assume: InvalidStructureException', async () => {
      // As published, the CLI's own example names a role of account 111111111111.
      const published = publishedFixturePath(FIXTURE.mySecondPipeline);
      const foreign = await cli.run('create-pipeline', '--cli-input-json', `file://${published}`);
      expectCliError(foreign, 254, 'InvalidStructureException');
      expect(foreign.stderr).toContain(
        'CodePipeline is not authorized to perform AssumeRole on role ' +
          'arn:aws:iam::111111111111:role/AWS-CodePipeline-Service',
      );
      const missing = structuredClone(pipeline);
      missing.name = `${name}-norole`;
      missing.roleArn = `arn:aws:iam::${TEST_ACCOUNT}:role/never-created`;
      const refused = await cli.run(
        'create-pipeline',
        '--cli-input-json',
        await inputFile(ctx.scratch, 'norole', missing),
      );
      expectCliError(refused, 254, 'InvalidStructureException');
      expect(refused.stderr).toContain(`role ${missing.roleArn}`);
      const listed = await cli.json<{ pipelines: { name: string }[] }>('list-pipelines');
      expect(listed.pipelines.map((p) => p.name)).not.toContain(missing.name);
    });

    it('update-pipeline makes version 2; --pipeline-version 1 still shows the old one', async () => {
      const updated = await cli.json<{ pipeline: PipelineDeclaration }>(
        'update-pipeline',
        '--cli-input-json',
        await inputFile(ctx.scratch, 'changed', changed),
      );
      expect(updated.pipeline).toEqual(printed(changed, 2));

      const current = await cli.json<GetPipelineOutput>('get-pipeline', '--name', name);
      expect(current.pipeline).toEqual(printed(changed, 2));
      const first = await cli.json<GetPipelineOutput>(
        'get-pipeline',
        '--name',
        name,
        '--pipeline-version',
        '1',
      );
      expect(first.pipeline).toEqual(printed(pipeline, 1));
    });

    it('tags, lists tags and untags', async () => {
      const arn = `arn:aws:codepipeline:us-east-1:${ctx.server.accountId}:${name}`;
      const tagged = await cli.run(
        'tag-resource',
        '--resource-arn',
        arn,
        '--tags',
        'key=team,value=platform',
        'key=env,value=prod',
      );
      expect(tagged.stderr).toBe('');
      expect(tagged.exitCode).toBe(0);
      const listed = await cli.json<{ tags: unknown[] }>(
        'list-tags-for-resource',
        '--resource-arn',
        arn,
      );
      expect(listed.tags).toEqual(
        expect.arrayContaining([
          { key: 'team', value: 'platform' },
          { key: 'env', value: 'prod' },
        ]),
      );
      expect(listed.tags).toHaveLength(2);

      expect(
        (await cli.run('untag-resource', '--resource-arn', arn, '--tag-keys', 'team')).exitCode,
      ).toBe(0);
      const after = await cli.json<{ tags: unknown[] }>(
        'list-tags-for-resource',
        '--resource-arn',
        arn,
      );
      expect(after.tags).toEqual([{ key: 'env', value: 'prod' }]);
    });

    it('pages list-pipelines with --page-size, --max-items and --starting-token', async () => {
      for (const extra of ['Zeta-one', 'Zeta-two']) {
        await ctx.sdk.send(new CreatePipelineCommand({ pipeline: minimalDeclaration(extra) }));
      }
      const everyName = [name, 'Zeta-one', 'Zeta-two'].sort();
      const names = (out: { pipelines: PipelineSummary[] }) =>
        out.pipelines.map((summary) => summary.name ?? '');

      // One pipeline per request: all three only come back if the CLI follows nextToken.
      const all = await cli.json<{ pipelines: PipelineSummary[] }>(
        'list-pipelines',
        '--page-size',
        '1',
      );
      expect(names(all).sort()).toEqual(everyName);

      const first = await cli.json<{ pipelines: PipelineSummary[]; NextToken?: string }>(
        'list-pipelines',
        '--page-size',
        '1',
        '--max-items',
        '2',
      );
      expect(first.pipelines).toHaveLength(2);
      expect(first.NextToken).toEqual(expect.any(String));
      const rest = await cli.json<{ pipelines: PipelineSummary[]; NextToken?: string }>(
        'list-pipelines',
        '--page-size',
        '1',
        '--max-items',
        '2',
        '--starting-token',
        first.NextToken ?? '',
      );
      expect(rest.NextToken).toBeUndefined();
      expect([...names(first), ...names(rest)].sort()).toEqual(everyName);
    });

    it('refuses a request signed with a wrong secret: InvalidSignatureException', async () => {
      const badCredentials = path.join(ctx.scratch, 'wrong-secret-credentials');
      await writeFile(
        badCredentials,
        '[default]\n' +
          `aws_access_key_id = ${ctx.server.credentials.accessKeyId}\n` +
          `aws_secret_access_key = ${'w'.repeat(40)}\n`,
      );
      const impostor = awsCli(DEBIAN_CLI_V2, ctx.server, badCredentials);
      const refused = await impostor.run('list-pipelines');
      expectCliError(refused, 254, 'InvalidSignatureException');
      expect(refused.stdout).toBe('');
    });

    it('deletes: get-pipeline then exits 254 with PipelineNotFoundException', async () => {
      expect((await cli.run('delete-pipeline', '--name', name)).exitCode).toBe(0);
      const missing = await cli.run('get-pipeline', '--name', name);
      expectCliError(missing, 254, 'PipelineNotFoundException');
      expect(missing.stderr).toContain(name);
      // Deleting what is not there succeeds, as in AWS.
      expect((await cli.run('delete-pipeline', '--name', name)).exitCode).toBe(0);
    });
  });
}

function describeCliV1(bin: string): void {
  describe(`AWS CLI v1 (${versionOf(bin)}) against Lockstep`, () => {
    const ctx = useServer();
    let cli: AwsCli;
    const { pipeline } = loadFixture(FIXTURE.v2MyPipeline);
    const name = pipeline.name ?? '';

    beforeAll(() => {
      cli = awsCli(bin, ctx.server, path.join(ctx.server.dataDir, 'credentials'));
    });

    it('round-trips the V2 declaration: pipelineType, executionMode, variables, triggers', async () => {
      const created = await cli.json<{ pipeline: PipelineDeclaration }>(
        'create-pipeline',
        '--cli-input-json',
        `file://${fixturePath(FIXTURE.v2MyPipeline)}`,
      );
      expect(created.pipeline).toEqual(expectedDeclaration(pipeline));
      const got = await cli.json<GetPipelineOutput>('get-pipeline', '--name', name);
      expect(got.pipeline).toEqual(expectedDeclaration(pipeline));
      expect(got.pipeline).toMatchObject({
        pipelineType: 'V2',
        executionMode: 'SUPERSEDED',
        variables: [{ name: 'MyVariable', defaultValue: '1' }],
      });
      expect(got.pipeline.triggers?.[0]?.gitConfiguration?.sourceActionName).toBe('Source');
      // CLI v1 prints timestamps as the epoch seconds it received.
      expectRecentDate(new Date(Number(got.metadata.created) * 1000));
    });

    it('updates to QUEUED; list-pipelines shows pipelineType and executionMode', async () => {
      const queued: PipelineDeclaration = {
        ...structuredClone(pipeline),
        executionMode: 'QUEUED',
        variables: [...(pipeline.variables ?? []), { name: 'Stage', defaultValue: 'beta' }],
      };
      const updated = await cli.json<{ pipeline: PipelineDeclaration }>(
        'update-pipeline',
        '--cli-input-json',
        await inputFile(ctx.scratch, 'queued', queued),
      );
      expect(updated.pipeline).toEqual(expectedDeclaration(queued, 2));

      const listed = await cli.json<{ pipelines: PipelineSummary[] }>('list-pipelines');
      expect(listed.pipelines).toEqual([
        expect.objectContaining({ name, version: 2, pipelineType: 'V2', executionMode: 'QUEUED' }),
      ]);
    });

    it('refuses V2 features in a V1 pipeline: exit 255, InvalidStructureException', async () => {
      const v1 = { ...structuredClone(pipeline), name: 'NotReallyV2', pipelineType: 'V1' as const };
      const refused = await cli.run(
        'create-pipeline',
        '--cli-input-json',
        await inputFile(ctx.scratch, 'v1', v1),
      );
      expectCliError(refused, 255, 'InvalidStructureException');
    });

    it('exits 255 naming PipelineNotFoundException once the pipeline is deleted', async () => {
      expect((await cli.run('delete-pipeline', '--name', name)).exitCode).toBe(0);
      const missing = await cli.run('get-pipeline', '--name', name);
      expectCliError(missing, 255, 'PipelineNotFoundException');
    });
  });
}
