/**
 * A custom action's worker written in Python with boto3, as AWS's own samples are: it polls
 * for its job, fetches its input zip through the S3 API with the job's artifactCredentials,
 * checks a file in it, uploads its output zip to the key the job data names and reports
 * success; the next action (Commands) reads the worker's file. The same credentials cannot
 * read another pipeline's artifact or overwrite their own input; a worker that reports success
 * without uploading fails its action with the key it should have written; and no record of the
 * audit trail holds the session's secret key or token.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateCustomActionTypeCommand,
  CreatePipelineCommand,
  StartPipelineExecutionCommand,
  type ActionDeclaration,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/store/open-state-store.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { PIPELINE_ROLE_ARN } from '../support/pipeline-role.js';
import {
  eventually,
  executionStatus,
  gitSource,
  gitSourceAction,
  type GitSource,
} from '../support/pipeline-runs.js';
import { actionLog, firstRun, waitForAction } from '../integration/executions/support.js';
import { clientEnv, versionOf } from './support/run-client.js';

const exec = promisify(execFile);
const PYTHON = 'python3';
const boto3Version = versionOf(PYTHON, ['-c', 'import boto3; print(boto3.__version__)']);
const BUCKET = 'artifacts';
const workType = {
  category: 'Build',
  owner: 'Custom',
  provider: 'S3Worker',
  version: '1',
} as const;
const commands = { category: 'Compute', owner: 'AWS', provider: 'Commands', version: '1' } as const;

/** The worker: PHASE=serve does the job properly; PHASE=skip-upload reports success only. */
const WORKER = String.raw`
import io, json, os, sys, time, zipfile
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ['LOCKSTEP_URL']
admin = dict(aws_access_key_id=os.environ['ADMIN_KEY'],
             aws_secret_access_key=os.environ['ADMIN_SECRET'])
cp = boto3.client('codepipeline', endpoint_url=URL, region_name='us-east-1', **admin)
TYPE = {'category': 'Build', 'owner': 'Custom', 'provider': 'S3Worker', 'version': '1'}

def code(call):
    try:
        call()
        return None
    except ClientError as error:
        return error.response['Error']['Code']

jobs = []
for _ in range(300):
    jobs = cp.poll_for_jobs(actionTypeId=TYPE, maxBatchSize=1)['jobs']
    if jobs:
        break
    time.sleep(0.1)
job = jobs[0]
cp.acknowledge_job(jobId=job['id'], nonce=job['nonce'])
data = job['data']
out = {'jobId': job['id']}
if os.environ['PHASE'] == 'skip-upload':
    cp.put_job_success_result(jobId=job['id'])
    print(json.dumps(out))
    sys.exit(0)

creds = data['artifactCredentials']
details = cp.get_job_details(jobId=job['id'])['jobDetails']['data']
out['detailsHaveCredentials'] = sorted(details['artifactCredentials'].keys())
s3 = boto3.client('s3', endpoint_url=URL, region_name='us-east-1',
                  aws_access_key_id=creds['accessKeyId'],
                  aws_secret_access_key=creds['secretAccessKey'],
                  aws_session_token=creds['sessionToken'],
                  config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
source = data['inputArtifacts'][0]['location']['s3Location']
body = s3.get_object(Bucket=source['bucketName'], Key=source['objectKey'])['Body'].read()
readme = zipfile.ZipFile(io.BytesIO(body)).read('README').decode()
out['input'] = source
out['readme'] = readme

built = io.BytesIO()
with zipfile.ZipFile(built, 'w') as z:
    z.writestr('result.txt', 'worker saw: ' + readme)
target = data['outputArtifacts'][0]['location']['s3Location']
s3.put_object(Bucket=target['bucketName'], Key=target['objectKey'], Body=built.getvalue())
out['output'] = target

other = os.environ['OTHER_KEY']
out['otherWithAdmin'] = boto3.client(
    's3', endpoint_url=URL, region_name='us-east-1',
    config=Config(s3={'addressing_style': 'path'}), **admin,
).head_object(Bucket=source['bucketName'], Key=other)['ContentLength'] > 0
out['otherWithJobCredentials'] = code(lambda: s3.get_object(Bucket=source['bucketName'], Key=other))
out['overwriteInput'] = code(
    lambda: s3.put_object(Bucket=source['bucketName'], Key=source['objectKey'], Body=b'swap'))
out['secret'] = creds['secretAccessKey']
out['token'] = creds['sessionToken']
cp.put_job_success_result(jobId=job['id'])
print(json.dumps(out))
`;

interface WorkerReport {
  jobId: string;
  detailsHaveCredentials?: string[];
  input?: { bucketName: string; objectKey: string };
  output?: { bucketName: string; objectKey: string };
  readme?: string;
  otherWithAdmin?: boolean;
  otherWithJobCredentials?: string | null;
  overwriteInput?: string | null;
  secret?: string;
  token?: string;
}

describe.skipIf(boto3Version === undefined)('a boto3 job worker and its artifacts', () => {
  let t: TestServer;
  let client: CodePipelineClient;
  let source: GitSource;
  let otherKey = '';
  let report: WorkerReport;
  let runId = '';

  /** Runs the worker in `phase` and returns what it reports. */
  async function runWorker(phase: 'serve' | 'skip-upload'): Promise<WorkerReport> {
    const env = clientEnv('/dev/null', {
      LOCKSTEP_URL: t.server.url,
      ADMIN_KEY: t.credentials.accessKeyId,
      ADMIN_SECRET: t.credentials.secretAccessKey,
      PHASE: phase,
      OTHER_KEY: otherKey,
    });
    const { stdout } = await exec(PYTHON, ['-c', WORKER], { env });
    return JSON.parse(stdout) as WorkerReport;
  }

  beforeAll(async () => {
    t = await startTestServer();
    client = t.client;
    source = await gitSource(t);
    // The pipeline role may use the whole artifact bucket, as a CodePipeline service role may.
    const iam = clientEnv('/dev/null', {
      AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
    });
    await exec(
      PYTHON,
      [
        '-c',
        `import boto3, json, sys
boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1').put_role_policy(
    RoleName='pipeline', PolicyName='artifacts', PolicyDocument=sys.argv[2])`,
        t.server.url,
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
              Resource: `arn:aws:s3:::${BUCKET}/*`,
            },
          ],
        }),
      ],
      { env: iam },
    );
    await client.send(
      new CreateCustomActionTypeCommand({
        category: workType.category,
        provider: workType.provider,
        version: workType.version,
        inputArtifactDetails: { minimumCount: 1, maximumCount: 1 },
        outputArtifactDetails: { minimumCount: 1, maximumCount: 1 },
      }),
    );
    // Another pipeline's source artifact, which the worker's credentials must not reach.
    await createPipeline('other', [
      {
        name: 'Noop',
        actionTypeId: commands,
        inputArtifacts: [{ name: 'Code' }],
        commands: ['true'],
      },
    ]);
    const otherRun = await firstRun(client, 'other');
    await eventually(async () => {
      expect(await executionStatus(client, 'other', otherRun)).toBe('Succeeded');
    }, 30_000);
    otherKey = `other/${otherRun}/Code`;
  }, 60_000);
  afterAll(() => t?.stop());

  async function createPipeline(name: string, next: ActionDeclaration[], more = false) {
    const stages = [
      { name: 'Source', actions: [gitSourceAction(source)] },
      { name: 'Next', actions: next },
    ];
    if (more) {
      stages.push({
        name: 'Check',
        actions: [
          {
            name: 'ReadBuilt',
            actionTypeId: commands,
            inputArtifacts: [{ name: 'Built' }],
            commands: ['cat result.txt', 'grep -q "worker saw: app" result.txt'],
          },
        ],
      });
    }
    await client.send(
      new CreatePipelineCommand({
        pipeline: {
          name,
          pipelineType: 'V2',
          roleArn: PIPELINE_ROLE_ARN,
          artifactStore: { type: 'S3', location: BUCKET },
          stages,
        },
      }),
    );
  }

  it('downloads its input and uploads its output with boto3 and the job credentials', async () => {
    await createPipeline(
      'custom',
      [
        {
          name: 'Work',
          actionTypeId: workType,
          inputArtifacts: [{ name: 'Code' }],
          outputArtifacts: [{ name: 'Built' }],
        },
      ],
      true,
    );
    runId = await firstRun(client, 'custom');
    report = await runWorker('serve');
    expect(report.input).toEqual({ bucketName: BUCKET, objectKey: `custom/${runId}/Code` });
    expect(report.output).toEqual({ bucketName: BUCKET, objectKey: `custom/${runId}/Built` });
    expect(report.readme).toBe('app\n');
    expect(report.detailsHaveCredentials).toEqual([
      'accessKeyId',
      'secretAccessKey',
      'sessionToken',
    ]);

    const read = await waitForAction(client, 'custom', runId, 'ReadBuilt', 'Succeeded');
    const log = await actionLog(t.dataDir, 'custom', runId, read.actionExecutionId);
    expect(log).toContain('worker saw: app');
    await eventually(async () => {
      expect(await executionStatus(client, 'custom', runId)).toBe('Succeeded');
    });
  }, 60_000);

  it("cannot read another pipeline's artifact or overwrite its own input", () => {
    expect(report.otherWithAdmin).toBe(true);
    expect(report.otherWithJobCredentials).toBe('AccessDenied');
    expect(report.overwriteInput).toBe('AccessDenied');
  });

  it('fails the action, naming the key, when the worker uploaded no output', async () => {
    const started = await client.send(new StartPipelineExecutionCommand({ name: 'custom' }));
    const second = started.pipelineExecutionId ?? '';
    await runWorker('skip-upload');
    const work = await waitForAction(client, 'custom', second, 'Work', 'Failed');
    expect(work.output?.executionResult?.errorDetails?.message).toContain(
      `s3://${BUCKET}/custom/${second}/Built was not uploaded`,
    );
  }, 60_000);

  it('keeps neither the secret key nor the session token in the audit trail', async () => {
    expect(report.secret).toMatch(/^\S{40}$/);
    expect(report.token).toMatch(/^lsts1_/);
    await t.stop();
    const store = await openStateStore({ dataDir: t.dataDir });
    try {
      const records = await store.listAudit(0, 10_000);
      const names = records.map((r) => r.eventName);
      expect(names).toEqual(expect.arrayContaining(['PollForJobs', 'GetJobDetails', 'GetObject']));
      const everything = JSON.stringify(records);
      expect(everything).not.toContain(report.secret);
      expect(everything).not.toContain(report.token);
      // The worker's S3 calls are recorded as the role session that made them.
      const reads = records.filter((r) => r.eventName === 'GetObject');
      expect(reads.some((r) => r.principalArn?.includes(':assumed-role/pipeline/'))).toBe(true);
    } finally {
      await store.close();
    }
  });
});
