/**
 * The RootSealedStore on SQLite (always) and PostgreSQL (with LOCKSTEP_TEST_DATABASE_URL):
 * every root-sealed column is found, a re-seal is all or nothing, and the database is taken
 * only while no other process has it open.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/store/open-state-store.js';
import { DatabaseInUseError } from '../../src/store/root-sealed-store.js';
import type { StateStore } from '../../src/store/state-store.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';

reportPostgresSkipped('root-sealed-store');

const KEY_ID = '0b7e3c1a-0000-4000-8000-000000000001';
const SERIAL = 'arn:aws:iam::123456789012:mfa/phone';

/** One row of every root-sealed kind (two KMS material versions), sealed as 'old:<name>'. */
async function fillStore(store: StateStore): Promise<void> {
  await store.putAccessKey({
    accessKeyId: 'AKIAAAAAAAAAAAAAAAAA',
    principalArn: 'arn:aws:iam::123456789012:user/alice',
    userName: 'alice',
    secretCiphertext: 'old:access-key',
    status: 'Active',
    createdMs: 1,
  });
  const material = (version: number) => ({
    keyId: KEY_ID,
    version,
    materialId: String(version).repeat(64),
    sealedMaterial: `old:material-${version}`,
    rotationType: null,
    createdMs: version,
  });
  await store.kms.createKey(
    {
      keyId: KEY_ID,
      description: '',
      keyManager: 'CUSTOMER',
      state: 'Enabled',
      policy: '{}',
      createdMs: 1,
      deletionMs: null,
      pendingWindowDays: null,
      rotationPeriodDays: null,
      nextRotationMs: null,
      currentVersion: 1,
      onDemandRotations: 0,
    },
    material(1),
  );
  expect(await store.kms.addMaterial(material(2), { onDemandRotations: 1 })).toBe(true);
  await store.mfa.createDevice({
    serialNumber: SERIAL,
    deviceName: 'phone',
    path: '/',
    seedCiphertext: 'old:seed',
    userName: null,
    enabledMs: null,
    lastUsedStep: null,
    createdMs: 1,
  });
  await store.mfa.putSession({
    accessKeyId: 'ASIAAAAAAAAAAAAAAAAA',
    secretCiphertext: 'old:session',
    tokenSha256: '0'.repeat(64),
    sourceAccessKeyId: 'AKIAAAAAAAAAAAAAAAAA',
    userName: 'alice',
    principalArn: 'arn:aws:iam::123456789012:user/alice',
    roleArn: null,
    roleName: null,
    roleId: null,
    sessionName: null,
    mfaAuthenticatedMs: null,
    sessionPolicy: null,
    sessionPolicyArns: [],
    expiresMs: Date.now() + 3_600_000,
    createdMs: 1,
  });
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !TEST_DATABASE_URL)(
    `RootSealedStore on ${engine}`,
    () => {
      let options: { dataDir: string; databaseUrl?: string };
      let store: StateStore;
      let dispose: () => Promise<void>;

      beforeAll(async () => {
        const dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-root-sealed-'));
        const database = engine === 'postgres' ? await createTestDatabase() : undefined;
        options = { dataDir, databaseUrl: database?.url };
        store = await openStateStore(options);
        dispose = async () => {
          await database?.drop();
          await rm(dataDir, { recursive: true, force: true });
        };
        await fillStore(store);
      });
      afterAll(async () => {
        await store?.close();
        await dispose?.();
      });

      it('finds every root-sealed value, kind by kind', async () => {
        expect(await store.rootSealed.allValues()).toEqual([
          {
            kind: 'accessKeySecret',
            accessKeyId: 'AKIAAAAAAAAAAAAAAAAA',
            sealed: 'old:access-key',
          },
          { kind: 'kmsKeyMaterial', keyId: KEY_ID, version: 1, sealed: 'old:material-1' },
          { kind: 'kmsKeyMaterial', keyId: KEY_ID, version: 2, sealed: 'old:material-2' },
          { kind: 'mfaSeed', serialNumber: SERIAL, sealed: 'old:seed' },
          { kind: 'stsSessionSecret', accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', sealed: 'old:session' },
        ]);
        expect((await store.rootSealed.firstValue())?.sealed).toBe('old:access-key');
      });

      it('re-seals only after taking the database, refused while another connection has it open', async () => {
        await expect(store.rootSealed.resealAll((v) => v.sealed)).rejects.toThrow(
          /needs claimExclusiveUse/,
        );
        const other = await openStateStore(options);
        try {
          await expect(store.rootSealed.claimExclusiveUse()).rejects.toBeInstanceOf(
            DatabaseInUseError,
          );
        } finally {
          await other.close();
        }
        // A closed PostgreSQL connection leaves pg_stat_activity a moment after the client.
        for (let attempt = 1; ; attempt++) {
          try {
            await store.rootSealed.claimExclusiveUse();
            break;
          } catch (error) {
            if (!(error instanceof DatabaseInUseError) || attempt === 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }, 30_000);

      it('changes nothing when one value fails, after others were rewritten', async () => {
        const before = await store.rootSealed.allValues();
        await expect(
          store.rootSealed.resealAll((value) => {
            if (value.kind === 'mfaSeed') throw new Error('iam_mfa_devices row refused');
            return value.sealed.replace('old:', 'new:');
          }),
        ).rejects.toThrow('iam_mfa_devices row refused');
        expect(await store.rootSealed.allValues()).toEqual(before);
      });

      it('rewrites every value in one transaction and counts them', async () => {
        const counts = await store.rootSealed.resealAll((v) => v.sealed.replace('old:', 'new:'));
        expect(counts).toEqual({
          accessKeySecret: 1,
          kmsKeyMaterial: 2,
          mfaSeed: 1,
          stsSessionSecret: 1,
        });
        const sealed = (await store.rootSealed.allValues()).map((v) => v.sealed);
        expect(sealed).toEqual([
          'new:access-key',
          'new:material-1',
          'new:material-2',
          'new:seed',
          'new:session',
        ]);
        // What the domain stores read back is the new value too.
        expect((await store.getAccessKey('AKIAAAAAAAAAAAAAAAAA'))?.secretCiphertext).toBe(
          'new:access-key',
        );
        expect((await store.kms.getMaterial(KEY_ID, 2))?.sealedMaterial).toBe('new:material-2');
      });
    },
  );
}

describe('RootSealedStore on sqlite, once claimed', () => {
  it('keeps any other connection from opening the database until it closes', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-root-sealed-'));
    try {
      const store = await openStateStore({ dataDir });
      await store.rootSealed.claimExclusiveUse();
      try {
        await expect(openStateStore({ dataDir })).rejects.toThrow(/database is locked/);
      } finally {
        await store.close();
      }
      await (await openStateStore({ dataDir })).close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
