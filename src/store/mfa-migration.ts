/**
 * The MFA and STS tables: virtual MFA devices (seed sealed, last used TOTP step) and STS
 * sessions (secret sealed, token kept only as its SHA-256). Written once for both engines;
 * only the column types that differ are parameters, as in iam-migration.ts.
 */
import type { Kysely, Migration, RawBuilder } from 'kysely';

type ColumnType = 'text' | 'integer' | 'bigint' | RawBuilder<unknown>;

interface MfaColumnTypes {
  /** Text that sorts byte-wise (COLLATE "C" on PostgreSQL, plain text on SQLite). */
  name: ColumnType;
  /** Epoch milliseconds, and TOTP steps. */
  ms: ColumnType;
  /** Appended to every CREATE TABLE (STRICT on SQLite). */
  tableSuffix?: RawBuilder<unknown>;
}

/** The MFA/STS migration for an engine's column types. */
export function mfaMigration(types: MfaColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const table = (name: string) => {
        const builder = db.schema.createTable(name);
        return types.tableSuffix ? builder.modifyEnd(types.tableSuffix) : builder;
      };
      await table('iam_mfa_devices')
        .addColumn('serial_number', types.name, (c) => c.primaryKey())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('seed_ciphertext', 'text', (c) => c.notNull())
        .addColumn('user_name', types.name)
        .addColumn('enabled_ms', types.ms)
        .addColumn('last_used_step', types.ms)
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('iam_mfa_devices_by_user')
        .on('iam_mfa_devices')
        .column('user_name')
        .execute();
      await table('sts_sessions')
        .addColumn('access_key_id', 'text', (c) => c.primaryKey())
        .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
        .addColumn('token_sha256', 'text', (c) => c.notNull())
        .addColumn('source_access_key_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('principal_arn', 'text', (c) => c.notNull())
        .addColumn('role_arn', 'text')
        .addColumn('role_name', 'text')
        .addColumn('role_id', 'text')
        .addColumn('session_name', 'text')
        .addColumn('mfa_authenticated_ms', types.ms)
        .addColumn('session_policy', 'text')
        // A JSON array of policy ARNs; '[]' for none.
        .addColumn('session_policy_arns', 'text', (c) => c.notNull())
        .addColumn('expires_ms', types.ms, (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sts_sessions_by_expiry')
        .on('sts_sessions')
        .column('expires_ms')
        .execute();
    },
  };
}
