/**
 * Queries on the MFA device and STS session tables, written once with Kysely for both
 * engines. Every change that must not race (assigning a device, using a TOTP step) is one
 * conditional UPDATE, never a read and then a write.
 */
import type { Kysely, Selectable } from 'kysely';
import {
  MfaDeviceExistsError,
  type MfaDeviceRecord,
  type MfaStore,
  type StsSessionRecord,
} from './mfa-store.js';
import type { Database } from './schema.js';

/** Kysely table types of the tables made by mfa-migration.ts. */
type MfaTables = {
  iam_mfa_devices: {
    serial_number: string;
    device_name: string;
    path: string;
    seed_ciphertext: string;
    user_name: string | null;
    enabled_ms: number | null;
    last_used_step: number | null;
    created_ms: number;
  };
  sts_sessions: {
    access_key_id: string;
    secret_ciphertext: string;
    token_sha256: string;
    source_access_key_id: string;
    user_name: string;
    principal_arn: string;
    role_arn: string | null;
    role_name: string | null;
    role_id: string | null;
    session_name: string | null;
    mfa_authenticated_ms: number | null;
    session_policy: string | null;
    session_policy_arns: string;
    expires_ms: number;
    created_ms: number;
  };
};

type DeviceRow = Selectable<MfaTables['iam_mfa_devices']>;
type SessionRow = Selectable<MfaTables['sts_sessions']>;

const device = (r: DeviceRow): MfaDeviceRecord => ({
  serialNumber: r.serial_number,
  deviceName: r.device_name,
  path: r.path,
  seedCiphertext: r.seed_ciphertext,
  userName: r.user_name,
  enabledMs: r.enabled_ms,
  lastUsedStep: r.last_used_step,
  createdMs: r.created_ms,
});

const session = (r: SessionRow): StsSessionRecord => ({
  accessKeyId: r.access_key_id,
  secretCiphertext: r.secret_ciphertext,
  tokenSha256: r.token_sha256,
  sourceAccessKeyId: r.source_access_key_id,
  userName: r.user_name,
  principalArn: r.principal_arn,
  roleArn: r.role_arn,
  roleName: r.role_name,
  roleId: r.role_id,
  sessionName: r.session_name,
  mfaAuthenticatedMs: r.mfa_authenticated_ms,
  sessionPolicy: r.session_policy,
  sessionPolicyArns: JSON.parse(r.session_policy_arns) as string[],
  expiresMs: r.expires_ms,
  createdMs: r.created_ms,
});

/** The MfaStore over a database; `isUniqueViolation` comes from the dialect. */
export function createMfaStore(
  database: Kysely<Database>,
  isUniqueViolation: (error: unknown) => boolean,
): MfaStore {
  const db = database.withTables<MfaTables>();
  const updated = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) === 1;
  return {
    async createDevice(d) {
      await db
        .insertInto('iam_mfa_devices')
        .values({
          serial_number: d.serialNumber,
          device_name: d.deviceName,
          path: d.path,
          seed_ciphertext: d.seedCiphertext,
          user_name: d.userName,
          enabled_ms: d.enabledMs,
          last_used_step: d.lastUsedStep,
          created_ms: d.createdMs,
        })
        .execute()
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw new MfaDeviceExistsError(d.serialNumber);
          throw error;
        });
    },

    async getDevice(serialNumber) {
      const row = await db
        .selectFrom('iam_mfa_devices')
        .selectAll()
        .where('serial_number', '=', serialNumber)
        .executeTakeFirst();
      return row && device(row);
    },

    async listDevices() {
      const rows = await db
        .selectFrom('iam_mfa_devices')
        .selectAll()
        .orderBy('serial_number')
        .execute();
      return rows.map(device);
    },

    async listDevicesOfUser(userName) {
      const rows = await db
        .selectFrom('iam_mfa_devices')
        .selectAll()
        .where('user_name', '=', userName)
        .orderBy('serial_number')
        .execute();
      return rows.map(device);
    },

    async assignDevice(serialNumber, userName, enabledMs, step) {
      const result = await db
        .updateTable('iam_mfa_devices')
        .set({ user_name: userName, enabled_ms: enabledMs, last_used_step: step })
        .where('serial_number', '=', serialNumber)
        .where('user_name', 'is', null)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return updated(result);
    },

    async unassignDevice(serialNumber, userName) {
      // last_used_step stays: re-enabling the same device must not accept an old code again.
      const result = await db
        .updateTable('iam_mfa_devices')
        .set({ user_name: null, enabled_ms: null })
        .where('serial_number', '=', serialNumber)
        .where('user_name', '=', userName)
        .executeTakeFirst();
      return updated(result);
    },

    async deleteDevice(serialNumber) {
      const result = await db
        .deleteFrom('iam_mfa_devices')
        .where('serial_number', '=', serialNumber)
        .where('user_name', 'is', null)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async useStep(serialNumber, userName, step) {
      const result = await db
        .updateTable('iam_mfa_devices')
        .set({ last_used_step: step })
        .where('serial_number', '=', serialNumber)
        .where('user_name', '=', userName)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return updated(result);
    },

    async putSession(s) {
      await db
        .insertInto('sts_sessions')
        .values({
          access_key_id: s.accessKeyId,
          secret_ciphertext: s.secretCiphertext,
          token_sha256: s.tokenSha256,
          source_access_key_id: s.sourceAccessKeyId,
          user_name: s.userName,
          principal_arn: s.principalArn,
          role_arn: s.roleArn,
          role_name: s.roleName,
          role_id: s.roleId,
          session_name: s.sessionName,
          mfa_authenticated_ms: s.mfaAuthenticatedMs,
          session_policy: s.sessionPolicy,
          session_policy_arns: JSON.stringify(s.sessionPolicyArns),
          expires_ms: s.expiresMs,
          created_ms: s.createdMs,
        })
        .execute();
    },

    async getSession(accessKeyId) {
      const row = await db
        .selectFrom('sts_sessions')
        .selectAll()
        .where('access_key_id', '=', accessKeyId)
        .executeTakeFirst();
      return row && session(row);
    },

    async deleteExpiredSessions(beforeMs) {
      const result = await db
        .deleteFrom('sts_sessions')
        .where('expires_ms', '<', beforeMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
