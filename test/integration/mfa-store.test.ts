/**
 * The MfaStore on SQLite (always) and PostgreSQL (with LOCKSTEP_TEST_DATABASE_URL): the
 * conditional updates that keep a device to one user and a TOTP step to one use.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/store/open-state-store.js';
import { MfaDeviceExistsError, type MfaDeviceRecord } from '../../src/store/mfa-store.js';
import type { StateStore } from '../../src/store/state-store.js';
import {
  createTestDatabase,
  reportPostgresSkipped,
  TEST_DATABASE_URL,
} from '../support/postgres.js';

reportPostgresSkipped('mfa-store');

const device = (serialNumber: string): MfaDeviceRecord => ({
  serialNumber,
  deviceName: serialNumber.split('/').at(-1) ?? '',
  path: '/',
  seedCiphertext: 'sealed',
  userName: null,
  enabledMs: null,
  lastUsedStep: null,
  createdMs: 1,
});

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !TEST_DATABASE_URL)(`MfaStore on ${engine}`, () => {
    let store: StateStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      if (engine === 'sqlite') {
        const dataDir = await mkdtemp(path.join(tmpdir(), 'lockstep-mfa-store-'));
        store = await openStateStore({ dataDir });
        dispose = () => rm(dataDir, { recursive: true, force: true });
      } else {
        const database = await createTestDatabase();
        store = await openStateStore({ dataDir: '/nonexistent-unused', databaseUrl: database.url });
        dispose = () => database.drop();
      }
    });
    afterAll(async () => {
      await store?.close();
      await dispose?.();
    });

    it('keeps a device to one user and each TOTP step to one use', async () => {
      const serial = 'arn:aws:iam::123456789012:mfa/phone';
      await store.mfa.createDevice(device(serial));
      await expect(store.mfa.createDevice(device(serial))).rejects.toBeInstanceOf(
        MfaDeviceExistsError,
      );
      expect(await store.mfa.assignDevice(serial, 'dev', 10, 100)).toBe(true);
      expect(await store.mfa.assignDevice(serial, 'ops', 11, 200)).toBe(false);
      expect(await store.mfa.useStep(serial, 'ops', 101)).toBe(false);
      expect(await store.mfa.useStep(serial, 'dev', 100)).toBe(false);
      expect(await store.mfa.useStep(serial, 'dev', 101)).toBe(true);
      expect(await store.mfa.deleteDevice(serial)).toBe(false);
      expect((await store.mfa.listDevicesOfUser('dev')).map((d) => d.serialNumber)).toEqual([
        serial,
      ]);

      expect(await store.mfa.unassignDevice(serial, 'ops')).toBe(false);
      expect(await store.mfa.unassignDevice(serial, 'dev')).toBe(true);
      // Unassigned, the device keeps its last used step: an old code cannot enable it again.
      expect(await store.mfa.assignDevice(serial, 'ops', 12, 101)).toBe(false);
      expect((await store.mfa.getDevice(serial))?.lastUsedStep).toBe(101);
      expect(await store.mfa.deleteDevice(serial)).toBe(true);
      expect(await store.mfa.listDevices()).toEqual([]);
    });

    it('stores sessions and forgets only those expired before the cut-off', async () => {
      const session = (accessKeyId: string, expiresMs: number) => ({
        accessKeyId,
        secretCiphertext: 'sealed',
        tokenSha256: 'ab'.repeat(32),
        sourceAccessKeyId: 'AKIASOURCE',
        userName: 'dev',
        principalArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
        roleArn: 'arn:aws:iam::123456789012:role/r',
        roleName: 'r',
        roleId: 'AROAR',
        sessionName: 's',
        mfaAuthenticatedMs: 5,
        sessionPolicy: '{"Statement":[]}',
        sessionPolicyArns: ['arn:aws:iam::123456789012:policy/p'],
        expiresMs,
        createdMs: 1,
      });
      await store.mfa.putSession(session('ASIAOLD', 1_000));
      await store.mfa.putSession(session('ASIANEW', 3_000));
      expect(await store.mfa.getSession('ASIANEW')).toEqual(session('ASIANEW', 3_000));
      expect(await store.mfa.deleteExpiredSessions(2_000)).toBe(1);
      expect(await store.mfa.getSession('ASIAOLD')).toBeUndefined();
      expect(await store.mfa.getSession('ASIANEW')).toBeDefined();
    });
  });
}
