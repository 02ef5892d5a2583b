/**
 * Every API call, allowed or refused, reaches the audit trail with CloudTrail's fields, and a
 * secret configuration value never does.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineCommand,
  ListPipelinesCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/store/open-state-store.js';
import type { StoredAuditRecord } from '../../src/store/state-store.js';
import { loadFixture } from '../e2e/support/pipeline-fixtures.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';

const GITHUB_FIXTURE = 'cfn__ecs-refarch-continuous-deployment__deployment-pipeline__Pipeline.json';
const TOKEN = 'ghp_notARealTokenButLongEnough0123456789';

describe('audit hook', () => {
  let t: TestServer;
  /** API calls only; the engine's own state changes are checked apart. */
  let records: StoredAuditRecord[];
  let serviceEvents: StoredAuditRecord[];

  beforeAll(async () => {
    t = await startTestServer();
    const decl = loadFixture(GITHUB_FIXTURE).pipeline;
    decl.stages![0]!.actions![0]!.configuration!.OAuthToken = TOKEN;
    await t.client.send(new CreatePipelineCommand({ pipeline: decl }));
    await t.client.send(new ListPipelinesCommand({}));
    await t.client.send(new GetPipelineCommand({ name: 'missing' })).catch(() => undefined);
    const forged = new CodePipelineClient({
      endpoint: t.server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: t.credentials.accessKeyId, secretAccessKey: 'wrong-secret' },
      maxAttempts: 1,
    });
    await forged.send(new ListPipelinesCommand({})).catch(() => undefined);
    forged.destroy();
    await t.stop();
    const store = await openStateStore({ dataDir: t.dataDir });
    const all = await store.listAudit(0, 200);
    // Service events have no caller and the service as their source address (CloudTrail's
    // AwsServiceEvent); CreatePipeline's automatic first run makes them.
    serviceEvents = all.filter((r) => r.sourceIpAddress === 'codepipeline.amazonaws.com');
    // The IAM calls that made the test server's service roles come first; they are not ours.
    records = all.filter(
      (r) =>
        r.sourceIpAddress !== 'codepipeline.amazonaws.com' && r.eventSource !== 'iam.amazonaws.com',
    );
    await store.close();
  });

  it('records each call in order with its event name, caller and outcome', () => {
    expect(records.map((r) => [r.eventName, r.errorCode])).toEqual([
      ['CreatePipeline', null],
      ['ListPipelines', null],
      ['GetPipeline', 'PipelineNotFoundException'],
      ['ListPipelines', 'InvalidSignatureException'],
    ]);
    const [create, list, missing, forged] = records;
    expect(create).toMatchObject({
      eventSource: 'codepipeline.amazonaws.com',
      principalArn: 'arn:aws:iam::123456789012:user/lockstep-admin',
      accessKeyId: t.credentials.accessKeyId,
      sourceIpAddress: '127.0.0.1',
      readOnly: false,
    });
    expect(create?.userAgent).toContain('aws-sdk-js');
    expect(list?.readOnly).toBe(true);
    expect(missing?.errorMessage).toContain("pipeline with name 'missing'");
    expect(JSON.parse(missing?.requestParametersJson ?? 'null')).toEqual({ name: 'missing' });
    // A refused signature proves nothing about who sent it, so no principal is recorded.
    expect(forged?.principalArn).toBeNull();
    expect(new Set(records.map((r) => r.requestId)).size).toBe(4);
  });

  it("records the engine's state changes of the run CreatePipeline started, with no caller", () => {
    const pipelineEvents = serviceEvents.filter(
      (r) => r.eventName === 'CodePipeline Pipeline Execution State Change',
    );
    expect(pipelineEvents.length).toBeGreaterThanOrEqual(1);
    const started = JSON.parse(pipelineEvents[0]?.requestParametersJson ?? '{}') as Record<
      string,
      unknown
    >;
    expect(started).toMatchObject({ pipeline: 'Pipeline', version: 1, state: 'STARTED' });
    expect(serviceEvents.every((r) => r.principalArn === null && r.accessKeyId === null)).toBe(
      true,
    );
    expect(serviceEvents.map((r) => r.eventName)).toContain(
      'CodePipeline Action Execution State Change',
    );
  });

  it('keeps the secret OAuthToken out of the trail', () => {
    const create = records[0];
    const params = JSON.parse(create?.requestParametersJson ?? '{}') as {
      pipeline: PipelineDeclaration;
    };
    expect(params.pipeline.stages?.[0]?.actions?.[0]?.configuration?.OAuthToken).toBe('****');
    expect(JSON.stringify(records)).not.toContain(TOKEN);
    expect(JSON.stringify(serviceEvents)).not.toContain(TOKEN);
  });

  it('keeps the access key secret out of the database files', async () => {
    const db = await readFile(path.join(t.dataDir, 'state.db'));
    const wal = await readFile(path.join(t.dataDir, 'state.db-wal')).catch(() => Buffer.alloc(0));
    // The access key id is stored in clear, so finding it proves the bytes were searched.
    const haystack = Buffer.concat([db, wal]);
    expect(haystack.includes(Buffer.from(t.credentials.accessKeyId))).toBe(true);
    expect(haystack.includes(Buffer.from(t.credentials.secretAccessKey))).toBe(false);
  });
});
