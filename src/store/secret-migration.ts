/**
 * The Secrets Manager tables: `secrets` (identity, deletion schedule, metadata as JSON) and
 * `secret_versions` (ciphertext and encrypted data key only). Written once for both engines;
 * only the column types that differ are parameters, as in codebuild-migration.ts.
 */
import type { Kysely, Migration, RawBuilder } from 'kysely';

type ColumnType = 'text' | 'integer' | 'bigint' | RawBuilder<unknown>;

interface SecretColumnTypes {
  /** Text that sorts byte-wise (COLLATE "C" on PostgreSQL, plain text on SQLite). */
  name: ColumnType;
  /** Epoch milliseconds. */
  ms: ColumnType;
  /** Appended to every CREATE TABLE (STRICT on SQLite). */
  tableSuffix?: RawBuilder<unknown>;
}

/** The secrets migration for an engine's column types. */
export function secretsMigration(types: SecretColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const table = (name: string) => {
        const builder = db.schema.createTable(name);
        return types.tableSuffix ? builder.modifyEnd(types.tableSuffix) : builder;
      };
      await table('secrets')
        .addColumn('arn', types.name, (c) => c.primaryKey())
        // Unique even while scheduled for deletion: AWS keeps the name until the secret is gone.
        .addColumn('name', types.name, (c) => c.notNull().unique())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addColumn('revision', types.ms, (c) => c.notNull())
        .addColumn('deletion_ms', types.ms)
        .addColumn('last_accessed_ms', types.ms)
        .addColumn('metadata_json', 'text', (c) => c.notNull())
        .execute();
      await table('secret_versions')
        .addColumn('secret_arn', types.name, (c) => c.notNull())
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('created_ms', types.ms, (c) => c.notNull())
        .addColumn('value_type', 'text', (c) => c.notNull())
        .addColumn('key_arn', 'text', (c) => c.notNull())
        .addColumn('encrypted_key', 'text', (c) => c.notNull())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('secret_versions_pk', ['secret_arn', 'version_id'])
        .execute();
    },
  };
}
