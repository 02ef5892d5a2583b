/**
 * Virtual MFA devices as IAM manages them: create (with a random seed, shown once), enable for
 * a user with two consecutive TOTP codes, deactivate, list, delete; and the MFA check STS uses.
 * Seeds are stored only sealed by the root key. A TOTP step accepted once is never accepted
 * again for the device (the store compares-and-sets the last used step), so an observed code
 * cannot be replayed.
 */
import { randomBytes } from 'node:crypto';
import type { RootKey } from '../../kms/root-key.js';
import type { AccountScope } from '../../pipelines/pipeline-arn.js';
import type { IamUserRecord } from '../../store/iam-store.js';
import { MfaDeviceExistsError, type MfaDeviceRecord } from '../../store/mfa-store.js';
import type { StateStore } from '../../store/state-store.js';
import { DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity } from '../iam-errors.js';
import { checkPath } from '../iam-identifiers.js';
import { InvalidAuthenticationCode } from './mfa-errors.js';
import { base32Decode, base32Encode } from './base32.js';
import { findTotpStep, totpStep } from './totp.js';

/** IAM's quota of MFA devices per user. */
const MAX_DEVICES_PER_USER = 8;
/** 40 random bytes: 64 base32 characters, the length of the seeds IAM hands out. */
const SEED_BYTES = 40;

export interface MfaDependencies {
  store: StateStore;
  rootKey: RootKey;
  scope: AccountScope;
  /** The clock, for tests; Date.now by default. */
  now?: () => number;
}

/** What an MFA check for a session found. */
export type MfaCheck = 'valid' | 'no-device' | 'invalid-code';

const userShape = (u: IamUserRecord) => ({
  Path: u.path,
  UserName: u.userName,
  UserId: u.userId,
  Arn: u.arn,
  CreateDate: new Date(u.createdMs),
});

/** The seal context of a virtual MFA device's seed. */
export function seedContext(serialNumber: string): string {
  return `lockstep:mfa-seed:${serialNumber}`;
}

export class MfaService {
  private readonly now: () => number;

  constructor(private readonly deps: MfaDependencies) {
    this.now = deps.now ?? Date.now;
  }

  /** CreateVirtualMFADevice: the seed is in this answer only (QRCodePNG is not produced). */
  async createVirtualMfaDevice(input: { VirtualMFADeviceName: string; Path?: string }) {
    const path = checkPath(input.Path);
    const serialNumber = `arn:aws:iam::${this.deps.scope.accountId}:mfa${path}${input.VirtualMFADeviceName}`;
    const seed = base32Encode(randomBytes(SEED_BYTES));
    const record: MfaDeviceRecord = {
      serialNumber,
      deviceName: input.VirtualMFADeviceName,
      path,
      seedCiphertext: this.deps.rootKey.seal(seed, seedContext(serialNumber)),
      userName: null,
      enabledMs: null,
      lastUsedStep: null,
      createdMs: this.now(),
    };
    await this.deps.store.mfa.createDevice(record).catch((error: unknown) => {
      if (error instanceof MfaDeviceExistsError) {
        throw new EntityAlreadyExists('MFADevice entity at the same path and name already exists.');
      }
      throw error;
    });
    // Base32StringSeed is a blob: the wire carries the base32 text base64-encoded, as IAM does.
    return {
      VirtualMFADevice: { SerialNumber: serialNumber, Base32StringSeed: Buffer.from(seed) },
    };
  }

  /** EnableMFADevice: two consecutive codes, the pair allowed one step early or late. */
  async enableMfaDevice(input: {
    UserName: string;
    SerialNumber: string;
    AuthenticationCode1: string;
    AuthenticationCode2: string;
  }) {
    await this.requireUser(input.UserName);
    const device = await this.requireDevice(input.SerialNumber);
    if (device.userName !== null) throw new EntityAlreadyExists('MFA Device is already in use.');
    const owned = await this.deps.store.mfa.listDevicesOfUser(input.UserName);
    if (owned.length >= MAX_DEVICES_PER_USER) {
      throw new LimitExceeded(`Cannot exceed quota for MFADevicesPerUser: ${MAX_DEVICES_PER_USER}`);
    }
    const seed = this.seedOf(device);
    const current = totpStep(this.now());
    // The pair is (s, s+1); nominally the code just shown and the one before it, (T-1, T).
    const first = [current - 2, current - 1, current].find(
      (s) =>
        findTotpStep(seed, input.AuthenticationCode1, [s]) === s &&
        findTotpStep(seed, input.AuthenticationCode2, [s + 1]) === s + 1,
    );
    const invalid = new InvalidAuthenticationCode('Authentication code for device is not valid.');
    if (first === undefined) throw invalid;
    const assigned = await this.deps.store.mfa.assignDevice(
      device.serialNumber,
      input.UserName,
      this.now(),
      first + 1,
    );
    if (assigned) return {};
    // Lost a race: either someone enabled the device first, or the codes were used already.
    const after = await this.deps.store.mfa.getDevice(device.serialNumber);
    if (after?.userName) throw new EntityAlreadyExists('MFA Device is already in use.');
    throw invalid;
  }

  /** DeactivateMFADevice: the device stays, unassigned, and keeps its used steps. */
  async deactivateMfaDevice(userName: string, serialNumber: string) {
    await this.requireUser(userName);
    if (!(await this.deps.store.mfa.unassignDevice(serialNumber, userName))) {
      throw new NoSuchEntity(`MFA Device with serial number ${serialNumber} does not exist.`);
    }
    return {};
  }

  /** ListMFADevices for one user. */
  async listMfaDevices(userName: string) {
    await this.requireUser(userName);
    const devices = await this.deps.store.mfa.listDevicesOfUser(userName);
    return {
      MFADevices: devices.map((d) => ({
        UserName: userName,
        SerialNumber: d.serialNumber,
        EnableDate: new Date(d.enabledMs ?? d.createdMs),
      })),
      IsTruncated: false,
    };
  }

  /** ListVirtualMFADevices, filtered by assignment; never a seed. */
  async listVirtualMfaDevices(status: 'Assigned' | 'Unassigned' | 'Any' = 'Any') {
    const devices = (await this.deps.store.mfa.listDevices()).filter(
      (d) => status === 'Any' || (status === 'Assigned') === (d.userName !== null),
    );
    const shapes = await Promise.all(
      devices.map(async (d) => {
        const user =
          d.userName === null ? undefined : await this.deps.store.iam.getUser(d.userName);
        return {
          SerialNumber: d.serialNumber,
          ...(user ? { User: userShape(user) } : {}),
          ...(d.enabledMs === null ? {} : { EnableDate: new Date(d.enabledMs) }),
        };
      }),
    );
    return { VirtualMFADevices: shapes, IsTruncated: false };
  }

  /** DeleteVirtualMFADevice, refused while the device is enabled for a user. */
  async deleteVirtualMfaDevice(serialNumber: string) {
    const device = await this.requireDevice(serialNumber);
    if (device.userName !== null || !(await this.deps.store.mfa.deleteDevice(serialNumber))) {
      throw new DeleteConflict('MFA device is in use. Deactivate it before deleting it.');
    }
    return {};
  }

  /** Checks a code of `userName`'s enabled device, consuming its step on success. */
  async checkCode(userName: string, serialNumber: string, code: string): Promise<MfaCheck> {
    const device = await this.deps.store.mfa.getDevice(serialNumber);
    if (!device || device.userName !== userName) return 'no-device';
    const current = totpStep(this.now());
    const step = findTotpStep(this.seedOf(device), code, [current - 1, current, current + 1]);
    if (step === undefined) return 'invalid-code';
    const fresh = await this.deps.store.mfa.useStep(serialNumber, userName, step);
    return fresh ? 'valid' : 'invalid-code';
  }

  private seedOf(device: MfaDeviceRecord): Buffer {
    return base32Decode(
      this.deps.rootKey.open(device.seedCiphertext, seedContext(device.serialNumber)),
    );
  }

  private async requireUser(userName: string): Promise<IamUserRecord> {
    const user = await this.deps.store.iam.getUser(userName);
    if (!user) throw new NoSuchEntity(`The user with name ${userName} cannot be found.`);
    return user;
  }

  private async requireDevice(serialNumber: string): Promise<MfaDeviceRecord> {
    const device = await this.deps.store.mfa.getDevice(serialNumber);
    if (!device) {
      throw new NoSuchEntity(`VirtualMFADevice with serial number ${serialNumber} doesn't exist.`);
    }
    return device;
  }
}
