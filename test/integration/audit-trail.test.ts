/**
 * The audit trail end to end: calls allowed and refused through a real server, read back with
 * the real AWS CLI's `cloudtrail lookup-events`, then `bin/lockstep audit verify` on the data
 * directory: it passes, and fails, naming what, on one changed byte, a re-chained rewrite, a
 * cut-off tail and a forged checkpoint. Needs dist/ (`npm run build`) for bin/lockstep.
 */
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineCommand,
  ListPipelinesCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../e2e/support/pipeline-fixtures.js';
import { auditRecordHash } from '../../src/audit/audit-record-hash.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import { clientEnv, runClient } from '../e2e/support/run-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';
import { isolatedEnv, runLockstep } from './support/lockstep-cli.js';

const TOKEN = 'ghp_notARealTokenButLongEnough0123456789';
const FIXTURE = 'cfn__ecs-refarch-continuous-deployment__deployment-pipeline__Pipeline.json';
const LIST_CALLS = 100;

interface WireEvent {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  AccessKeyId?: string;
  EventSource: string;
  Username?: string;
  CloudTrailEvent: string;
}
type Lookup = { Events: WireEvent[]; NextToken?: string };
type Verify = { ok: boolean; records?: number; firstBadSequence?: number | null } & Record<
  string,
  unknown
>;

let t: TestServer;
const scratch: string[] = [];

/** `aws cloudtrail lookup-events ARGS` against the server, as its administrator. */
async function lookup(...args: string[]): Promise<Lookup> {
  const result = await lookupRaw(...args);
  if (result.exitCode !== 0) throw new Error(`lookup-events failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Lookup;
}

function lookupRaw(...args: string[]) {
  const common = ['--endpoint-url', t.server.url, '--region', 'us-east-1', '--output', 'json'];
  const env = clientEnv(path.join(t.dataDir, 'credentials'));
  return runClient('aws', ['cloudtrail', 'lookup-events', ...args, ...common], env);
}

const byName = (name: string) => `AttributeKey=EventName,AttributeValue=${name}`;

/** `bin/lockstep audit verify` on a data directory; the exit code and the printed result. */
async function verify(dataDir: string, ...extra: string[]): Promise<[number | null, Verify]> {
  const result = await runLockstep(['audit', 'verify', '--data-dir', dataDir, ...extra], {
    env: isolatedEnv(),
  });
  if (result.stdout === '') throw new Error(`audit verify printed nothing: ${result.stderr}`);
  return [result.code, JSON.parse(result.stdout) as Verify];
}

/** A copy of the stopped server's data directory with `sql` applied to its database. */
async function tampered(...sql: string[]): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), 'lockstep-audit-tamper-'));
  scratch.push(copy);
  await cp(t.dataDir, copy, { recursive: true });
  const db = new SqliteDatabase(path.join(copy, 'state.db'));
  for (const statement of sql) db.exec(statement);
  db.close();
  return copy;
}

beforeAll(async () => {
  t = await startTestServer();
  const decl = loadFixture(FIXTURE).pipeline;
  decl.stages![0]!.actions![0]!.configuration!.OAuthToken = TOKEN;
  await t.client.send(new CreatePipelineCommand({ pipeline: decl }));
  for (let i = 0; i < LIST_CALLS; i++) await t.client.send(new ListPipelinesCommand({}));
  await t.client.send(new GetPipelineCommand({ name: 'missing' })).catch(() => undefined);
  const forged = new CodePipelineClient({
    endpoint: t.server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: t.credentials.accessKeyId, secretAccessKey: 'wrong-secret' },
    maxAttempts: 1,
  });
  await forged.send(new ListPipelinesCommand({})).catch(() => undefined);
  forged.destroy();
});

afterAll(async () => {
  await t?.stop().catch(() => undefined);
  for (const dir of [...scratch, t?.dataDir]) {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
});

describe('LookupEvents through the AWS CLI', () => {
  it('finds a refused call with every CloudTrail field and the caller identity', async () => {
    const { Events } = await lookup('--lookup-attributes', byName('GetPipeline'));
    expect(Events).toHaveLength(1);
    const [event] = Events as [WireEvent];
    expect(event).toMatchObject({
      EventName: 'GetPipeline',
      ReadOnly: 'true',
      AccessKeyId: t.credentials.accessKeyId,
      EventSource: 'codepipeline.amazonaws.com',
      Username: 'lockstep-admin',
    });
    const record = JSON.parse(event.CloudTrailEvent) as Record<string, unknown>;
    expect(record).toMatchObject({
      eventVersion: '1.08',
      eventSource: 'codepipeline.amazonaws.com',
      eventName: 'GetPipeline',
      awsRegion: 'us-east-1',
      sourceIPAddress: '127.0.0.1',
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::123456789012:user/lockstep-admin',
        accountId: '123456789012',
        accessKeyId: t.credentials.accessKeyId,
        userName: 'lockstep-admin',
      },
      requestParameters: { name: 'missing' },
      responseElements: null,
      errorCode: 'PipelineNotFoundException',
      eventID: event.EventId,
      readOnly: true,
      eventType: 'AwsApiCall',
      recipientAccountId: '123456789012',
    });
    expect(record.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(record.userAgent).toContain('aws-sdk-js');
    expect(record.requestID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records a forged signature with no identity, and keeps secrets out', async () => {
    const newest = await lookup('--lookup-attributes', byName('ListPipelines'), '--max-items', '1');
    const forged = JSON.parse(newest.Events[0]!.CloudTrailEvent) as Record<string, unknown>;
    expect(forged).toMatchObject({
      errorCode: 'InvalidSignatureException',
      // A refused signature proves nothing about who sent it (json-protocol.ts records no key).
      userIdentity: { type: 'Unknown' },
    });
    const create = await lookup('--lookup-attributes', byName('CreatePipeline'));
    const params = JSON.parse(create.Events[0]!.CloudTrailEvent) as {
      requestParameters: { pipeline: PipelineDeclaration };
    };
    expect(
      params.requestParameters.pipeline.stages?.[0]?.actions?.[0]?.configuration,
    ).toMatchObject({ OAuthToken: '****' });
    const everything = JSON.stringify(await lookup());
    expect(everything).toContain('CreatePipeline');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(t.credentials.secretAccessKey);
  });

  it('pages newest first, with and without the CLI paginating', async () => {
    const all = await lookup('--lookup-attributes', byName('ListPipelines'), '--page-size', '7');
    expect(all.Events).toHaveLength(LIST_CALLS + 1);
    expect(new Set(all.Events.map((e) => e.EventId)).size).toBe(LIST_CALLS + 1);
    const first = await lookup(
      ...['--lookup-attributes', byName('ListPipelines'), '--max-results', '2', '--no-paginate'],
    );
    expect(first.Events.map((e) => e.EventId)).toEqual(
      all.Events.slice(0, 2).map((e) => e.EventId),
    );
    const second = await lookup(
      ...['--lookup-attributes', byName('ListPipelines'), '--max-results', '2', '--no-paginate'],
      ...['--next-token', first.NextToken!],
    );
    expect(second.Events.map((e) => e.EventId)).toEqual(
      all.Events.slice(2, 4).map((e) => e.EventId),
    );
    // A token belongs to its filter, as CloudTrail requires the same parameters with it.
    const other = await lookupRaw(
      '--lookup-attributes',
      byName('GetPipeline'),
      '--no-paginate',
      '--next-token',
      first.NextToken!,
    );
    expect(other.stderr).toContain('(InvalidNextTokenException)');
  });

  it('filters by user, access key, read-only, event source and event id', async () => {
    const attr = (key: string, value: string) => [
      '--lookup-attributes',
      `AttributeKey=${key},AttributeValue=${value}`,
    ];
    const writes = await lookup(...attr('ReadOnly', 'false'));
    expect(writes.Events.map((e) => e.EventName)).toContain('CreatePipeline');
    expect(writes.Events.every((e) => e.ReadOnly === 'false')).toBe(true);
    expect((await lookup(...attr('Username', 'lockstep-admin'))).Events.length).toBeGreaterThan(
      100,
    );
    expect((await lookup(...attr('Username', 'lockstep'))).Events).toEqual([]);
    const byKey = await lookup(
      ...attr('AccessKeyId', t.credentials.accessKeyId),
      '--max-items',
      '5',
    );
    expect(byKey.Events).toHaveLength(5);
    const reads = await lookup(...attr('EventSource', 'cloudtrail.amazonaws.com'));
    expect(reads.Events.map((e) => e.EventName)).toContain('LookupEvents');
    const one = reads.Events[0]!;
    expect((await lookup(...attr('EventId', one.EventId))).Events).toEqual([one]);
  });

  it('applies the time range and refuses what CloudTrail refuses', async () => {
    const future = String(Math.floor(Date.now() / 1000) + 3600);
    expect((await lookup('--start-time', future)).Events).toEqual([]);
    const past = await lookup('--end-time', '1000000000');
    expect(past.Events).toEqual([]);
    const backwards = await lookupRaw('--start-time', future, '--end-time', '1000000000');
    expect(backwards.stderr).toContain('(InvalidTimeRangeException)');
    const two = await lookupRaw('--lookup-attributes', byName('A'), byName('B'));
    expect(two.stderr).toContain('(InvalidLookupAttributesException)');
    // Resource lookups are supported (audit-resources.test.ts); nothing is named x.
    expect(
      (await lookup('--lookup-attributes', 'AttributeKey=ResourceName,AttributeValue=x')).Events,
    ).toEqual([]);
  });
});

describe('bin/lockstep audit verify', () => {
  let records: number;

  beforeAll(async () => {
    await t.stop();
    const db = new SqliteDatabase(path.join(t.dataDir, 'state.db'), { readonly: true });
    records = (db.prepare('select count(*) as n from audit_events').get() as { n: number }).n;
    db.close();
  });

  it('proves the untouched trail, with checkpoints every 100 records and at shutdown', async () => {
    const [code, result] = await verify(t.dataDir);
    expect(result).toMatchObject({ ok: true, records, lastCheckpointTreeSize: records });
    // One at each multiple of 100, one at the head on shutdown.
    expect(result.checkpoints).toBe(Math.ceil(records / 100));
    expect(code).toBe(0);
    const publicKey = await readFile(path.join(t.dataDir, 'keys', 'audit-signing.pub'), 'utf8');
    expect(result.publicKeys).toEqual([{ keyId: expect.any(String) as string, publicKey }]);
    expect((await stat(path.join(t.dataDir, 'keys', 'audit-signing.key'))).mode & 0o777).toBe(
      0o600,
    );
  });

  it('names the record whose contents changed by one byte', async () => {
    const dir = await tampered(
      "update audit_events set event_name = 'ListPipelinez' where sequence = 42",
    );
    const [code, result] = await verify(dir);
    expect(result).toMatchObject({ ok: false, firstBadSequence: 42 });
    expect(result.reason).toContain('changed');
    expect(code).toBe(1);
  });

  it('catches a rewrite re-chained with correct hashes by the signed root', async () => {
    const dir = await tampered();
    const store = await openStateStore({ dataDir: dir });
    const rows = await store.listAudit(0, 1_000);
    await store.close();
    const db = new SqliteDatabase(path.join(dir, 'state.db'));
    const update = db.prepare(
      'update audit_events set error_code = ?, prev_hash = ?, record_hash = ? where sequence = ?',
    );
    let prevHash = rows[40]!.recordHash;
    for (const row of rows.slice(41)) {
      const record = { ...row, errorCode: row.sequence === 42 ? 'Hidden' : row.errorCode };
      const recordHash = auditRecordHash(record, prevHash);
      update.run(record.errorCode, prevHash, recordHash, row.sequence);
      prevHash = recordHash;
    }
    db.close();
    const [code, result] = await verify(dir);
    expect(result).toMatchObject({ ok: false, firstBadSequence: 1, checkpointTreeSize: 100 });
    expect(code).toBe(1);
  });

  it('reports a truncated tail against the last checkpoint', async () => {
    const dir = await tampered(`delete from audit_events where sequence > ${records - 3}`);
    const [code, result] = await verify(dir);
    expect(result).toMatchObject({
      ok: false,
      firstBadSequence: records - 2,
      checkpointTreeSize: records,
    });
    expect(result.reason).toContain('truncated');
    expect(code).toBe(1);
  });

  it('refuses a forged checkpoint signature', async () => {
    const forged = Buffer.alloc(64, 1).toString('base64');
    const dir = await tampered(
      `update audit_checkpoints set signature = '${forged}' where tree_size = 100`,
    );
    const [code, result] = await verify(dir);
    expect(result).toMatchObject({ ok: false, firstBadSequence: null, checkpointTreeSize: 100 });
    expect(result.reason).toContain('signature');
    expect(code).toBe(1);
  });
});

describe.skipIf(!TEST_DATABASE_URL)('the chain on PostgreSQL', () => {
  it('stays one chain under concurrent calls, and verify names a changed record', async () => {
    const database = await createTestDatabase();
    // No service roles: the trail must hold exactly the 40 calls below.
    const server = await startTestServer({ databaseUrl: database.url, pipelineRoles: [] });
    try {
      const calls = Array.from({ length: 40 }, () =>
        server.client.send(new ListPipelinesCommand({})),
      );
      await Promise.all(calls);
      await server.stop();
      const urlFlag = ['--database-url', database.url];
      const [code, result] = await verify(server.dataDir, ...urlFlag);
      expect(result).toMatchObject({ ok: true, records: 40, checkpoints: 1 });
      expect(code).toBe(0);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query("update audit_events set user_agent = 'x' where sequence = 17");
      await client.end();
      expect((await verify(server.dataDir, ...urlFlag))[1]).toMatchObject({ firstBadSequence: 17 });
    } finally {
      await server.stop().catch(() => undefined);
      await rm(server.dataDir, { recursive: true, force: true });
      await database.drop();
    }
  });
});
reportPostgresSkipped('audit-trail.test.ts');
