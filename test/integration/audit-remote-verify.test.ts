/**
 * `bin/lockstep audit verify --endpoint-url`: the trail read through GetAuditTrail from a live
 * server verifies, its key is pinned and its checkpoint remembered; a changed key is refused;
 * and after the tail is cut off (checkpoints deleted too) and a new server runs on the same
 * data directory and port, verify still reports the truncation, then the rewrite, against
 * the checkpoint it saw before. Needs dist/ (`npm run build`) for bin/lockstep.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListPipelinesCommand } from '@aws-sdk/client-codepipeline';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GetAuditTrailOutput } from '../../src/audit/audit-trail-pages.js';
import { auditKeyId } from '../../src/audit/checkpoint.js';
import { lockstepClient, type LockstepClient } from '../../src/cli/lockstep-client.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { startLockstep, type LockstepProcess } from '../support/lockstep-process.js';
import { isolatedEnv, runLockstep, sdkClient } from './support/lockstep-cli.js';

type Verify = {
  ok: boolean;
  records?: number;
  firstBadSequence?: number | null;
  checkpointTreeSize?: number;
  reason?: string;
  publicKeys: { keyId: string; publicKey: string }[];
} & Record<string, unknown>;

interface StateFile {
  endpoints: Record<
    string,
    {
      publicKeys: { keyId: string; publicKey: string }[];
      checkpoint?: { treeSize: number; rootHash: string };
    }
  >;
}

let t: TestServer;
let lockstep: LockstepClient;
let second: LockstepProcess | undefined;
let scratch: string;
let stateFile: string;
let publicKey: string;

/** `bin/lockstep audit verify --endpoint-url URL` as the administrator of `dataDir`. */
async function verifyRemote(
  url: string,
  dataDir: string,
  state: string,
  ...extra: string[]
): Promise<[number | null, Verify]> {
  const args = ['audit', 'verify', '--endpoint-url', url, '--data-dir', dataDir];
  const result = await runLockstep([...args, '--state-file', state, ...extra], {
    env: isolatedEnv(),
  });
  if (result.stdout === '') throw new Error(`audit verify printed nothing: ${result.stderr}`);
  return [result.code, JSON.parse(result.stdout) as Verify];
}

const readState = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as StateFile;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'lockstep-audit-remote-'));
  stateFile = path.join(scratch, 'seen.json');
  t = await startTestServer();
  lockstep = lockstepClient({ endpointUrl: t.server.url, dataDir: t.dataDir });
  for (let i = 0; i < 105; i++) await t.client.send(new ListPipelinesCommand({}));
  // The checkpoint at 100 is signed after the 100th call returns; wait until it is stored.
  for (let tries = 0; ; tries++) {
    const head = await lockstep.call<GetAuditTrailOutput>('GetAuditTrail', {
      maxResults: 0,
      includeCheckpoints: true,
    });
    if (head.checkpoints?.some((cp) => cp.treeSize === 100)) break;
    if (tries === 50) throw new Error('no checkpoint at 100');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  publicKey = await readFile(path.join(t.dataDir, 'keys', 'audit-signing.pub'), 'utf8');
});

afterAll(async () => {
  await second?.stop();
  await t?.stop().catch(() => undefined);
  await rm(scratch, { recursive: true, force: true });
  if (t) await rm(t.dataDir, { recursive: true, force: true });
});

describe('GetAuditTrail', () => {
  it('returns the records exactly as stored, in pages, with the key in use', async () => {
    const page = await lockstep.call<GetAuditTrailOutput>('GetAuditTrail', {
      afterSequence: 10,
      maxResults: 5,
    });
    expect(page.records.map((r) => r.sequence)).toEqual([11, 12, 13, 14, 15]);
    expect(page.checkpoints).toBeUndefined();
    expect(page.publicKey.publicKey).toBe(publicKey);
    const db = new SqliteDatabase(path.join(t.dataDir, 'state.db'), { readonly: true });
    const rows = db
      .prepare(
        'select sequence, prev_hash, record_hash, request_parameters_json, principal_arn, ' +
          'error_code from audit_events where sequence between 11 and 15 order by sequence',
      )
      .all() as Record<string, unknown>[];
    db.close();
    expect(
      page.records.map((r) => ({
        sequence: r.sequence,
        prev_hash: r.prevHash,
        record_hash: r.recordHash,
        request_parameters_json: r.requestParametersJson ?? null,
        principal_arn: r.principalArn ?? null,
        error_code: r.errorCode ?? null,
      })),
    ).toEqual(rows);
  });
});

describe('audit verify --endpoint-url', () => {
  it('verifies the live trail, pins its key and remembers checkpoint 100', async () => {
    const [code, result] = await verifyRemote(t.server.url, t.dataDir, stateFile);
    expect(result).toMatchObject({
      ok: true,
      lastCheckpointTreeSize: 100,
      endpoint: t.server.url,
      firstUse: true,
      seenCheckpoint: null,
    });
    expect(result.records).toBeGreaterThan(105);
    expect(result.publicKeys).toEqual([{ keyId: expect.any(String) as string, publicKey }]);
    expect(code).toBe(0);
    const seen = (await readState(stateFile)).endpoints[t.server.url]!;
    expect(seen.publicKeys.map((k) => k.publicKey)).toEqual([publicKey]);
    const db = new SqliteDatabase(path.join(t.dataDir, 'state.db'), { readonly: true });
    const root = db.prepare('select root_hash from audit_checkpoints where tree_size = 100').get();
    db.close();
    expect(seen.checkpoint).toMatchObject({
      treeSize: 100,
      ...{ rootHash: (root as { root_hash: string }).root_hash },
    });

    const [, again] = await verifyRemote(t.server.url, t.dataDir, stateFile);
    expect(again).toMatchObject({ ok: true, firstUse: false, seenCheckpoint: { treeSize: 100 } });
  });

  it('refuses a key that is not pinned, unless given with --public-key', async () => {
    const state = await readState(stateFile);
    const other = generateKeyPairSync('ed25519').publicKey;
    const otherPem = other.export({ type: 'spki', format: 'pem' }).toString();
    state.endpoints[t.server.url]!.publicKeys = [{ keyId: auditKeyId(other), publicKey: otherPem }];
    const pinnedElsewhere = path.join(scratch, 'other-key.json');
    await writeFile(pinnedElsewhere, JSON.stringify(state));

    const [code, refused] = await verifyRemote(t.server.url, t.dataDir, pinnedElsewhere);
    expect(refused).toMatchObject({ ok: false, firstBadSequence: null });
    expect(refused.reason).toMatch(
      /^refused: the server's audit signing key .* is not the one pinned/,
    );
    expect(refused.reason).toContain('--public-key');
    expect(refused.serverPublicKey).toMatchObject({ publicKey });
    expect(code).toBe(1);
    expect(await readState(pinnedElsewhere)).toEqual(state);

    const pub = path.join(t.dataDir, 'keys', 'audit-signing.pub');
    const [, accepted] = await verifyRemote(
      t.server.url,
      t.dataDir,
      pinnedElsewhere,
      '--public-key',
      pub,
    );
    expect(accepted).toMatchObject({ ok: true });
    const pins = (await readState(pinnedElsewhere)).endpoints[t.server.url]!.publicKeys;
    expect(pins.map((k) => k.publicKey).sort()).toEqual([otherPem, publicKey].sort());
  });

  it('reports a cut tail against the checkpoint it saw, though the server dropped all', async () => {
    const url = t.server.url;
    await t.stop();
    const db = new SqliteDatabase(path.join(t.dataDir, 'state.db'));
    db.exec('delete from audit_events where sequence > 50');
    db.exec('delete from audit_checkpoints');
    db.close();
    second = await startLockstep({
      dataDir: t.dataDir,
      extraArgs: ['--port', String(t.server.port)],
      env: isolatedEnv(),
    });
    expect(second.url).toBe(url);
    const before = await readState(stateFile);

    const [code, result] = await verifyRemote(url, t.dataDir, stateFile);
    expect(result).toMatchObject({
      ok: false,
      checkpointTreeSize: 100,
      seenCheckpoint: { treeSize: 100 },
    });
    // The records since the new start (its own GetAuditTrail calls) extend the cut trail.
    expect(result.firstBadSequence).toBeGreaterThan(50);
    expect(result.firstBadSequence).toBeLessThanOrEqual(100);
    expect(result.reason).toMatch(/^truncated: .*which the server no longer offers$/);
    expect(code).toBe(1);
    expect(await readState(stateFile)).toEqual(before);
  });

  it('reports a history rewritten past that size and re-signed by the server', async () => {
    const client = sdkClient(second!.url, second!.credentials);
    for (let i = 0; i < 60; i++) await client.send(new ListPipelinesCommand({}));
    client.destroy();

    const [code, result] = await verifyRemote(second!.url, t.dataDir, stateFile);
    expect(result).toMatchObject({ ok: false, checkpointTreeSize: 100, firstBadSequence: 1 });
    expect(result.reason).toContain('rewritten');
    expect(result.reason).toContain('no longer offers');
    expect(code).toBe(1);

    // The data directory alone cannot tell: every checkpoint it holds matches its records.
    await second!.stop();
    second = undefined;
    const local = await runLockstep(['audit', 'verify', '--data-dir', t.dataDir], {
      env: isolatedEnv(),
    });
    expect(JSON.parse(local.stdout)).toMatchObject({ ok: true });
  });
});
