/**
 * Virtual MFA devices and the STS sessions that access keys (and MFA codes) produce, as the
 * store keeps them. Secrets (a device's seed, a session's secret key) are kept only sealed by
 * the root key; a session token only as its SHA-256.
 */

export interface MfaDeviceRecord {
  /** The device ARN, `arn:aws:iam::<account>:mfa<path><name>`. */
  serialNumber: string;
  deviceName: string;
  path: string;
  /** The base32 seed, sealed by the root key. */
  seedCiphertext: string;
  /** The user the device is enabled for; null while unassigned. */
  userName: string | null;
  enabledMs: number | null;
  /** The highest TOTP time step accepted so far: no code of that step or earlier counts again. */
  lastUsedStep: number | null;
  createdMs: number;
}

/** One set of temporary credentials from GetSessionToken or AssumeRole. */
export interface StsSessionRecord {
  /** `ASIA` + 16 characters. */
  accessKeyId: string;
  secretCiphertext: string;
  /** Lowercase hex SHA-256 of the session token. */
  tokenSha256: string;
  /** The long-term access key at the start of the chain: the session dies with it. */
  sourceAccessKeyId: string;
  /** The IAM user at the start of the chain. */
  userName: string;
  /** Who the session acts as: the user's ARN, or `arn:aws:sts::<acct>:assumed-role/<r>/<s>`. */
  principalArn: string;
  roleArn: string | null;
  roleName: string | null;
  roleId: string | null;
  sessionName: string | null;
  /** When the caller last proved MFA for this session; null for none. */
  mfaAuthenticatedMs: number | null;
  /** The inline session policy (AssumeRole's Policy), as given. */
  sessionPolicy: string | null;
  /** Managed session policies (AssumeRole's PolicyArns). */
  sessionPolicyArns: string[];
  expiresMs: number;
  createdMs: number;
}

/** Thrown when a device with the same serial number exists. */
export class MfaDeviceExistsError extends Error {}

export interface MfaStore {
  /** Inserts a device; throws MfaDeviceExistsError when the serial number is taken. */
  createDevice(device: MfaDeviceRecord): Promise<void>;
  getDevice(serialNumber: string): Promise<MfaDeviceRecord | undefined>;
  /** Every virtual device, by serial number. */
  listDevices(): Promise<MfaDeviceRecord[]>;
  listDevicesOfUser(userName: string): Promise<MfaDeviceRecord[]>;
  /**
   * Assigns an unassigned device to a user, recording `step` as used, only if no later step
   * was used; false if another caller got there first.
   */
  assignDevice(
    serialNumber: string,
    userName: string,
    enabledMs: number,
    step: number,
  ): Promise<boolean>;
  /** Unassigns a device from a user; false if it was not assigned to them. */
  unassignDevice(serialNumber: string, userName: string): Promise<boolean>;
  /** Deletes an unassigned device; false if absent or assigned. */
  deleteDevice(serialNumber: string): Promise<boolean>;
  /**
   * Records `step` as used on a device still assigned to `userName`, only if it is later than
   * every step used before: a false answer means a replayed (or concurrent) code.
   */
  useStep(serialNumber: string, userName: string, step: number): Promise<boolean>;

  putSession(session: StsSessionRecord): Promise<void>;
  getSession(accessKeyId: string): Promise<StsSessionRecord | undefined>;
  /** Deletes sessions that expired before `beforeMs`; returns how many. */
  deleteExpiredSessions(beforeMs: number): Promise<number>;
}
