import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RootKey } from '../../kms/root-key.js';
import { openStateStore } from '../../store/open-state-store.js';
import type { StateStore } from '../../store/state-store.js';
import { base32Decode } from './base32.js';
import { MfaService } from './mfa-service.js';
import { totpCode, totpStep } from './totp.js';

const ACCOUNT = '123456789012';

describe('MfaService', () => {
  let dir: string;
  let store: StateStore;
  let nowMs = Date.UTC(2026, 0, 1, 12, 0, 10);
  let mfa: MfaService;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lockstep-mfa-'));
    store = await openStateStore({ dataDir: dir });
    const rootKey = await RootKey.loadOrCreate(path.join(dir, 'root.key'), true);
    mfa = new MfaService({
      store,
      rootKey,
      scope: { accountId: ACCOUNT, region: 'us-east-1' },
      now: () => nowMs,
    });
    for (const userName of ['dev', 'ops']) {
      await store.iam.createUser({
        userName,
        userId: `AIDA${userName.toUpperCase()}`,
        arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`,
        path: '/',
        permissionsBoundaryArn: null,
        createdMs: 0,
      });
    }
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A new device: its serial number and the seed as the caller received it. */
  async function newDevice(name: string) {
    const { VirtualMFADevice: device } = await mfa.createVirtualMfaDevice({
      VirtualMFADeviceName: name,
      Path: '/team/',
    });
    const base32 = device.Base32StringSeed.toString();
    return { serial: device.SerialNumber, base32, seed: base32Decode(base32) };
  }

  const enable = (userName: string, serial: string, code1: string, code2: string) =>
    mfa.enableMfaDevice({
      UserName: userName,
      SerialNumber: serial,
      AuthenticationCode1: code1,
      AuthenticationCode2: code2,
    });

  it('creates a device under its path, with the seed sealed in the store', async () => {
    const { serial, base32, seed } = await newDevice('phone');
    expect(serial).toBe(`arn:aws:iam::${ACCOUNT}:mfa/team/phone`);
    expect(base32).toMatch(/^[A-Z2-7]{64}$/);
    expect(seed).toHaveLength(40);
    const stored = await store.mfa.getDevice(serial);
    expect(stored?.userName).toBeNull();
    expect(JSON.stringify(stored)).not.toContain(base32);
    await expect(
      mfa.createVirtualMfaDevice({ VirtualMFADeviceName: 'phone', Path: '/team/' }),
    ).rejects.toMatchObject({ code: 'EntityAlreadyExists' });
  });

  it('accepts two consecutive codes up to one step early or late, and nothing further', async () => {
    const now = totpStep(nowMs);
    for (const [name, first, accepted] of [
      ['late', now - 2, true],
      ['nominal', now - 1, true],
      ['early', now, true],
      ['too-late', now - 3, false],
      ['too-early', now + 1, false],
    ] as const) {
      const { serial, seed } = await newDevice(name);
      const result = enable('ops', serial, totpCode(seed, first), totpCode(seed, first + 1));
      if (accepted) await expect(result).resolves.toEqual({});
      else await expect(result).rejects.toMatchObject({ code: 'InvalidAuthenticationCode' });
      if (accepted) await mfa.deactivateMfaDevice('ops', serial);
    }
  });

  it('refuses codes out of order or repeated, and a device already in use', async () => {
    const { serial, seed } = await newDevice('order');
    const step = totpStep(nowMs);
    const code = (s: number) => totpCode(seed, s);
    await expect(enable('dev', serial, code(step), code(step - 1))).rejects.toMatchObject({
      code: 'InvalidAuthenticationCode',
    });
    await expect(enable('dev', serial, code(step), code(step))).rejects.toMatchObject({
      code: 'InvalidAuthenticationCode',
    });
    await enable('dev', serial, code(step - 1), code(step));
    await expect(enable('ops', serial, code(step - 1), code(step))).rejects.toMatchObject({
      code: 'EntityAlreadyExists',
    });
    const listed = await mfa.listMfaDevices('dev');
    expect(listed.MFADevices.map((d) => d.SerialNumber)).toEqual([serial]);
  });

  it('checks a session code once: never a step already used, never for another user', async () => {
    const { serial, seed } = await newDevice('session');
    const step = totpStep(nowMs);
    await enable('dev', serial, totpCode(seed, step - 1), totpCode(seed, step));
    // The enabling codes are spent.
    expect(await mfa.checkCode('dev', serial, totpCode(seed, step))).toBe('invalid-code');
    expect(await mfa.checkCode('ops', serial, totpCode(seed, step + 1))).toBe('no-device');
    expect(await mfa.checkCode('dev', serial, totpCode(seed, step + 1))).toBe('valid');
    expect(await mfa.checkCode('dev', serial, totpCode(seed, step + 1))).toBe('invalid-code');
    nowMs += 60_000; // two steps on: the code of the step after is fresh
    expect(await mfa.checkCode('dev', serial, totpCode(seed, step + 3))).toBe('valid');

    // Deactivated and enabled again, the device still refuses the codes it accepted before.
    await mfa.deactivateMfaDevice('dev', serial);
    expect(await mfa.checkCode('dev', serial, totpCode(seed, step + 4))).toBe('no-device');
    await expect(
      enable('dev', serial, totpCode(seed, step + 2), totpCode(seed, step + 3)),
    ).rejects.toMatchObject({ code: 'InvalidAuthenticationCode' });
  });

  it('deletes a device only once it is deactivated, and lists by assignment', async () => {
    const { serial, seed } = await newDevice('gone');
    const step = totpStep(nowMs);
    await enable('ops', serial, totpCode(seed, step - 1), totpCode(seed, step));
    const assigned = await mfa.listVirtualMfaDevices('Assigned');
    const found = assigned.VirtualMFADevices.find((d) => d.SerialNumber === serial);
    expect(found?.User?.UserName).toBe('ops');
    expect(JSON.stringify(assigned)).not.toContain('Base32StringSeed');
    await expect(mfa.deleteVirtualMfaDevice(serial)).rejects.toMatchObject({
      code: 'DeleteConflict',
    });
    await mfa.deactivateMfaDevice('ops', serial);
    await expect(mfa.deactivateMfaDevice('ops', serial)).rejects.toMatchObject({
      code: 'NoSuchEntity',
    });
    await mfa.deleteVirtualMfaDevice(serial);
    await expect(mfa.deleteVirtualMfaDevice(serial)).rejects.toMatchObject({
      code: 'NoSuchEntity',
    });
    const unassigned = await mfa.listVirtualMfaDevices('Unassigned');
    expect(unassigned.VirtualMFADevices.map((d) => d.SerialNumber)).not.toContain(serial);
  });
});
