/**
 * The S3 source and deploy actions through Lockstep's own S3: a zip uploaded with `aws s3 cp`
 * starts nothing by itself but is what the S3 source reads (as the pipeline role, which may read
 * that bucket); the deploy action extracts it into a site bucket, and a second deploy to a
 * bucket the role may not write fails with the denial. Checked with `aws s3api get-object`.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreatePipelineCommand, type ActionDeclaration } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipDirectory } from '../../src/artifacts/zip-directory.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  actionExecutions,
  firstRun,
  v2Pipeline,
  waitForStatus,
} from '../integration/executions/support.js';
import { awsAnyServiceCli, everyOnPath, versionOf, type AwsCli } from './support/run-client.js';

const CLI_V1 = everyOnPath('aws').find((bin) => versionOf(bin)?.startsWith('aws-cli/1.'));
if (!CLI_V1) console.warn('s3-source-deploy.test.ts: skipped, the AWS CLI v1 is not installed');

const INDEX = '<h1>release 42</h1>\n';

let t: TestServer;
let cli: AwsCli;
let scratch: string;
let executionId: string;
let uploadedVersion: string;

function s3Action(name: string, category: 'Source' | 'Deploy', config: Record<string, string>) {
  const action: ActionDeclaration = {
    name,
    actionTypeId: { category, owner: 'AWS', provider: 'S3', version: '1' },
    configuration: config,
  };
  if (category === 'Source') action.outputArtifacts = [{ name: 'Site' }];
  else action.inputArtifacts = [{ name: 'Site' }];
  return action;
}

describe.skipIf(!CLI_V1)('S3 source and deploy actions', () => {
  beforeAll(async () => {
    t = await startTestServer();
    cli = awsAnyServiceCli(CLI_V1 ?? 'aws', t.server, path.join(t.dataDir, 'credentials'));
    scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-s3-actions-'));
    for (const bucket of ['sources', 'site', 'vault']) {
      await cli.json('s3api', 'create-bucket', '--bucket', bucket);
    }
    await cli.json(
      ...['s3api', 'put-bucket-versioning', '--bucket', 'sources'],
      ...['--versioning-configuration', 'Status=Enabled'],
    );
    const site = path.join(scratch, 'site');
    await mkdir(path.join(site, 'css'), { recursive: true });
    await writeFile(path.join(site, 'index.html'), INDEX);
    await writeFile(path.join(site, 'css', 'app.css'), 'h1 { color: teal }\n');
    await writeFile(path.join(scratch, 'site.zip'), await zipDirectory(site));
    const put = await cli.json<{ VersionId: string }>(
      ...['s3api', 'put-object', '--bucket', 'sources', '--key', 'releases/site.zip'],
      ...['--body', path.join(scratch, 'site.zip')],
    );
    uploadedVersion = put.VersionId;
    await cli.json(
      ...['iam', 'put-role-policy', '--role-name', 'pipeline', '--policy-name', 'publish'],
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: 'arn:aws:s3:::sources/*',
          },
          { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::site/*' },
        ],
      }),
    );
    const pipeline = v2Pipeline('publish', [
      [
        'Source',
        [
          s3Action('Upload', 'Source', {
            S3Bucket: 'sources',
            S3ObjectKey: 'releases/site.zip',
            PollForSourceChanges: 'false',
          }),
        ],
      ],
      [
        'Deploy',
        [
          s3Action('Publish', 'Deploy', {
            BucketName: 'site',
            Extract: 'true',
            ObjectKey: 'web',
            CannedACL: 'public-read',
            CacheControl: 'max-age=60',
          }),
          s3Action('Archive', 'Deploy', {
            BucketName: 'vault',
            Extract: 'false',
            ObjectKey: 'bundles/site.zip',
          }),
        ],
      ],
    ]);
    await t.client.send(new CreatePipelineCommand({ pipeline }));
    executionId = await firstRun(t.client, 'publish');
    await waitForStatus(t.client, 'publish', executionId, 'Failed', 60_000);
  }, 120_000);

  afterAll(() => t?.stop());

  it('reads the uploaded zip as its version, with ETag and VersionId variables', async () => {
    const source = (await actionExecutions(t.client, 'publish', executionId)).find(
      (a) => a.actionName === 'Upload',
    );
    expect(source?.status).toBe('Succeeded');
    expect(source?.output?.outputVariables).toMatchObject({ VersionId: uploadedVersion });
    expect(source?.output?.outputVariables?.ETag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('publishes every file of the artifact under ObjectKey, noting the ignored ACL', async () => {
    const publish = (await actionExecutions(t.client, 'publish', executionId)).find(
      (a) => a.actionName === 'Publish',
    );
    expect(publish?.status).toBe('Succeeded');
    const summary = publish?.output?.executionResult?.externalExecutionSummary ?? '';
    expect(summary).toContain('Published 2 object(s) to s3://site/web');
    expect(summary).toContain('CannedACL public-read was ignored');
    const out = path.join(scratch, 'index.html');
    const got = await cli.json<{ ContentType: string; CacheControl?: string }>(
      ...['s3api', 'get-object', '--bucket', 'site', '--key', 'web/index.html', out],
    );
    expect(await readFile(out, 'utf8')).toBe(INDEX);
    expect(got.ContentType).toBe('text/html');
    const listed = await cli.json<{ Contents: { Key: string }[] }>(
      ...['s3api', 'list-objects-v2', '--bucket', 'site'],
    );
    expect(listed.Contents.map((c) => c.Key).sort()).toEqual(['web/css/app.css', 'web/index.html']);
  });

  it('fails a deploy to a bucket its role may not write, and writes nothing there', async () => {
    const archive = (await actionExecutions(t.client, 'publish', executionId)).find(
      (a) => a.actionName === 'Archive',
    );
    expect(archive?.status).toBe('Failed');
    expect(archive?.output?.executionResult?.errorDetails?.message).toContain(
      'not authorized to perform: s3:PutObject',
    );
    const listed = await cli.json<{ Contents?: unknown[] }>(
      ...['s3api', 'list-objects-v2', '--bucket', 'vault'],
    );
    expect(listed.Contents ?? []).toEqual([]);
  });
});
