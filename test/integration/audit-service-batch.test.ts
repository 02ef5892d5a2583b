/**
 * The state changes of one engine decision reach the trail as one batch: consecutive
 * sequences, one hash chain, checkpoints still signed at every multiple of checkpointEvery a
 * batch crosses, and `verify` passing; on PostgreSQL also with two replicas' writers
 * interleaving their batches. The server test needs dist/ (`npm run build`) for bin/lockstep.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreatePipelineCommand,
  GetPipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
} from '@aws-sdk/client-codepipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { auditRecordHash } from '../../src/audit/audit-record-hash.js';
import { AUDIT_PUBLIC_KEY_FILE, readAuditPublicKey } from '../../src/audit/audit-signing-key.js';
import { AuditTrail, type ServiceEvent } from '../../src/audit/audit-trail.js';
import { verifyTrail } from '../../src/audit/verify-trail.js';
import { openStateStore } from '../../src/store/open-state-store.js';
import type { AuditRecord, StateStore, StoredAuditRecord } from '../../src/store/state-store.js';
import { loadFixture } from '../e2e/support/pipeline-fixtures.js';
import { startTestServer } from '../support/in-process-server.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';
import { isolatedEnv, runLockstep } from './support/lockstep-cli.js';

const PIPELINE_STATE = 'CodePipeline Pipeline Execution State Change';
const STAGE_STATE = 'CodePipeline Stage Execution State Change';
const ACTION_STATE = 'CodePipeline Action Execution State Change';

interface Target {
  /** Opens another store on the same database (another replica on PostgreSQL). */
  open(): Promise<StateStore>;
  keysDir: string;
  dispose(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-audit-batch-'));
  return {
    open: () => openStateStore({ dataDir }),
    keysDir: path.join(dataDir, 'keys'),
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Target> {
  const database = await createTestDatabase();
  const keysDir = await mkdtemp(path.join(tmpdir(), 'lockstep-audit-batch-keys-'));
  return {
    open: () => openStateStore({ dataDir: '/nonexistent-unused', databaseUrl: database.url }),
    keysDir,
    dispose: async () => {
      await database.drop();
      await rm(keysDir, { recursive: true, force: true });
    },
  };
}

/** One decision's worth of state changes, tagged so the test can find them again. */
function decision(tag: string, count: number): ServiceEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventName: ACTION_STATE,
    detail: { pipeline: 'P', 'execution-id': tag, action: `a${i}`, state: 'STARTED' },
    resourceArn: 'arn:aws:codepipeline:us-east-1:123456789012:P',
  }));
}

function tagOf(record: StoredAuditRecord): string | undefined {
  if (record.requestParametersJson === null) return undefined;
  return (JSON.parse(record.requestParametersJson) as { 'execution-id'?: string })['execution-id'];
}

/** The sequences of each tag's records, which must be consecutive for a batch. */
function sequencesByTag(records: StoredAuditRecord[]): Map<string, number[]> {
  const byTag = new Map<string, number[]>();
  for (const record of records) {
    const tag = tagOf(record);
    if (tag !== undefined) byTag.set(tag, [...(byTag.get(tag) ?? []), record.sequence]);
  }
  return byTag;
}

function expectConsecutive(sequences: number[] | undefined, length: number): void {
  const first = sequences?.[0] ?? 0;
  expect(sequences).toEqual(Array.from({ length }, (_, i) => first + i));
}

const engines: [string, () => Promise<Target>][] = [['sqlite', sqliteTarget]];
if (TEST_DATABASE_URL) engines.push(['postgres', postgresTarget]);
reportPostgresSkipped('audit-service-batch.test.ts');

describe.each(engines)('service events batched on %s', (engine, createTarget) => {
  let target: Target | undefined;
  const stores: StateStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await target?.dispose();
    target = undefined;
  });

  async function openTrail(checkpointEvery: number, store?: StateStore) {
    target ??= await createTarget();
    if (store === undefined) {
      store = await target.open();
      stores.push(store);
    }
    const errors: unknown[] = [];
    const trail = await AuditTrail.open(store, {
      keysDir: target.keysDir,
      checkpointEvery,
      logError: (_message, error) => errors.push(error),
    });
    return { store, trail, errors };
  }

  it('appends a batch as consecutive links and signs every multiple of N it crosses', async () => {
    const { store, trail, errors } = await openTrail(2);
    await trail.recordServiceEvents(decision('one', 1));
    await trail.recordServiceEvents(decision('five', 5));
    await trail.recordServiceEvents([]);
    await trail.close();
    const records = await store.listAudit(0, 100);
    expect(records.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    records.forEach((record, i) => {
      expect(record.prevHash).toBe(records[i - 1]?.recordHash ?? '0'.repeat(64));
      expect(record.principalArn).toBeNull();
      expect(record.sourceIpAddress).toBe('codepipeline.amazonaws.com');
    });
    // The batch 2..6 crossed 2, 4 and 6; each got its own checkpoint.
    const checkpoints = await store.listAuditCheckpoints();
    expect(checkpoints.map((c) => c.treeSize)).toEqual([2, 4, 6]);
    const publicKey = await readAuditPublicKey(path.join(target!.keysDir, AUDIT_PUBLIC_KEY_FILE));
    expect(await verifyTrail(store, [publicKey])).toMatchObject({
      ok: true,
      records: 6,
      checkpoints: 3,
    });
    expect(errors).toEqual([]);
  });

  it('keeps each batch whole while other writers append between batches', async () => {
    const first = await openTrail(7);
    // Two replicas on PostgreSQL. SQLite has one writer process, whose synchronous driver
    // would wait on a second connection of its own; there the two trails share its store.
    const second = await openTrail(7, engine === 'postgres' ? undefined : first.store);
    const writers = [first, second];
    const batches = Array.from({ length: 24 }, (_, n) => ({ tag: `d${n}`, size: 1 + (n % 4) }));
    // Each writer's batches race API calls and the other writer's batches.
    await Promise.all(
      batches.map(async ({ tag, size }, n) => {
        const { trail, store } = writers[n % 2]!;
        await Promise.all([
          trail.recordServiceEvents(decision(tag, size)),
          store.appendAudit(apiCall(n), auditRecordHash),
        ]);
      }),
    );
    for (const { trail } of writers) await trail.close();
    const { store, errors } = writers[0]!;
    const records = await store.listAudit(0, 1_000);
    const total = batches.reduce((sum, b) => sum + b.size, 0) + batches.length;
    expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const byTag = sequencesByTag(records);
    for (const { tag, size } of batches) expectConsecutive(byTag.get(tag), size);
    const publicKey = await readAuditPublicKey(path.join(target!.keysDir, AUDIT_PUBLIC_KEY_FILE));
    const result = await verifyTrail(store, [publicKey]);
    expect(result).toMatchObject({ ok: true, records: total, lastCheckpointTreeSize: total });
    const sizes = (await store.listAuditCheckpoints()).map((c) => c.treeSize);
    for (let size = 7; size <= total; size += 7) expect(sizes).toContain(size);
    expect(errors).toEqual([]);
  });
});

function apiCall(n: number): AuditRecord {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventTimeMs: 1_700_000_000_000 + n,
    eventSource: 'codepipeline.amazonaws.com',
    eventName: 'ListPipelines',
    requestId: `req-${n}`,
    principalArn: null,
    accessKeyId: null,
    sourceIpAddress: '127.0.0.1',
    userAgent: 'test',
    readOnly: true,
    errorCode: null,
    errorMessage: null,
    requestParametersJson: null,
    responseElementsJson: null,
    formatVersion: 1,
    resourcesJson: null,
  };
}

const servers: [string, () => Promise<{ url?: string; drop(): Promise<void> }>][] = [
  ['sqlite', () => Promise.resolve({ drop: () => Promise.resolve() })],
];
if (TEST_DATABASE_URL) servers.push(['postgres', createTestDatabase]);

describe.each(servers)('a decision of the engine, through a real server on %s', (_, create) => {
  it('lands its state changes as consecutive records among API calls, and verify passes', async () => {
    const database = await create();
    const t = await startTestServer({ databaseUrl: database.url });
    try {
      const decl = loadFixture(
        'cfn__ecs-refarch-continuous-deployment__deployment-pipeline__Pipeline.json',
      ).pipeline;
      // API calls keep arriving while the run's decisions are recorded. On PostgreSQL each
      // append waits on the network, so without one batch per decision they land in between.
      let running = true;
      const calls = Promise.all(
        Array.from({ length: 8 }, async () => {
          while (running) await t.client.send(new ListPipelinesCommand({}));
        }),
      );
      const created = await t.client.send(new CreatePipelineCommand({ pipeline: decl }));
      const name = created.pipeline!.name!;
      const executionId = await firstExecutionId(t, name);
      await waitUntilEnded(t, name, executionId);
      running = false;
      await calls;
      await t.stop();

      const store = await openStateStore({ dataDir: t.dataDir, databaseUrl: database.url });
      const records = await store.listAudit(0, 10_000);
      await store.close();
      const ofRun = records.filter((r) => tagOf(r) === executionId);
      const started = ofRun.find((r) => r.eventName === PIPELINE_STATE);
      const ended = ofRun.filter((r) => r.eventName === PIPELINE_STATE).at(-1);
      // The first decision starts the run, its first stage and that stage's action; the last
      // ends all three. Each is one append, so nothing comes between its records.
      for (const first of [started, ended]) {
        const at = records.findIndex((r) => r.sequence === first?.sequence);
        expect(records.slice(at, at + 3).map((r) => [r.eventName, tagOf(r)])).toEqual([
          [PIPELINE_STATE, executionId],
          [STAGE_STATE, executionId],
          [ACTION_STATE, executionId],
        ]);
      }
      expect(records.some((r) => r.eventName === 'ListPipelines')).toBe(true);
      const where = database.url ? ['--database-url', database.url] : [];
      const result = await runLockstep(['audit', 'verify', '--data-dir', t.dataDir, ...where], {
        env: isolatedEnv(),
      });
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, records: records.length });
      expect(result.code).toBe(0);
    } finally {
      await t.stop().catch(() => undefined);
      await rm(t.dataDir, { recursive: true, force: true });
      await database.drop();
    }
  });
});

type Server = Awaited<ReturnType<typeof startTestServer>>;

async function firstExecutionId(t: Server, name: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const page = await t.client.send(new ListPipelineExecutionsCommand({ pipelineName: name }));
    const id = page.pipelineExecutionSummaries?.[0]?.pipelineExecutionId;
    if (id) return id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no execution of ${name} started`);
}

async function waitUntilEnded(t: Server, name: string, executionId: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { pipelineExecution } = await t.client.send(
      new GetPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: executionId }),
    );
    if (pipelineExecution?.status !== 'InProgress') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`execution ${executionId} did not end`);
}
