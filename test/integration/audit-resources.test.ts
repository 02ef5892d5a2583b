/**
 * Audit records name their resources (record format version 2): through a real server, the
 * real AWS CLI's `cloudtrail lookup-events` finds by ResourceName the calls on one pipeline and
 * the engine's events of its run, and nothing about another pipeline; by ResourceType the IAM
 * roles' calls. `bin/lockstep audit verify` passes on a trail mixing version 1 records (as an
 * older server wrote them) with version 2 ones, and fails on one changed byte of a record's
 * resources. On both engines, the store finds records by resource through its index.
 * Needs dist/ (`npm run build`) for bin/lockstep.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  GetPipelineCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import SqliteDatabase from 'better-sqlite3';
import { rawStoreTargets, type RawStoreTarget } from '../support/raw-store-targets.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditRecordHash } from '../../src/audit/audit-record-hash.js';
import { verifyTrail } from '../../src/audit/verify-trail.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import type { AuditRecord } from '../../src/store/state-store.js';
import { clientEnv, runClient } from '../e2e/support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  eventually,
  gitSource,
  gitSourceAction,
  type GitSource,
} from '../support/pipeline-runs.js';
import { isolatedEnv, runLockstep } from './support/lockstep-cli.js';

const ACCOUNT = '123456789012';
const AUDITED = 'audited';
const OTHER = 'other';
const AUDITED_ARN = `arn:aws:codepipeline:us-east-1:${ACCOUNT}:${AUDITED}`;
const PIPELINE_TYPE = 'AWS::CodePipeline::Pipeline';

interface WireEvent {
  EventName: string;
  EventSource: string;
  Resources: { ResourceType?: string; ResourceName?: string }[];
  CloudTrailEvent: string;
}

let t: TestServer;
let source: GitSource;
let runId: string;

async function lookup(key: string, value: string): Promise<WireEvent[]> {
  const common = ['--endpoint-url', t.server.url, '--region', 'us-east-1', '--output', 'json'];
  const env = clientEnv(path.join(t.dataDir, 'credentials'));
  const attribute = `AttributeKey=${key},AttributeValue=${value}`;
  const result = await runClient(
    'aws',
    ['cloudtrail', 'lookup-events', '--lookup-attributes', attribute, ...common],
    env,
  );
  if (result.exitCode !== 0) throw new Error(`lookup-events failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { Events: WireEvent[] }).Events;
}

async function createPipeline(name: string): Promise<void> {
  await t.client.send(
    new CreatePipelineCommand({
      pipeline: {
        name,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
        artifactStore: { type: 'S3', location: 'artifacts' },
        stages: [
          { name: 'Source', actions: [gitSourceAction(source)] },
          {
            name: 'Hold',
            actions: [
              {
                name: 'Gate',
                actionTypeId: {
                  category: 'Approval',
                  owner: 'AWS',
                  provider: 'Manual',
                  version: '1',
                },
              },
            ],
          },
        ],
      },
    }),
  );
}

/** The run's action events as recorded: the engine's own, with the run's execution id. */
const isRunEvent = (event: WireEvent) =>
  event.EventName.startsWith('CodePipeline ') && event.CloudTrailEvent.includes(runId);

beforeAll(async () => {
  t = await startTestServer();
  source = await gitSource(t);
  await createPipeline(AUDITED);
  await createPipeline(OTHER);
  await t.client.send(new GetPipelineCommand({ name: AUDITED }));
  await t.client.send(new GetPipelineCommand({ name: OTHER }));
  const started = await t.client.send(new StartPipelineExecutionCommand({ name: AUDITED }));
  runId = started.pipelineExecutionId ?? '';
  // The run reaches the approval: its source action has started and succeeded by then.
  await eventually(async () => {
    const events = await lookup('ResourceName', AUDITED);
    expect(events.filter(isRunEvent).map((e) => e.EventName)).toContain(
      'CodePipeline Stage Execution State Change',
    );
  });
});

afterAll(async () => {
  await t?.stop().catch(() => undefined);
  if (t) await rm(t.dataDir, { recursive: true, force: true });
});

describe('LookupEvents by resource through the AWS CLI', () => {
  it("finds the calls on one pipeline and the engine's events of its run, and no other", async () => {
    const events = await lookup('ResourceName', AUDITED);
    const names = events.map((e) => e.EventName);
    expect(names).toEqual(expect.arrayContaining(['CreatePipeline', 'GetPipeline']));
    expect(names).toContain('StartPipelineExecution');
    expect(names.filter((n) => n === 'CreatePipeline')).toHaveLength(1);
    expect(names.filter((n) => n === 'GetPipeline')).toHaveLength(1);
    const runEvents = events.filter(isRunEvent);
    expect(runEvents.map((e) => e.EventName)).toEqual(
      expect.arrayContaining([
        'CodePipeline Pipeline Execution State Change',
        'CodePipeline Action Execution State Change',
      ]),
    );
    for (const event of events) {
      expect(event.Resources).toEqual([{ ResourceType: PIPELINE_TYPE, ResourceName: AUDITED }]);
      const record = JSON.parse(event.CloudTrailEvent) as { resources: unknown };
      expect(record.resources).toEqual([
        { ARN: AUDITED_ARN, accountId: ACCOUNT, type: PIPELINE_TYPE },
      ]);
      expect(event.CloudTrailEvent).not.toContain(`"name":"${OTHER}"`);
    }
    const other = await lookup('ResourceName', OTHER);
    const otherCalls = other.filter((e) => !e.EventName.startsWith('CodePipeline '));
    expect(otherCalls.map((e) => e.EventName).sort()).toEqual(['CreatePipeline', 'GetPipeline']);
    expect(other.some((e) => e.CloudTrailEvent.includes(runId))).toBe(false);
    expect(await lookup('ResourceName', 'no-such-pipeline')).toEqual([]);
  });

  it('finds by resource type, and names IAM roles by their name', async () => {
    const roles = await lookup('ResourceType', 'AWS::IAM::Role');
    expect(roles.map((e) => e.EventName)).toContain('CreateRole');
    const pipelineRole = roles.find((e) => e.Resources[0]?.ResourceName === 'pipeline');
    expect(pipelineRole?.Resources).toEqual([
      { ResourceType: 'AWS::IAM::Role', ResourceName: 'pipeline' },
    ]);
    expect(pipelineRole?.EventSource).toBe('iam.amazonaws.com');
    const pipelines = await lookup('ResourceType', PIPELINE_TYPE);
    expect(new Set(pipelines.flatMap((e) => e.Resources.map((r) => r.ResourceName)))).toEqual(
      new Set([AUDITED, OTHER]),
    );
    // A call on `*` names no resource.
    const lists = await lookup('EventName', 'LookupEvents');
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((e) => e.Resources.length === 0)).toBe(true);
  });
});

/** A record as a server before format version 2 wrote it: no resources, hashed as version 1. */
function versionOne(n: number): AuditRecord {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventTimeMs: Date.now(),
    eventSource: 'codepipeline.amazonaws.com',
    eventName: 'GetPipeline',
    requestId: `v1-${n}`,
    principalArn: `arn:aws:iam::${ACCOUNT}:user/old`,
    accessKeyId: null,
    sourceIpAddress: '127.0.0.1',
    userAgent: 'older-server',
    readOnly: true,
    errorCode: null,
    errorMessage: null,
    requestParametersJson: `{"name":"${AUDITED}"}`,
    responseElementsJson: null,
    formatVersion: 1,
    resourcesJson: null,
  };
}

function versionTwo(n: number, name: string): AuditRecord {
  const arn = `arn:aws:codepipeline:us-east-1:${ACCOUNT}:${name}`;
  return {
    ...versionOne(n),
    requestId: `v2-${n}`,
    formatVersion: 2,
    resourcesJson: JSON.stringify([{ ARN: arn, accountId: ACCOUNT, type: PIPELINE_TYPE, name }]),
  };
}

describe('bin/lockstep audit verify on a trail of both format versions', () => {
  type Verify = { ok: boolean; firstBadSequence?: number; records?: number; reason?: string };
  const scratch: string[] = [];
  let mixed: string;
  let v2Sequence: number;
  let v1Sequence: number;

  async function verify(dataDir: string): Promise<[number | null, Verify]> {
    const result = await runLockstep(['audit', 'verify', '--data-dir', dataDir], {
      env: isolatedEnv(),
    });
    if (result.stdout === '') throw new Error(`audit verify printed nothing: ${result.stderr}`);
    return [result.code, JSON.parse(result.stdout) as Verify];
  }

  /** A copy of the mixed data directory with `statement` run on its database. */
  async function tampered(statement: string): Promise<string> {
    const copy = await mkdtemp(path.join(tmpdir(), 'lockstep-audit-resources-'));
    scratch.push(copy);
    await cp(mixed, copy, { recursive: true });
    const db = new SqliteDatabase(path.join(copy, 'state.db'));
    db.exec(statement);
    db.close();
    return copy;
  }

  beforeAll(async () => {
    await t.stop();
    mixed = t.dataDir;
    // Records as an older server appended them, then newer ones again, on the same chain.
    const store = await openStateStore({ dataDir: mixed });
    try {
      for (let n = 1; n <= 3; n++)
        v1Sequence = (await store.appendAudit(versionOne(n), auditRecordHash)).sequence;
      v2Sequence = (await store.appendAudit(versionTwo(4, AUDITED), auditRecordHash)).sequence;
    } finally {
      await store.close();
    }
  });

  afterAll(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  it('passes on the untouched trail', async () => {
    const [code, result] = await verify(mixed);
    expect(result).toMatchObject({ ok: true, records: v2Sequence });
    expect(code).toBe(0);
    const db = new SqliteDatabase(path.join(mixed, 'state.db'), { readonly: true });
    const versions = db
      .prepare('select format_version as v, count(*) as n from audit_events group by 1 order by 1')
      .all();
    db.close();
    expect(versions).toEqual([
      { v: 1, n: 3 },
      { v: 2, n: v2Sequence - 3 },
    ]);
  });

  it("fails on one changed byte of a record's resources", async () => {
    const dir = await tampered(
      `update audit_events set resources_json = replace(resources_json, '"${AUDITED}"', '"audiTed"')
       where sequence = ${v2Sequence}`,
    );
    const [code, result] = await verify(dir);
    expect(result).toMatchObject({ ok: false, firstBadSequence: v2Sequence });
    expect(code).toBe(1);
  });

  it('fails when a record is moved to the other format version', async () => {
    const upgraded = await tampered(
      `update audit_events set format_version = 2 where sequence = ${v1Sequence}`,
    );
    expect((await verify(upgraded))[1]).toMatchObject({ ok: false, firstBadSequence: v1Sequence });
    const stripped = await tampered(
      `update audit_events set format_version = 1, resources_json = null where sequence = ${v2Sequence}`,
    );
    expect((await verify(stripped))[1]).toMatchObject({ ok: false, firstBadSequence: v2Sequence });
  });
});

const engines = rawStoreTargets('lockstep-audit-resources-store-', 'audit-resources.test.ts');

describe.each(engines)('resources in the store on %s', (_engine, createTarget) => {
  let target: RawStoreTarget | undefined;
  afterEach(async () => {
    await target?.dispose();
    target = undefined;
  });

  it('finds records by resource name and type, newest first, across both versions', async () => {
    target = await createTarget();
    const { store } = target;
    await store.appendAudit(versionOne(1), auditRecordHash);
    await store.appendAuditBatch(
      [versionTwo(2, 'a'), versionTwo(3, 'b'), versionTwo(4, 'a')],
      auditRecordHash,
    );
    const byName = await store.lookupAudit({
      attribute: { key: 'ResourceName', value: 'a' },
      limit: 10,
    });
    expect(byName.map((r) => r.sequence)).toEqual([4, 2]);
    expect(byName[0]).toMatchObject({
      formatVersion: 2,
      resourcesJson: versionTwo(4, 'a').resourcesJson,
    });
    // Names compare exactly, as CloudTrail's do.
    expect(
      await store.lookupAudit({ attribute: { key: 'ResourceName', value: 'A' }, limit: 10 }),
    ).toEqual([]);
    const byType = await store.lookupAudit({
      attribute: { key: 'ResourceType', value: PIPELINE_TYPE },
      limit: 2,
    });
    expect(byType.map((r) => r.sequence)).toEqual([4, 3]);
    expect((await store.listAudit(0, 10))[0]).toMatchObject({
      formatVersion: 1,
      resourcesJson: null,
    });
    expect(await verifyTrail(store, [])).toMatchObject({ ok: true, records: 4 });
    await target.exec(
      `update audit_events set resources_json = replace(resources_json, '"b"', '"c"') where sequence = 3`,
    );
    expect(await verifyTrail(store, [])).toMatchObject({ ok: false, firstBadSequence: 3 });
  });
});
