import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RootKey } from '../kms/root-key.js';
import { openStateStore } from '../store/open-state-store.js';
import type { StateStore } from '../store/state-store.js';
import { IamUserService } from './iam-user-service.js';

describe('IamUserService.deleteUser', () => {
  let dir: string;
  let store: StateStore;
  let users: IamUserService;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lockstep-iam-users-'));
    store = await openStateStore({ dataDir: dir });
    const rootKey = await RootKey.loadOrCreate(path.join(dir, 'keys', 'root.key'), true);
    users = new IamUserService(store, rootKey, { accountId: '123456789012', region: 'us-east-1' });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses while an MFA device is assigned, and deletes once it is gone', async () => {
    await users.createUser({ UserName: 'carol' });
    const serial = 'arn:aws:iam::123456789012:mfa/carol';
    await store.mfa.createDevice({
      serialNumber: serial,
      deviceName: 'carol',
      path: '/',
      seedCiphertext: 'sealed-elsewhere',
      userName: null,
      enabledMs: null,
      lastUsedStep: null,
      createdMs: 0,
    });
    expect(await store.mfa.assignDevice(serial, 'carol', 1, 1)).toBe(true);
    await expect(users.deleteUser('carol')).rejects.toMatchObject({ code: 'DeleteConflict' });
    expect(await store.mfa.unassignDevice(serial, 'carol')).toBe(true);
    await expect(users.deleteUser('carol')).resolves.toEqual({});
    await expect(users.getUser('carol')).rejects.toMatchObject({ code: 'NoSuchEntity' });
  });

  it('refuses the bootstrap administrator’s name', async () => {
    await expect(users.createUser({ UserName: 'lockstep-admin' })).rejects.toMatchObject({
      code: 'EntityAlreadyExists',
    });
  });
});
