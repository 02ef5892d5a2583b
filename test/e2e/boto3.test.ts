/**
 * boto3 (the AWS SDK for Python) against a real `bin/lockstep serve` on a loopback port. One
 * python3 process makes every call and prints what it saw as JSON, so the suite costs one
 * interpreter start; the assertions are made here on that report.
 */
import path from 'node:path';
import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import {
  expectedDeclaration,
  FIXTURE,
  fixturePath,
  loadFixture,
} from './support/pipeline-fixtures.js';
import { clientEnv, runClient, versionOf } from './support/run-client.js';
import { stopLockstep } from './support/stop-lockstep.js';

const PYTHON = 'python3';
const boto3Version = versionOf(PYTHON, ['-c', 'import boto3; print(boto3.__version__)']);

// Every call a user would make in a first session, each error caught by the modelled class
// boto3 generates from the service model (client.exceptions.X), falling back to ClientError so
// that a wrong class shows up as data rather than a traceback.
const SCRIPT = String.raw`
import datetime, json, os, sys
import boto3, botocore.exceptions

url = os.environ['LOCKSTEP_URL']
client = boto3.client('codepipeline', endpoint_url=url, region_name='us-east-1')
out = {}

def failure(call):
    try:
        call()
        return None
    except botocore.exceptions.ClientError as error:
        return {
            'class': type(error).__name__,
            'code': error.response['Error']['Code'],
            'status': error.response['ResponseMetadata']['HTTPStatusCode'],
            'modelled': {name: isinstance(error, getattr(client.exceptions, name))
                         for name in ('PipelineNotFoundException', 'PipelineNameInUseException')},
        }

docs = [json.load(open(path)) for path in os.environ['FIXTURES'].split(os.pathsep)]
out['created'] = [client.create_pipeline(**doc)['pipeline'] for doc in docs]
out['got'] = []
for doc in docs:
    got = client.get_pipeline(name=doc['pipeline']['name'])
    created = got['metadata']['created']
    out['got'].append({
        'pipeline': got['pipeline'],
        'pipelineArn': got['metadata']['pipelineArn'],
        'createdIsDatetime': isinstance(created, datetime.datetime),
        'createdEpochSeconds': created.timestamp(),
    })

pages = client.get_paginator('list_pipelines').paginate(PaginationConfig={'PageSize': 1})
out['pages'] = [[(p['name'], p.get('pipelineType')) for p in page['pipelines']] for page in pages]

first = docs[0]['pipeline']['name']
out['createTwice'] = failure(lambda: client.create_pipeline(**docs[0]))
client.delete_pipeline(name=first)
out['getDeleted'] = failure(lambda: client.get_pipeline(name=first))
out['deleteAgain'] = client.delete_pipeline(name=first)['ResponseMetadata']['HTTPStatusCode']

impostor = boto3.client('codepipeline', endpoint_url=url, region_name='us-east-1',
                        aws_access_key_id=os.environ['LOCKSTEP_ACCESS_KEY_ID'],
                        aws_secret_access_key='w' * 40)
out['wrongSecret'] = failure(lambda: impostor.list_pipelines())
json.dump(out, sys.stdout)
`;

interface Failure {
  class: string;
  code: string;
  status: number;
  modelled: Record<string, boolean>;
}

interface Report {
  created: PipelineDeclaration[];
  got: {
    pipeline: PipelineDeclaration;
    pipelineArn: string;
    createdIsDatetime: boolean;
    createdEpochSeconds: number;
  }[];
  pages: [string, string | null][][];
  createTwice: Failure | null;
  getDeleted: Failure | null;
  deleteAgain: number;
  wrongSecret: Failure | null;
}

if (boto3Version === undefined) {
  console.warn(
    `boto3.test.ts: boto3 tests skipped: \`${PYTHON} -c "import boto3"\` failed; pip install boto3`,
  );
  describe.skip('boto3 against Lockstep', () => {
    it('needs python3 with boto3', () => {});
  });
} else {
  describe(`boto3 ${boto3Version} against Lockstep`, () => {
    // V1 first (it is the one deleted), then V2, which this boto3's current models carry.
    const files = [FIXTURE.timeWindows, FIXTURE.v2MyPipeline];
    const declarations = files.map((file) => loadFixture(file).pipeline);
    let server: LockstepProcess;
    let report: Report;

    beforeAll(async () => {
      server = await startLockstep();
      const env = clientEnv(path.join(server.dataDir, 'credentials'), {
        LOCKSTEP_URL: server.url,
        LOCKSTEP_ACCESS_KEY_ID: server.credentials.accessKeyId,
        FIXTURES: files.map(fixturePath).join(path.delimiter),
      });
      const result = await runClient(PYTHON, ['-c', SCRIPT], env);
      if (result.exitCode !== 0) {
        throw new Error(`the boto3 script exited ${result.exitCode}:\n${result.stderr}`);
      }
      report = JSON.parse(result.stdout) as Report;
    });
    afterAll(async () => {
      await stopLockstep(server);
    });

    it('create_pipeline and get_pipeline return each declaration with its defaults', () => {
      const expected = declarations.map((decl) => expectedDeclaration(decl));
      expect(report.created).toEqual(expected);
      expect(report.got.map((got) => got.pipeline)).toEqual(expected);
      expect(report.got[1]?.pipeline).toMatchObject({ pipelineType: 'V2' });
    });

    it('get_pipeline metadata: the ARN, and created parsed into a datetime near now', () => {
      for (const [index, got] of report.got.entries()) {
        const name = declarations[index]?.name ?? '';
        expect(got.pipelineArn).toBe(`arn:aws:codepipeline:us-east-1:${server.accountId}:${name}`);
        expect(got.createdIsDatetime).toBe(true);
        expect(Math.abs(got.createdEpochSeconds - Date.now() / 1000)).toBeLessThan(60);
      }
    });

    it('the list_pipelines paginator walks one pipeline per page', () => {
      expect(report.pages.map((page) => page.length)).toEqual([1, 1]);
      expect(report.pages.flat().sort()).toEqual(
        [
          [declarations[0]?.name, 'V1'],
          [declarations[1]?.name, 'V2'],
        ].sort(),
      );
    });

    it('raises client.exceptions.PipelineNameInUseException for a second create', () => {
      expect(report.createTwice).toMatchObject({
        class: 'PipelineNameInUseException',
        code: 'PipelineNameInUseException',
        status: 400,
        modelled: { PipelineNameInUseException: true },
      });
    });

    it('raises client.exceptions.PipelineNotFoundException after delete_pipeline', () => {
      expect(report.getDeleted).toMatchObject({
        class: 'PipelineNotFoundException',
        code: 'PipelineNotFoundException',
        status: 400,
        modelled: { PipelineNotFoundException: true, PipelineNameInUseException: false },
      });
      expect(report.deleteAgain).toBe(200);
    });

    it('refuses a request signed with a wrong secret: InvalidSignatureException', () => {
      expect(report.wrongSecret).toMatchObject({ code: 'InvalidSignatureException', status: 400 });
    });
  });
}
